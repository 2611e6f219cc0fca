import { GRAPH_ARN_PATTERN } from '../investigation/arns';
import { MAX_TOKEN_LENGTH } from '../investigation/pagination';
import { DAY_MS } from '../investigation/time';
import { ObjectReader, Violations } from '../investigation/validation';
import { ENTITY_TYPES, type EntityType } from './entity-types';
import { MAX_QUERY_LENGTH } from './glob';

/**
 * Bodies of searchEntities and listRelatedEntities, read with the investigation routes' reader (every
 * violation listed, values echoed clipped): any bad input is a ValidationException, never a 5xx.
 */
export interface GraphScopeContext {
  nowMillis: number;
  maxScopeDays: number;
}

export const ENTITY_MAX_RESULTS = { min: 1, max: 100 } as const;
export const ENTITY_DEFAULT_MAX_RESULTS = 50;
/** The longest EntityId: stored values are shorter (user agents are kept to 512 bytes, ARNs to IAM's limits). */
export const MAX_ENTITY_ID_LENGTH = 1024;
/** searchEntities without a scope looks at the last 24 hours. */
export const DEFAULT_SEARCH_SCOPE_MS = DAY_MS;

export interface SearchEntitiesRequest {
  graphArn?: string;
  entityType: EntityType;
  query: string;
  /** As given: the default scope is resolved once, on the first page, and kept in the NextToken. */
  fromMs?: number;
  toMs?: number;
  maxResults: number;
  nextToken?: string;
}

export interface ListRelatedEntitiesRequest {
  graphArn?: string;
  entityType: EntityType;
  entityId: string;
  relatedEntityType: EntityType;
  fromMs: number;
  toMs: number;
  maxResults: number;
  nextToken?: string;
}

function checkScope(body: ObjectReader, from: number | undefined, to: number | undefined, context: GraphScopeContext): void {
  if (from === undefined || to === undefined) return;
  if (to <= from) body.fail('ScopeEndTime must be later than ScopeStartTime');
  else if (to - from > context.maxScopeDays * DAY_MS) body.fail(`The scope (ScopeStartTime to ScopeEndTime) must not exceed ${context.maxScopeDays} days`);
  if (from > context.nowMillis) body.fail('ScopeStartTime must not be in the future');
}

function common(body: ObjectReader | undefined) {
  return {
    graphArn: body?.string('GraphArn', { pattern: GRAPH_ARN_PATTERN, patternCode: 'INVALID_GRAPH_ARN' }),
    maxResults: body?.integer('MaxResults', ENTITY_MAX_RESULTS),
    nextToken: body?.string('NextToken', { minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
  };
}

export function parseSearchEntities(value: unknown, context: GraphScopeContext): SearchEntitiesRequest {
  const violations = new Violations();
  const body = ObjectReader.of(value, '', ['GraphArn', 'EntityType', 'Query', 'ScopeStartTime', 'ScopeEndTime', 'MaxResults', 'NextToken'], violations);
  const { graphArn, maxResults, nextToken } = common(body);
  const entityType = body?.enumeration('EntityType', ENTITY_TYPES, true);
  const query = body?.string('Query', { required: true, minLength: 1, maxLength: MAX_QUERY_LENGTH });
  const from = body?.timestamp('ScopeStartTime');
  const to = body?.timestamp('ScopeEndTime');
  if (body && (from === undefined) !== (to === undefined) && violations.count === 0) body.fail('Give both ScopeStartTime and ScopeEndTime, or neither (the last 24 hours)');
  if (body) checkScope(body, from, to, context);
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    entityType: entityType!,
    query: query!,
    ...(from !== undefined && to !== undefined ? { fromMs: from, toMs: to } : {}),
    maxResults: maxResults ?? ENTITY_DEFAULT_MAX_RESULTS,
    ...(nextToken ? { nextToken } : {}),
  };
}

export function parseListRelatedEntities(value: unknown, context: GraphScopeContext): ListRelatedEntitiesRequest {
  const violations = new Violations();
  const body = ObjectReader.of(value, '', ['GraphArn', 'EntityType', 'EntityId', 'RelatedEntityType', 'ScopeStartTime', 'ScopeEndTime', 'MaxResults', 'NextToken'], violations);
  const { graphArn, maxResults, nextToken } = common(body);
  const entityType = body?.enumeration('EntityType', ENTITY_TYPES, true);
  const entityId = body?.string('EntityId', { required: true, minLength: 1, maxLength: MAX_ENTITY_ID_LENGTH });
  const relatedEntityType = body?.enumeration('RelatedEntityType', ENTITY_TYPES, true);
  const from = body?.timestamp('ScopeStartTime', true);
  const to = body?.timestamp('ScopeEndTime', true);
  if (body) checkScope(body, from, to, context);
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    entityType: entityType!,
    entityId: entityId!,
    relatedEntityType: relatedEntityType!,
    fromMs: from!,
    toMs: to!,
    maxResults: maxResults ?? ENTITY_DEFAULT_MAX_RESULTS,
    ...(nextToken ? { nextToken } : {}),
  };
}

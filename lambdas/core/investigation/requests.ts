import { entityTypeOf, ENTITY_ARN_PATTERN, ENTITY_ARN_RULES, GRAPH_ARN_PATTERN } from './arns';
import { INVESTIGATION_ID_PATTERN } from './ids';
import { INDICATOR_TYPES, SEVERITIES, SORT_FIELDS, SORT_ORDERS, STATES, STATUSES, type EntityType, type IndicatorType, type Severity, type SortField, type SortOrder, type State, type Status } from './model';
import { MAX_TOKEN_LENGTH } from './pagination';
import { DAY_MS, formatTimestamp } from './time';
import { ObjectReader, Violations, type StringRule } from './validation';

/**
 * Parsing and validation of the five request bodies into typed requests. Limits follow Detective's API
 * reference (InvestigationId: 21 digits; MaxResults: 1..100; GraphArn pattern); the scope length has no
 * documented limit there, so it is a deployment setting.
 */
export const MAX_RESULTS = { min: 1, max: 100 } as const;
export const DEFAULT_MAX_RESULTS = 100;
export const DEFAULT_MAX_SCOPE_DAYS = 30;
export const MAX_STRING_FILTER_LENGTH = 500;

export interface RequestContext {
  nowMillis: number;
  maxScopeDays: number;
}

export interface StartInvestigationRequest {
  graphArn?: string;
  entityArn: string;
  entityType: EntityType;
  scopeStartTime: string;
  scopeEndTime: string;
}

export interface InvestigationRef {
  graphArn?: string;
  investigationId: string;
}

export interface UpdateInvestigationStateRequest extends InvestigationRef {
  state: State;
}

export interface ListIndicatorsRequest extends InvestigationRef {
  indicatorType?: IndicatorType;
  maxResults: number;
  nextToken?: string;
}

export interface InvestigationFilter {
  severity?: Severity;
  status?: Status;
  state?: State;
  entityArn?: string;
  createdTime?: { startInclusive: string; endInclusive: string };
}

export interface InvestigationSort {
  field: SortField;
  order: SortOrder;
}

export interface ListInvestigationsRequest {
  graphArn?: string;
  filter: InvestigationFilter;
  sort: InvestigationSort;
  maxResults: number;
  nextToken?: string;
}

const GRAPH_ARN: StringRule = { pattern: GRAPH_ARN_PATTERN, patternCode: 'INVALID_GRAPH_ARN' };
const INVESTIGATION_ID: StringRule = { required: true, minLength: 21, maxLength: 21, pattern: /^[0-9]+$/ };
const NEXT_TOKEN: StringRule = { minLength: 1, maxLength: MAX_TOKEN_LENGTH };

function body(value: unknown, allowed: readonly string[]): { reader: ObjectReader | undefined; violations: Violations } {
  const violations = new Violations();
  return { reader: ObjectReader.of(value, '', allowed, violations), violations };
}

export function parseStartInvestigation(value: unknown, context: RequestContext): StartInvestigationRequest {
  const { reader, violations } = body(value, ['GraphArn', 'EntityArn', 'ScopeStartTime', 'ScopeEndTime']);
  const graphArn = reader?.string('GraphArn', GRAPH_ARN);
  const entityArn = reader?.string('EntityArn', { required: true, maxLength: 2048, pattern: ENTITY_ARN_PATTERN, patternDescription: ENTITY_ARN_RULES });
  const start = reader?.timestamp('ScopeStartTime', true);
  const end = reader?.timestamp('ScopeEndTime', true);
  if (reader && start !== undefined && end !== undefined) {
    if (end <= start) reader.fail('ScopeEndTime must be later than ScopeStartTime');
    else if (end - start > context.maxScopeDays * DAY_MS) reader.fail(`The investigation scope (ScopeStartTime to ScopeEndTime) must not exceed ${context.maxScopeDays} days`);
    if (start > context.nowMillis) reader.fail('ScopeStartTime must not be in the future');
  }
  violations.throwIfAny();
  // Non-null: every one of these was validated as present above, or throwIfAny threw.
  return { graphArn, entityArn: entityArn!, entityType: entityTypeOf(entityArn!)!, scopeStartTime: formatTimestamp(start!), scopeEndTime: formatTimestamp(end!) };
}

export function parseGetInvestigation(value: unknown): InvestigationRef {
  const { reader, violations } = body(value, ['GraphArn', 'InvestigationId']);
  const graphArn = reader?.string('GraphArn', GRAPH_ARN);
  const investigationId = reader?.string('InvestigationId', INVESTIGATION_ID);
  violations.throwIfAny();
  return { graphArn, investigationId: investigationId! };
}

export function parseUpdateInvestigationState(value: unknown): UpdateInvestigationStateRequest {
  const { reader, violations } = body(value, ['GraphArn', 'InvestigationId', 'State']);
  const graphArn = reader?.string('GraphArn', GRAPH_ARN);
  const investigationId = reader?.string('InvestigationId', INVESTIGATION_ID);
  const state = reader?.enumeration('State', STATES, true);
  violations.throwIfAny();
  return { graphArn, investigationId: investigationId!, state: state! };
}

export function parseListIndicators(value: unknown): ListIndicatorsRequest {
  const { reader, violations } = body(value, ['GraphArn', 'InvestigationId', 'IndicatorType', 'MaxResults', 'NextToken']);
  const graphArn = reader?.string('GraphArn', GRAPH_ARN);
  const investigationId = reader?.string('InvestigationId', INVESTIGATION_ID);
  const indicatorType = reader?.enumeration('IndicatorType', INDICATOR_TYPES);
  const maxResults = reader?.integer('MaxResults', MAX_RESULTS);
  const nextToken = reader?.string('NextToken', NEXT_TOKEN);
  violations.throwIfAny();
  return { graphArn, investigationId: investigationId!, indicatorType, maxResults: maxResults ?? DEFAULT_MAX_RESULTS, nextToken };
}

function parseFilter(reader: ObjectReader): InvestigationFilter {
  const criteria = reader.object('FilterCriteria', ['Severity', 'Status', 'State', 'EntityArn', 'CreatedTime']);
  if (!criteria) return {};
  const filter: InvestigationFilter = {};
  const value = <T extends string>(name: string, values: readonly T[]): T | undefined => criteria.object(name, ['Value'])?.enumeration('Value', values, true);
  filter.severity = value('Severity', SEVERITIES);
  filter.status = value('Status', STATUSES);
  filter.state = value('State', STATES);
  // Detective's StringFilter limit (500). It also keeps `<EntityArn>#<SEVERITY>` index keys within DynamoDB's 2048 bytes.
  filter.entityArn = criteria.object('EntityArn', ['Value'])?.string('Value', { required: true, minLength: 1, maxLength: MAX_STRING_FILTER_LENGTH, pattern: /^arn:.*/ });
  const created = criteria.object('CreatedTime', ['StartInclusive', 'EndInclusive']);
  if (created) {
    const start = created.timestamp('StartInclusive', true);
    const end = created.timestamp('EndInclusive', true);
    if (start !== undefined && end !== undefined) {
      if (end < start) created.fail('FilterCriteria.CreatedTime.EndInclusive must not be earlier than StartInclusive');
      else filter.createdTime = { startInclusive: formatTimestamp(start), endInclusive: formatTimestamp(end) };
    }
  }
  return filter;
}

export function parseListInvestigations(value: unknown): ListInvestigationsRequest {
  const { reader, violations } = body(value, ['GraphArn', 'NextToken', 'MaxResults', 'FilterCriteria', 'SortCriteria']);
  const graphArn = reader?.string('GraphArn', GRAPH_ARN);
  const nextToken = reader?.string('NextToken', NEXT_TOKEN);
  const maxResults = reader?.integer('MaxResults', MAX_RESULTS);
  const filter = reader ? parseFilter(reader) : {};
  const sortCriteria = reader?.object('SortCriteria', ['Field', 'SortOrder']);
  // Newest first unless told otherwise, which is also the natural order of the byCreatedTime index read backwards.
  const sort: InvestigationSort = { field: sortCriteria?.enumeration('Field', SORT_FIELDS) ?? 'CREATED_TIME', order: sortCriteria?.enumeration('SortOrder', SORT_ORDERS) ?? 'DESC' };
  violations.throwIfAny();
  return { graphArn, filter, sort, maxResults: maxResults ?? DEFAULT_MAX_RESULTS, nextToken };
}

export function isInvestigationId(value: unknown): value is string {
  return typeof value === 'string' && INVESTIGATION_ID_PATTERN.test(value);
}

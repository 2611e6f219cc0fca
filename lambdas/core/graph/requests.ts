import { GRAPH_ARN_PATTERN } from '../investigation/arns';
import { INDICATOR_TYPES, type IndicatorType } from '../investigation/model';
import { MAX_TOKEN_LENGTH } from '../investigation/pagination';
import { DAY_MS } from '../investigation/time';
import { ObjectReader, Violations, type StringRule } from '../investigation/validation';
import { ENTITY_ID_RULES, GRAPH_ENTITY_TYPES, isEntityIdOf } from './entities';
import { GRANULARITIES, GROUP_BY, type VolumeFilter, type VolumeRequest } from './volume';

/**
 * Parsing of the graph routes' bodies, with the same reader and messages as the investigation routes
 * (every violation listed, values echoed clipped): any bad input is a ValidationException, never a 5xx.
 */
export interface GraphRequestContext {
  nowMillis: number;
  maxScopeDays: number;
}

/** MINUTE granularity answers up to 1,440 points per group: a day is what a chart of minutes can show. */
export const MAX_MINUTE_SCOPE_MS = DAY_MS;

const GRAPH_ARN: StringRule = { pattern: GRAPH_ARN_PATTERN, patternCode: 'INVALID_GRAPH_ARN' };
const NEXT_TOKEN: StringRule = { minLength: 1, maxLength: MAX_TOKEN_LENGTH };

function reader(value: unknown, allowed: readonly string[]): { reader: ObjectReader | undefined; violations: Violations } {
  const violations = new Violations();
  return { reader: ObjectReader.of(value, '', allowed, violations), violations };
}

// Caller: an IAM ARN with the longest path is about 620 characters.
const FILTER_MEMBERS = { Api: 256, SourceIp: 128, Caller: 1024, Session: 128, ErrorCode: 128 } as const;

function parseFilter(body: ObjectReader): VolumeFilter | undefined {
  const filter = body.object('Filter', Object.keys(FILTER_MEMBERS));
  if (!filter) return undefined;
  const value = (name: keyof typeof FILTER_MEMBERS, minLength = 1) => filter.string(name, { minLength, maxLength: FILTER_MEMBERS[name] });
  const parsed: VolumeFilter = {};
  const api = value('Api');
  const sourceIp = value('SourceIp');
  const caller = value('Caller');
  const session = value('Session');
  // "" is a filter too: the successful calls (no error code).
  const errorCode = value('ErrorCode', 0);
  if (api !== undefined) parsed.api = api;
  if (sourceIp !== undefined) parsed.sourceIp = sourceIp;
  if (caller !== undefined) parsed.caller = caller;
  if (session !== undefined) parsed.session = session;
  if (errorCode !== undefined) parsed.errorCode = errorCode;
  return parsed;
}

export function parseGetApiCallVolume(value: unknown, context: GraphRequestContext): VolumeRequest {
  const { reader: body, violations } = reader(value, ['GraphArn', 'EntityType', 'EntityId', 'ScopeStartTime', 'ScopeEndTime', 'Granularity', 'GroupBy', 'Filter']);
  const graphArn = body?.string('GraphArn', GRAPH_ARN);
  const type = body?.enumeration('EntityType', GRAPH_ENTITY_TYPES, true);
  const id = body?.string('EntityId', { required: true, minLength: 1, maxLength: 2048 });
  const from = body?.timestamp('ScopeStartTime', true);
  const to = body?.timestamp('ScopeEndTime', true);
  const granularity = body?.enumeration('Granularity', GRANULARITIES, true);
  const groupBy = body?.enumeration('GroupBy', GROUP_BY);
  const filter = body ? parseFilter(body) : undefined;
  if (body && type && id !== undefined && !isEntityIdOf(type, id)) body.fail(`EntityId must be ${ENTITY_ID_RULES[type]} for EntityType ${type}`);
  if (body && from !== undefined && to !== undefined) {
    if (to <= from) body.fail('ScopeEndTime must be later than ScopeStartTime');
    else if (granularity === 'MINUTE' && to - from > MAX_MINUTE_SCOPE_MS) body.fail('With Granularity MINUTE the scope (ScopeStartTime to ScopeEndTime) must not exceed 24 hours');
    else if (to - from > context.maxScopeDays * DAY_MS) body.fail(`The scope (ScopeStartTime to ScopeEndTime) must not exceed ${context.maxScopeDays} days`);
    if (from > context.nowMillis) body.fail('ScopeStartTime must not be in the future');
  }
  // An account's hours keep minute counts but no events of their own (its principals have them).
  if (body && type === 'AWS_ACCOUNT') {
    if (groupBy !== undefined || filter !== undefined) body.fail('GroupBy and Filter are not available for EntityType AWS_ACCOUNT: ask for a principal of the account');
    if ((from !== undefined && from % 60_000 !== 0) || (to !== undefined && to % 60_000 !== 0)) body.fail('For EntityType AWS_ACCOUNT, ScopeStartTime and ScopeEndTime must be whole minutes (its volume is kept per minute)');
  }
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    entity: { type: type!, id: id! },
    fromMs: from!,
    toMs: to!,
    granularity: granularity!,
    ...(groupBy ? { groupBy } : {}),
    ...(filter ? { filter } : {}),
  };
}

/** Evidence page sizes: each event carries its full record (up to MAX_EVIDENCE_RECORD_BYTES), so pages are small. */
export const EVIDENCE_MAX_RESULTS = { min: 1, max: 50 } as const;
export const EVIDENCE_DEFAULT_MAX_RESULTS = 20;

/** The indicator detail members a Match may name (`Api` is short for `APIName`). */
/** A Match names at most this many members, each of at most MAX_MATCH_VALUE_LENGTH characters: with the longest
 * NextToken the request stays a small fraction of MAX_REQUEST_BODY_BYTES (test/api/body-limit.test.ts). */
export const MAX_MATCH_MEMBERS = 3;
export const MAX_MATCH_VALUE_LENGTH = 512;
export const MATCH_MEMBERS = ['Api', 'APIName', 'IpAddress', 'Tactic', 'Technique', 'Procedure', 'UserAgent', 'Location', 'Aso', 'StartingIpAddress', 'EndingIpAddress', 'Arn', 'Type', 'Id'] as const;

export interface ListIndicatorEvidenceRequest {
  graphArn?: string;
  investigationId: string;
  indicatorType: IndicatorType;
  indicatorIndex?: number;
  match?: Record<string, string>;
  maxResults: number;
  nextToken?: string;
}

export function parseListIndicatorEvidence(value: unknown): ListIndicatorEvidenceRequest {
  const { reader: body, violations } = reader(value, ['GraphArn', 'InvestigationId', 'IndicatorType', 'IndicatorIndex', 'Match', 'MaxResults', 'NextToken']);
  const graphArn = body?.string('GraphArn', GRAPH_ARN);
  const investigationId = body?.string('InvestigationId', { required: true, minLength: 21, maxLength: 21, pattern: /^[0-9]+$/ });
  const indicatorType = body?.enumeration('IndicatorType', INDICATOR_TYPES, true);
  const indicatorIndex = body?.integer('IndicatorIndex', { min: 0, max: 999_999 });
  const matchReader = body?.object('Match', MATCH_MEMBERS);
  let match: Record<string, string> | undefined;
  if (matchReader) {
    match = {};
    for (const name of MATCH_MEMBERS) {
      const text = matchReader.string(name, { maxLength: MAX_MATCH_VALUE_LENGTH });
      if (text !== undefined) match[name === 'Api' ? 'APIName' : name] = text;
    }
    const count = Object.keys(match).length;
    if (count === 0) matchReader.fail(`Match must name at least one of ${MATCH_MEMBERS.join(', ')}`);
    if (count > MAX_MATCH_MEMBERS) matchReader.fail(`Match must name at most ${MAX_MATCH_MEMBERS} members`);
  }
  if (body && indicatorIndex !== undefined && matchReader) body.fail('Give IndicatorIndex or Match, not both');
  const maxResults = body?.integer('MaxResults', EVIDENCE_MAX_RESULTS);
  const nextToken = body?.string('NextToken', NEXT_TOKEN);
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    investigationId: investigationId!,
    indicatorType: indicatorType!,
    ...(match ? { match } : { indicatorIndex: indicatorIndex ?? 0 }),
    maxResults: maxResults ?? EVIDENCE_DEFAULT_MAX_RESULTS,
    ...(nextToken ? { nextToken } : {}),
  };
}

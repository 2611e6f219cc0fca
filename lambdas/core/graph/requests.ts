import { isIpAddress } from '../analysis/ip-address';
import { ENTITY_ARN_PATTERN, ENTITY_ARN_RULES, GRAPH_ARN_PATTERN } from '../investigation/arns';
import { INDICATOR_TYPES, type IndicatorType } from '../investigation/model';
import { MAX_TOKEN_LENGTH } from '../investigation/pagination';
import { DAY_MS, formatTimestamp } from '../investigation/time';
import { ObjectReader, Violations, type StringRule } from '../investigation/validation';
import { ENTITY_TYPES, VOLUME_ENTITY_ID_RULES, VOLUME_ENTITY_TYPES, isVolumeEntityIdOf, type EntityType } from './entity-types';
import { FLOW_ACTIONS, FLOW_DIRECTIONS, FLOW_GRANULARITIES, FLOW_GROUP_BY, FLOW_VOLUME_ENTITY_TYPES, type FlowVolumeEntityType, type FlowVolumeFilter, type FlowVolumeRequest } from './flow-volume';
import { MAX_QUERY_LENGTH } from './glob';
import { GRANULARITIES, GROUP_BY, type VolumeFilter, type VolumeRequest } from './volume';
import { FINDING_OUTCOMES, SEVERITY_BAND_NAMES, type FindingFilter } from '../guardduty/finding-list';

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

function readerOf(value: unknown, allowed: readonly string[]): { reader: ObjectReader | undefined; violations: Violations } {
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
  const { body, type, from, to, granularity, groupBy, filter, request } = readVolumeBody(value, {
    types: VOLUME_ENTITY_TYPES,
    idMaxLength: 2048,
    idRule: (type, id) => (isVolumeEntityIdOf(type, id) ? undefined : VOLUME_ENTITY_ID_RULES[type]),
    granularities: GRANULARITIES,
    groupBy: GROUP_BY,
    filter: parseFilter,
    extraFields: ['NextToken'],
  });
  // The next page of groups (more than MAX_GROUPS): only a grouped answer has pages.
  const nextToken = body?.string('NextToken', NEXT_TOKEN);
  if (body && nextToken !== undefined && !groupBy) body.fail('NextToken pages the groups: it needs GroupBy');
  if (body) checkScope(body, from, to, context, granularity === 'MINUTE');
  // An account's hours keep minute counts but no events of their own (its principals have them).
  if (body && type === 'AWS_ACCOUNT') {
    if (groupBy !== undefined || filter !== undefined) body.fail('GroupBy and Filter are not available for EntityType AWS_ACCOUNT: ask for a principal of the account');
    if ((from !== undefined && from % 60_000 !== 0) || (to !== undefined && to % 60_000 !== 0)) body.fail('For EntityType AWS_ACCOUNT, ScopeStartTime and ScopeEndTime must be whole minutes (its volume is kept per minute)');
  }
  return { ...request(), ...(nextToken !== undefined ? { nextToken } : {}) };
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

/**
 * What listIndicatorEvidence pages: the indicator's CloudTrail events (the default, Detective's shape) or, for a
 * FLAGGED_IP_ADDRESS, only its VPC flow rows (FlowEvidence), so that `Accept: text/csv` can export either half.
 */
export const EVIDENCE_KINDS = ['EVENTS', 'FLOWS'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface ListIndicatorEvidenceRequest {
  graphArn?: string;
  investigationId: string;
  indicatorType: IndicatorType;
  indicatorIndex?: number;
  match?: Record<string, string>;
  evidenceKind: EvidenceKind;
  maxResults: number;
  nextToken?: string;
}

export function parseListIndicatorEvidence(value: unknown): ListIndicatorEvidenceRequest {
  const { reader: body, violations } = readerOf(value, ['GraphArn', 'InvestigationId', 'IndicatorType', 'IndicatorIndex', 'Match', 'EvidenceKind', 'MaxResults', 'NextToken']);
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
  const evidenceKind = body?.enumeration('EvidenceKind', EVIDENCE_KINDS);
  // Only a flagged address has flow rows (the flows between it and the entity's instances).
  if (body && evidenceKind === 'FLOWS' && indicatorType !== undefined && indicatorType !== 'FLAGGED_IP_ADDRESS') body.fail(`EvidenceKind FLOWS is for FLAGGED_IP_ADDRESS indicators only: a ${indicatorType} indicator has no flow evidence`);
  const maxResults = body?.integer('MaxResults', EVIDENCE_MAX_RESULTS);
  const nextToken = body?.string('NextToken', NEXT_TOKEN);
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    investigationId: investigationId!,
    indicatorType: indicatorType!,
    ...(match ? { match } : { indicatorIndex: indicatorIndex ?? 0 }),
    evidenceKind: evidenceKind ?? 'EVENTS',
    maxResults: maxResults ?? EVIDENCE_DEFAULT_MAX_RESULTS,
    ...(nextToken ? { nextToken } : {}),
  };
}

// ---- searchEntities and listRelatedEntities ----

/**
 * Bodies of searchEntities and listRelatedEntities, read with the investigation routes' reader (every
 * violation listed, values echoed clipped): any bad input is a ValidationException, never a 5xx.
 */
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

/** The scope's order and length (at most 24 hours when counted by the minute, as Detective), and not in the future. */
function checkScope(body: ObjectReader, from: number | undefined, to: number | undefined, context: GraphRequestContext, byMinute = false): void {
  if (from === undefined || to === undefined) return;
  if (to <= from) body.fail('ScopeEndTime must be later than ScopeStartTime');
  else if (byMinute && to - from > MAX_MINUTE_SCOPE_MS) body.fail('With Granularity MINUTE the scope (ScopeStartTime to ScopeEndTime) must not exceed 24 hours');
  else if (to - from > context.maxScopeDays * DAY_MS) body.fail(`The scope (ScopeStartTime to ScopeEndTime) must not exceed ${context.maxScopeDays} days`);
  if (from > context.nowMillis) body.fail('ScopeStartTime must not be in the future');
}

const VOLUME_FIELDS = ['GraphArn', 'EntityType', 'EntityId', 'ScopeStartTime', 'ScopeEndTime', 'Granularity', 'GroupBy', 'Filter'] as const;

/** The fields that API-call and flow volume requests share, read and checked alike; each checks its scope and its own rules after. */
function readVolumeBody<T extends string, G extends string, B extends string, F>(
  value: unknown,
  spec: {
    types: readonly T[];
    idMaxLength: number;
    /** What the id must be for this type, or undefined when it is one. */
    idRule: (type: T, id: string) => string | undefined;
    granularities: readonly G[];
    groupBy: readonly B[];
    filter: (body: ObjectReader) => F | undefined;
    /** Fields a route adds to the common ones (the volume routes' NextToken). */
    extraFields?: readonly string[];
  },
) {
  const { reader: body, violations } = readerOf(value, [...VOLUME_FIELDS, ...(spec.extraFields ?? [])]);
  const graphArn = body?.string('GraphArn', GRAPH_ARN);
  const type = body?.enumeration('EntityType', spec.types, true);
  const id = body?.string('EntityId', { required: true, minLength: 1, maxLength: spec.idMaxLength });
  const from = body?.timestamp('ScopeStartTime', true);
  const to = body?.timestamp('ScopeEndTime', true);
  const granularity = body?.enumeration('Granularity', spec.granularities, true);
  const groupBy = body?.enumeration('GroupBy', spec.groupBy);
  const filter = body ? spec.filter(body) : undefined;
  const idSays = type && id !== undefined ? spec.idRule(type, id) : undefined;
  if (body && idSays) body.fail(`EntityId must be ${idSays} for EntityType ${type}`);
  /** After the caller's own checks: the request, or the 400 of every violation found. An empty Filter is no filter. */
  const request = () => {
    violations.throwIfAny();
    return {
      ...(graphArn ? { graphArn } : {}),
      entity: { type: type!, id: id! },
      fromMs: from!,
      toMs: to!,
      granularity: granularity!,
      ...(groupBy ? { groupBy } : {}),
      ...(filter && Object.keys(filter).length > 0 ? { filter } : {}),
    };
  };
  return { body, type, from, to, granularity, groupBy, filter, request };
}

function common(body: ObjectReader | undefined) {
  return {
    graphArn: body?.string('GraphArn', { pattern: GRAPH_ARN_PATTERN, patternCode: 'INVALID_GRAPH_ARN' }),
    maxResults: body?.integer('MaxResults', ENTITY_MAX_RESULTS),
    nextToken: body?.string('NextToken', { minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
  };
}

export function parseSearchEntities(value: unknown, context: GraphRequestContext): SearchEntitiesRequest {
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

export function parseListRelatedEntities(value: unknown, context: GraphRequestContext): ListRelatedEntitiesRequest {
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

// ---- getEntityProfile and getSummary ----

/**
 * Parsing and validation of the graph routes' request bodies (getEntityProfile, getSummary). Errors are
 * Detective's ValidationException, as for the investigation routes; a scope is checked against the retention
 * (older data has expired: an answer would be silently empty) and against a longest length.
 */

/** The longest getSummary window, as Detective's summary page (its last 24 hours, or any 24 hours). */
export const SUMMARY_MAX_HOURS = 24;

/** Longest EntityId: a user agent is kept to 512 bytes, ARNs are shorter; the largest body stays far under the API's limit. */
export const MAX_PROFILE_ENTITY_ID_LENGTH = 1024;

export interface ProfileRequestContext {
  nowMillis: number;
  retentionDays: number;
  /** Longest profile scope, in days (the investigations' limit). */
  maxScopeDays: number;
}

export interface GraphScope {
  from: string;
  to: string;
}

export interface EntityProfileRequest extends GraphScope {
  entityType: EntityType;
  entityId: string;
}

export interface SummaryRequest extends GraphScope {
  hideServiceLinkedRoles: boolean;
}

/** What an EntityId of each type looks like (checked before any read, so a bad id is a 400, not an empty profile). */
const PROFILE_ENTITY_ID_RULES: Record<EntityType, { test: (id: string) => boolean; says: string }> = {
  IAM_ROLE: { test: (id) => ENTITY_ARN_PATTERN.exec(id)?.[1] === 'role', says: `an IAM role ARN (${ENTITY_ARN_RULES})` },
  IAM_USER: { test: (id) => ENTITY_ARN_PATTERN.exec(id)?.[1] === 'user', says: `an IAM user ARN (${ENTITY_ARN_RULES})` },
  ROLE_SESSION: { test: (id) => /^ASIA[A-Z0-9]{12,124}$/.test(id), says: 'a temporary access key id (ASIA…)' },
  FEDERATED_USER: { test: (id) => /^(saml-user|sso-user|web-identity-user)#[\x21-\x7e]{1,1000}$/.test(id), says: 'a federated user key (saml-user#…, sso-user#… or web-identity-user#…)' },
  EC2_INSTANCE: { test: (id) => /^i-[0-9a-f]{8,17}$/.test(id), says: 'an EC2 instance id (i-…)' },
  IP_ADDRESS: { test: (id) => isIpAddress(id), says: 'an IPv4 or IPv6 address' },
  USER_AGENT: { test: (id) => id.length >= 1 && id.length <= 512, says: 'a user agent of 1 to 512 characters' },
  S3_BUCKET: { test: (id) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(id), says: 'an S3 bucket name' },
  AWS_ACCOUNT: { test: (id) => /^[0-9]{12}$/.test(id), says: 'a 12-digit AWS account id' },
};

function readScope(reader: ObjectReader | undefined, context: ProfileRequestContext, maxMillis: number, maxText: string): GraphScope | undefined {
  const start = reader?.timestamp('ScopeStartTime', true);
  const end = reader?.timestamp('ScopeEndTime', true);
  if (!reader || start === undefined || end === undefined) return undefined;
  const before = reader.violations.count;
  if (end <= start) reader.fail('ScopeEndTime must be later than ScopeStartTime');
  else if (end - start > maxMillis) reader.fail(`The scope (ScopeStartTime to ScopeEndTime) must not exceed ${maxText}`);
  if (start > context.nowMillis) reader.fail('ScopeStartTime must not be in the future');
  if (start < context.nowMillis - context.retentionDays * DAY_MS) reader.fail(`ScopeStartTime must be within the retention period (${context.retentionDays} days)`);
  return reader.violations.count === before ? { from: formatTimestamp(start), to: formatTimestamp(end) } : undefined;
}

export function parseGetEntityProfile(value: unknown, context: ProfileRequestContext): EntityProfileRequest {
  const violations = new Violations();
  const reader = ObjectReader.of(value, '', ['GraphArn', 'EntityType', 'EntityId', 'ScopeStartTime', 'ScopeEndTime'], violations);
  reader?.string('GraphArn', { maxLength: 2048 });
  const entityType = reader?.enumeration('EntityType', ENTITY_TYPES, true);
  const entityId = reader?.string('EntityId', { required: true, minLength: 1, maxLength: MAX_PROFILE_ENTITY_ID_LENGTH });
  if (reader && entityType && entityId !== undefined && !PROFILE_ENTITY_ID_RULES[entityType].test(entityId)) {
    reader.fail(`EntityId of an ${entityType} must be ${PROFILE_ENTITY_ID_RULES[entityType].says}`);
  }
  const scope = readScope(reader, context, context.maxScopeDays * DAY_MS, `${context.maxScopeDays} days`);
  violations.throwIfAny();
  return { entityType: entityType!, entityId: entityId!, ...scope! };
}

export function parseGetSummary(value: unknown, context: ProfileRequestContext): SummaryRequest {
  const violations = new Violations();
  const reader = ObjectReader.of(value, '', ['GraphArn', 'ScopeStartTime', 'ScopeEndTime', 'HideServiceLinkedRoles'], violations);
  reader?.string('GraphArn', { maxLength: 2048 });
  // A JSON boolean (ObjectReader reads strings, numbers and enumerations only); null counts as absent.
  const hide = reader ? (value as Record<string, unknown>).HideServiceLinkedRoles : undefined;
  if (reader && hide !== undefined && hide !== null && typeof hide !== 'boolean') reader.fail("Value at 'HideServiceLinkedRoles' failed to satisfy constraint: Member must be a boolean");
  const scope = readScope(reader, context, SUMMARY_MAX_HOURS * 3_600_000, `${SUMMARY_MAX_HOURS} hours`);
  violations.throwIfAny();
  return { ...scope!, hideServiceLinkedRoles: hide === true };
}

// ---- listFindings ----

/** The findings list reads one `byDay` partition per day of the scope: a quarter of a year at most. */
export const FINDINGS_MAX_SCOPE_DAYS = 92;
export const FINDINGS_MAX_RESULTS = { min: 1, max: 100 } as const;
export const FINDINGS_DEFAULT_MAX_RESULTS = 50;
/** GuardDuty finding types are short (`UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS` is 69). */
export const MAX_FINDING_TYPE_PREFIX = 256;

export interface ListFindingsRequest {
  graphArn?: string;
  fromMs: number;
  toMs: number;
  filter?: FindingFilter;
  maxResults: number;
  nextToken?: string;
}

/** Body of listFindings: a scope over the findings' update times, Detective-style `{Value}` filters, paging. */
export function parseListFindings(value: unknown, context: Pick<GraphRequestContext, 'nowMillis'>): ListFindingsRequest {
  const violations = new Violations();
  const body = ObjectReader.of(value, '', ['GraphArn', 'ScopeStartTime', 'ScopeEndTime', 'FilterCriteria', 'MaxResults', 'NextToken'], violations);
  const { graphArn, nextToken } = common(body);
  const maxResults = body?.integer('MaxResults', FINDINGS_MAX_RESULTS);
  const from = body?.timestamp('ScopeStartTime', true);
  const to = body?.timestamp('ScopeEndTime', true);
  if (body) checkScope(body, from, to, { nowMillis: context.nowMillis, maxScopeDays: FINDINGS_MAX_SCOPE_DAYS });
  const criteria = body?.object('FilterCriteria', ['Severity', 'Type', 'Outcome']);
  let filter: FindingFilter | undefined;
  if (criteria) {
    filter = {};
    const severity = criteria.object('Severity', ['Value'])?.enumeration('Value', SEVERITY_BAND_NAMES, true);
    const typePrefix = criteria.object('Type', ['Value'])?.string('Value', { required: true, minLength: 1, maxLength: MAX_FINDING_TYPE_PREFIX });
    const outcome = criteria.object('Outcome', ['Value'])?.enumeration('Value', FINDING_OUTCOMES, true);
    if (severity) filter.severity = severity;
    if (typePrefix !== undefined) filter.typePrefix = typePrefix;
    if (outcome) filter.outcome = outcome;
  }
  violations.throwIfAny();
  return {
    ...(graphArn ? { graphArn } : {}),
    fromMs: from!,
    toMs: to!,
    ...(filter && Object.keys(filter).length > 0 ? { filter } : {}),
    maxResults: maxResults ?? FINDINGS_DEFAULT_MAX_RESULTS,
    ...(nextToken ? { nextToken } : {}),
  };
}

// ---- getFlowVolume ----

/** A peer filter is an address, a CIDR block or a glob: an IPv6 CIDR is at most 43 characters. */
export const MAX_PEER_FILTER_LENGTH = 128;

const FLOW_ENTITY_IDS: Record<FlowVolumeEntityType, { test: (id: string) => boolean; says: string }> = {
  EC2_INSTANCE: { test: (id) => /^i-[0-9a-f]{8,17}$/.test(id), says: 'an EC2 instance id (i-…)' },
  IP_ADDRESS: { test: (id) => isIpAddress(id), says: 'an IPv4 or IPv6 address (the peer of the instances)' },
};

function parseFlowFilter(body: ObjectReader): FlowVolumeFilter | undefined {
  const filter = body.object('Filter', ['PeerIp', 'Port', 'Protocol', 'Direction', 'Action']);
  if (!filter) return undefined;
  const peerIp = filter.string('PeerIp', { minLength: 1, maxLength: MAX_PEER_FILTER_LENGTH });
  const port = filter.integer('Port', { min: 0, max: 65_535 });
  const protocol = filter.integer('Protocol', { min: 0, max: 255 });
  const direction = filter.enumeration('Direction', FLOW_DIRECTIONS);
  const action = filter.enumeration('Action', FLOW_ACTIONS);
  return {
    ...(peerIp !== undefined ? { peerIp } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(direction ? { direction } : {}),
    ...(action ? { action } : {}),
  };
}

export function parseGetFlowVolume(value: unknown, context: GraphRequestContext): FlowVolumeRequest {
  const { body, type, from, to, groupBy, filter, request } = readVolumeBody(value, {
    types: FLOW_VOLUME_ENTITY_TYPES,
    idMaxLength: 256,
    idRule: (type, id) => (FLOW_ENTITY_IDS[type].test(id) ? undefined : FLOW_ENTITY_IDS[type].says),
    granularities: FLOW_GRANULARITIES,
    groupBy: FLOW_GROUP_BY,
    filter: parseFlowFilter,
    extraFields: ['NextToken'],
  });
  // The next page of groups (more than MAX_GROUPS): only a grouped answer has pages.
  const nextToken = body?.string('NextToken', { minLength: 1, maxLength: MAX_TOKEN_LENGTH });
  if (body && nextToken !== undefined && !groupBy) body.fail('NextToken pages the groups: it needs GroupBy');
  // An IP_ADDRESS entity is the peer already: its flows are those with the entity's address.
  if (body && type === 'IP_ADDRESS' && filter?.peerIp !== undefined) body.fail('Filter.PeerIp is not available for EntityType IP_ADDRESS (the entity is the peer)');
  if (body && type === 'IP_ADDRESS' && groupBy === 'PEER_IP') body.fail('GroupBy PEER_IP is not available for EntityType IP_ADDRESS (the entity is the peer)');
  if (body) checkScope(body, from, to, context);
  return { ...request(), ...(nextToken !== undefined ? { nextToken } : {}) };
}

import { isIpAddress } from '../analysis/ip-address';
import { ENTITY_ARN_PATTERN, ENTITY_ARN_RULES } from '../investigation/arns';
import { DAY_MS, formatTimestamp } from '../investigation/time';
import { ObjectReader, Violations } from '../investigation/validation';

/**
 * Parsing and validation of the graph routes' request bodies (getEntityProfile, getSummary). Errors are
 * Detective's ValidationException, as for the investigation routes; a scope is checked against the retention
 * (older data has expired: an answer would be silently empty) and against a longest length.
 */
export const GRAPH_ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'FEDERATED_USER', 'EC2_INSTANCE', 'IP_ADDRESS', 'USER_AGENT', 'S3_BUCKET', 'AWS_ACCOUNT'] as const;
export type GraphEntityType = (typeof GRAPH_ENTITY_TYPES)[number];

/** The longest getSummary window, as Detective's summary page (its last 24 hours, or any 24 hours). */
export const SUMMARY_MAX_HOURS = 24;

/** Longest EntityId: a user agent is kept to 512 bytes, ARNs are shorter; the largest body stays far under the API's limit. */
export const MAX_PROFILE_ENTITY_ID_LENGTH = 1024;

export interface GraphRequestContext {
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
  entityType: GraphEntityType;
  entityId: string;
}

export interface SummaryRequest extends GraphScope {
  hideServiceLinkedRoles: boolean;
}

/** What an EntityId of each type looks like (checked before any read, so a bad id is a 400, not an empty profile). */
const ENTITY_ID_RULES: Record<GraphEntityType, { test: (id: string) => boolean; says: string }> = {
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

function readScope(reader: ObjectReader | undefined, context: GraphRequestContext, maxMillis: number, maxText: string): GraphScope | undefined {
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

export function parseGetEntityProfile(value: unknown, context: GraphRequestContext): EntityProfileRequest {
  const violations = new Violations();
  const reader = ObjectReader.of(value, '', ['GraphArn', 'EntityType', 'EntityId', 'ScopeStartTime', 'ScopeEndTime'], violations);
  reader?.string('GraphArn', { maxLength: 2048 });
  const entityType = reader?.enumeration('EntityType', GRAPH_ENTITY_TYPES, true);
  const entityId = reader?.string('EntityId', { required: true, minLength: 1, maxLength: MAX_PROFILE_ENTITY_ID_LENGTH });
  if (reader && entityType && entityId !== undefined && !ENTITY_ID_RULES[entityType].test(entityId)) {
    reader.fail(`EntityId of an ${entityType} must be ${ENTITY_ID_RULES[entityType].says}`);
  }
  const scope = readScope(reader, context, context.maxScopeDays * DAY_MS, `${context.maxScopeDays} days`);
  violations.throwIfAny();
  return { entityType: entityType!, entityId: entityId!, ...scope! };
}

export function parseGetSummary(value: unknown, context: GraphRequestContext): SummaryRequest {
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

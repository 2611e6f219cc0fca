import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { DEFAULT_RETENTION_DAYS } from '../lambdas/shared/table-design';

/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json) and validated up front, so that a
 * typo fails `cdk synth` with the key's name instead of surfacing as a broken deployment. Values given with
 * `-c` always arrive as strings; values from cdk.json may be numbers or booleans, so both are accepted.
 */

/** The context keys the app reads. The README documents each one. */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  logBucketName: 'logBucketName',
  logPrefix: 'logPrefix',
  logBucketKmsKeyArn: 'logBucketKmsKeyArn',
  logSourceAccounts: 'logSourceAccounts',
  retentionDays: 'retentionDays',
  removalPolicy: 'removalPolicy',
  ingestReservedConcurrency: 'ingestReservedConcurrency',
  investigationMaxScopeDays: 'investigationMaxScopeDays',
  threatIntelS3Uris: 'threatIntelS3Uris',
  guardDutyTrigger: 'guardDutyTrigger',
  guardDutyMinSeverity: 'guardDutyMinSeverity',
  apiGatewayCloudWatchRole: 'apiGatewayCloudWatchRole',
  apiWebAcl: 'apiWebAcl',
  alarmEmail: 'alarmEmail',
  alarmTopic: 'alarmTopic',
  stateMachineLogLevel: 'stateMachineLogLevel',
  stateMachineLogExecutionData: 'stateMachineLogExecutionData',
  stateMachineTracing: 'stateMachineTracing',
  iamSnapshotSchedule: 'iamSnapshotSchedule',
} as const;

export const DEFAULT_STACK_NAME = 'Trailhound';
/** Where CloudTrail (and VPC Flow Logs) put their objects, unless the trail has its own key prefix. */
export const DEFAULT_LOG_PREFIX = 'AWSLogs/';
/** Retention is kept below a century: anything larger is a typo, not a retention policy. */
const MAX_RETENTION_DAYS = 36_500;
/** GuardDuty's MEDIUM band starts at 4.0: LOW findings (1.0–3.9) are too noisy to open investigations for. */
export const DEFAULT_GUARDDUTY_MIN_SEVERITY = 4;
/** GuardDuty severities are numbers in [0, 10] (1.0–8.9 in practice, 9.0–10.0 reserved for CRITICAL). */
const MAX_GUARDDUTY_SEVERITY = 10;

/**
 * EventBridge schedule expressions: `rate(1 day)` (singular unit for 1, plural otherwise, which the regex
 * does not enforce: EventBridge refuses the mismatch at deployment) or `cron(` six space-separated fields `)`.
 */
const SCHEDULE_EXPRESSION = /^(rate\([1-9]\d{0,5} (minute|minutes|hour|hours|day|days)\)|cron\([0-9A-Za-z*?,/#-]+( [0-9A-Za-z*?,/#-]+){5}\))$/;

/** One S3 object, as named by an `s3://bucket/key` URI. */
export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export function s3Uri(location: S3ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

export interface TrailhoundConfig {
  /** An existing bucket to ingest from; when undefined the stack creates the log bucket. */
  readonly logBucketName?: string;
  /** Key prefix of the objects to ingest ('' = the whole bucket). */
  readonly logPrefix: string;
  /** The customer managed KMS key of an existing bucket encrypted with SSE-KMS. */
  readonly logBucketKmsKeyArn?: string;
  /** Extra accounts whose CloudTrail trails and flow logs may write into the bucket the stack creates. */
  readonly logSourceAccounts: readonly string[];
  readonly retentionDays: number;
  /** RETAIN keeps tables (and a created bucket) when the stack is deleted; DESTROY is for test deployments. */
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  readonly ingestReservedConcurrency?: number;
  /** Longest investigation scope the API accepts; the API's own default (30 days) when undefined. */
  readonly investigationMaxScopeDays?: number;
  /** Plain-text IP/CIDR lists (GuardDuty's threat list format) the FlaggedIps stage matches source IPs against. */
  readonly threatIntelLists: readonly S3ObjectLocation[];
  /** Whether GuardDuty findings start investigations automatically. */
  readonly guardDutyTrigger: boolean;
  /** Lowest GuardDuty severity (0–10) that starts an investigation. */
  readonly guardDutyMinSeverity: number;
  /** Whether the stack sets the account's API Gateway CloudWatch Logs role, which access logging requires. */
  readonly apiGatewayCloudWatchRole: boolean;
  /** Whether a web ACL answers 413 to oversized API request bodies; InvestigationApi's default (on) when undefined. */
  readonly apiWebAcl?: boolean;
  /** Whether the alarms notify an SNS topic the stack creates (true whenever emails are given). */
  readonly alarmTopic: boolean;
  /** Email addresses subscribed to the alarm topic (each confirms the subscription from the email AWS sends). */
  readonly alarmEmails: readonly string[];
  /** Which execution events the state machine logs to its log group. */
  readonly stateMachineLogLevel: StateMachineLogLevel;
  /** Whether those log events include execution input and output (investigation data). */
  readonly stateMachineLogExecutionData: boolean;
  /** Whether the state machine sends traces to X-Ray. */
  readonly stateMachineTracing: boolean;
  /**
   * When the scheduled IAM snapshot runs: an EventBridge `rate(…)` or `cron(…)` expression.
   * @default undefined: no scheduled snapshot (no function, no IAM read permission)
   */
  readonly iamSnapshotSchedule?: string;
}

/** What the state machine writes to its log group (Step Functions' levels; OFF is not offered, see README). */
export const STATE_MACHINE_LOG_LEVELS = ['ERROR', 'ALL'] as const;
export type StateMachineLogLevel = (typeof STATE_MACHINE_LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(key: string, expected: string, value: unknown) {
    super(`context "${key}" must be ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'ConfigError';
  }
}

/** Looks a context key up; `Node.tryGetContext` in the app, a plain object in tests. */
export type ContextLookup = (key: string) => unknown;

export function contextOf(node: Node): ContextLookup {
  return (key) => node.tryGetContext(key);
}

// Bucket naming rules for general purpose buckets (the dotted-IP form is not worth rejecting here).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// IAM policies match KMS keys by key ARN only: an alias ARN in a policy grants nothing.
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export function readStackName(context: ContextLookup): string {
  const value = context(CONTEXT_KEYS.stackName);
  if (value === undefined) return DEFAULT_STACK_NAME;
  if (typeof value !== 'string' || !STACK_NAME.test(value)) {
    throw new ConfigError(CONTEXT_KEYS.stackName, 'a CloudFormation stack name (a letter, then letters, digits and hyphens)', value);
  }
  return value;
}

export function readConfig(context: ContextLookup): TrailhoundConfig {
  const logBucketName = optionalString(context, CONTEXT_KEYS.logBucketName, BUCKET_NAME, 'an S3 bucket name');
  const logBucketKmsKeyArn = optionalString(context, CONTEXT_KEYS.logBucketKmsKeyArn, KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; aliases are not accepted)');
  const logSourceAccounts = accountList(context, CONTEXT_KEYS.logSourceAccounts);
  // Both settings only mean something for one of the two bucket modes; silently ignoring them would hide a mistake.
  if (logBucketKmsKeyArn !== undefined && logBucketName === undefined) {
    throw new ConfigError(CONTEXT_KEYS.logBucketKmsKeyArn, `set together with "${CONTEXT_KEYS.logBucketName}" (a bucket the stack creates uses S3-managed keys)`, logBucketKmsKeyArn);
  }
  if (logSourceAccounts.length > 0 && logBucketName !== undefined) {
    throw new ConfigError(CONTEXT_KEYS.logSourceAccounts, `left unset with "${CONTEXT_KEYS.logBucketName}" (the policy of an existing bucket is yours to manage)`, logSourceAccounts.join(','));
  }
  const ingestReservedConcurrency = optionalInteger(context, CONTEXT_KEYS.ingestReservedConcurrency, 1, 10_000);
  const retentionDays = optionalInteger(context, CONTEXT_KEYS.retentionDays, 1, MAX_RETENTION_DAYS) ?? DEFAULT_RETENTION_DAYS;
  // A scope reaching further back than the retention can only find expired (deleted) data.
  const investigationMaxScopeDays = optionalInteger(context, CONTEXT_KEYS.investigationMaxScopeDays, 1, retentionDays);
  const apiWebAcl = optionalBoolean(context, CONTEXT_KEYS.apiWebAcl);
  const alarmEmails = emailList(context, CONTEXT_KEYS.alarmEmail);
  const alarmTopic = optionalBoolean(context, CONTEXT_KEYS.alarmTopic) ?? alarmEmails.length > 0;
  const iamSnapshotSchedule = optionalString(context, CONTEXT_KEYS.iamSnapshotSchedule, SCHEDULE_EXPRESSION, 'an EventBridge schedule expression: rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>)');
  // Emails without a topic would be silently dropped: refuse the contradiction.
  if (!alarmTopic && alarmEmails.length > 0) {
    throw new ConfigError(CONTEXT_KEYS.alarmTopic, `true (or unset) with "${CONTEXT_KEYS.alarmEmail}" (emails are subscribed to the topic)`, false);
  }
  return {
    ...(logBucketName !== undefined ? { logBucketName } : {}),
    logPrefix: logPrefix(context),
    ...(logBucketKmsKeyArn !== undefined ? { logBucketKmsKeyArn } : {}),
    logSourceAccounts,
    retentionDays,
    removalPolicy: removalPolicy(context),
    ...(ingestReservedConcurrency !== undefined ? { ingestReservedConcurrency } : {}),
    ...(investigationMaxScopeDays !== undefined ? { investigationMaxScopeDays } : {}),
    threatIntelLists: s3ObjectList(context, CONTEXT_KEYS.threatIntelS3Uris),
    // Validated even when the trigger is off, so that a typo is reported before someone turns it back on.
    guardDutyTrigger: optionalBoolean(context, CONTEXT_KEYS.guardDutyTrigger) ?? true,
    guardDutyMinSeverity: optionalNumber(context, CONTEXT_KEYS.guardDutyMinSeverity, 0, MAX_GUARDDUTY_SEVERITY) ?? DEFAULT_GUARDDUTY_MIN_SEVERITY,
    apiGatewayCloudWatchRole: optionalBoolean(context, CONTEXT_KEYS.apiGatewayCloudWatchRole) ?? true,
    ...(apiWebAcl !== undefined ? { apiWebAcl } : {}),
    alarmTopic,
    alarmEmails,
    stateMachineLogLevel: stateMachineLogLevel(context),
    stateMachineLogExecutionData: optionalBoolean(context, CONTEXT_KEYS.stateMachineLogExecutionData) ?? false,
    stateMachineTracing: optionalBoolean(context, CONTEXT_KEYS.stateMachineTracing) ?? false,
    ...(iamSnapshotSchedule !== undefined ? { iamSnapshotSchedule } : {}),
  };
}

function optionalString(context: ContextLookup, key: string, pattern: RegExp, expected: string): string | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  // An empty value usually means an unset shell variable (`-c logBucketName=$BUCKET`): refuse rather than guess.
  if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, expected, value);
  return value;
}

function optionalInteger(context: ContextLookup, key: string, min: number, max: number): number | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  // Number('') is 0 and Number(' 7') is 7: only plain digits (or a JSON number from cdk.json) are accepted.
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new ConfigError(key, `a whole number from ${min} to ${max}`, value);
  return parsed;
}

function optionalNumber(context: ContextLookup, key: string, min: number, max: number): number | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  // Decimals are allowed (GuardDuty severities such as 5.5), exponents, signs and blanks are not.
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new ConfigError(key, `a number from ${min} to ${max}`, value);
  return parsed;
}

function optionalBoolean(context: ContextLookup, key: string): boolean | undefined {
  const value = context(key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  // "0", "no", "off" and the like are refused rather than guessed at.
  throw new ConfigError(key, 'true or false', value);
}

// IAM reads `*` and `?` in a resource ARN as wildcards: refused, so that a grant names exactly the objects listed.
// A comma would split the key in the comma-separated THREAT_INTEL_S3_URIS the stage receives.
const S3_URI = /^s3:\/\/([^/]+)\/([^*?,]{1,1024})$/;

/**
 * `s3://bucket/key` URIs, comma-separated (-c) or a JSON array (cdk.json). Each one names a single object, as
 * GuardDuty threat lists do; prefixes and wildcards are rejected because the grant is per object.
 */
function s3ObjectList(context: ContextLookup, key: string): S3ObjectLocation[] {
  const value = context(key);
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((item) => item.trim()) : [value];
  const expected = 'a comma-separated list of s3://bucket/key URIs of single objects (no wildcards)';
  const locations = items.map((item) => {
    const match = typeof item === 'string' ? S3_URI.exec(item) : null;
    if (!match || !BUCKET_NAME.test(match[1]) || match[2].endsWith('/')) throw new ConfigError(key, expected, value);
    return { bucket: match[1], key: match[2] };
  });
  if (locations.length === 0) throw new ConfigError(key, expected, value);
  const unique = new Map(locations.map((location) => [s3Uri(location), location]));
  return [...unique.values()];
}

function logPrefix(context: ContextLookup): string {
  const value = context(CONTEXT_KEYS.logPrefix);
  if (value === undefined) return DEFAULT_LOG_PREFIX;
  // S3 notification filters are literal prefixes: a leading slash or a wildcard would silently match nothing.
  if (typeof value !== 'string' || value.startsWith('/') || value.includes('*') || value.length > 1024) {
    throw new ConfigError(CONTEXT_KEYS.logPrefix, 'an S3 key prefix such as "AWSLogs/" (no leading slash, no wildcards; "" for the whole bucket)', value);
  }
  return value;
}

function accountList(context: ContextLookup, key: string): string[] {
  const value = context(key);
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((item) => item.trim()) : [value];
  if (items.length === 0 || !items.every((item): item is string => typeof item === 'string' && ACCOUNT_ID.test(item))) {
    throw new ConfigError(key, 'a comma-separated list of 12-digit AWS account ids', value);
  }
  return [...new Set(items)];
}

// Deliberately loose (SNS and the recipient have the last word), but one address per item, no blanks or commas.
const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

function emailList(context: ContextLookup, key: string): string[] {
  const value = context(key);
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((item) => item.trim()) : [value];
  if (items.length === 0 || !items.every((item): item is string => typeof item === 'string' && item.length <= 254 && EMAIL.test(item))) {
    throw new ConfigError(key, 'a comma-separated list of email addresses', value);
  }
  return [...new Set(items)];
}

function stateMachineLogLevel(context: ContextLookup): StateMachineLogLevel {
  const value = context(CONTEXT_KEYS.stateMachineLogLevel);
  if (value === undefined) return 'ERROR';
  const level = STATE_MACHINE_LOG_LEVELS.find((candidate) => candidate === value);
  if (level === undefined) throw new ConfigError(CONTEXT_KEYS.stateMachineLogLevel, STATE_MACHINE_LOG_LEVELS.map((l) => `"${l}"`).join(' or '), value);
  return level;
}

function removalPolicy(context: ContextLookup): RemovalPolicy.RETAIN | RemovalPolicy.DESTROY {
  const value = context(CONTEXT_KEYS.removalPolicy);
  if (value === undefined || value === 'retain') return RemovalPolicy.RETAIN;
  if (value === 'destroy') return RemovalPolicy.DESTROY;
  throw new ConfigError(CONTEXT_KEYS.removalPolicy, '"retain" or "destroy"', value);
}

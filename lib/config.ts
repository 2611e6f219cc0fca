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
} as const;

export const DEFAULT_STACK_NAME = 'Trailhound';
/** Where CloudTrail (and VPC Flow Logs) put their objects, unless the trail has its own key prefix. */
export const DEFAULT_LOG_PREFIX = 'AWSLogs/';
/** Retention is kept below a century: anything larger is a typo, not a retention policy. */
const MAX_RETENTION_DAYS = 36_500;

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
}

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
  return {
    ...(logBucketName !== undefined ? { logBucketName } : {}),
    logPrefix: logPrefix(context),
    ...(logBucketKmsKeyArn !== undefined ? { logBucketKmsKeyArn } : {}),
    logSourceAccounts,
    retentionDays: optionalInteger(context, CONTEXT_KEYS.retentionDays, 1, MAX_RETENTION_DAYS) ?? DEFAULT_RETENTION_DAYS,
    removalPolicy: removalPolicy(context),
    ...(ingestReservedConcurrency !== undefined ? { ingestReservedConcurrency } : {}),
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

function removalPolicy(context: ContextLookup): RemovalPolicy.RETAIN | RemovalPolicy.DESTROY {
  const value = context(CONTEXT_KEYS.removalPolicy);
  if (value === undefined || value === 'retain') return RemovalPolicy.RETAIN;
  if (value === 'destroy') return RemovalPolicy.DESTROY;
  throw new ConfigError(CONTEXT_KEYS.removalPolicy, '"retain" or "destroy"', value);
}

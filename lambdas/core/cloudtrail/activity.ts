import { isTemporaryAccessKey } from './arn';
import { makePrincipal, type Principal } from './principal';
import type { CloudTrailRecord } from './types';

/**
 * Per-hour API activity of one subject (a principal, a session, an account), as compaction folds it from the
 * hour's events (see storage/hour-aggregate.ts). A stored item's breakdown maps may be trimmed to fit
 * DynamoDB's 400 KB limit (fitToSize); what is dropped is counted in `overflow` so totals stay exact.
 */
export interface ApiCounts {
  calls: number;
  failures: number;
}

export interface ActivityAggregate {
  subject: string;
  /** UTC hour, `YYYY-MM-DDTHH`. */
  hour: string;
  principalType: string;
  principalName: string;
  principalArn?: string;
  /** For session subjects: the role (or user) the session belongs to. */
  issuerArn?: string;
  total: number;
  failures: number;
  /** `service:EventName` → counts; service is eventSource without `.amazonaws.com`. */
  apis: Record<string, ApiCounts>;
  errorCodes: Record<string, number>;
  sourceIps: Record<string, number>;
  userAgents: Record<string, number>;
  resources: Record<string, number>;
  regions: Record<string, number>;
  firstEvent: string;
  lastEvent: string;
  /** Per breakdown map, the calls its trimmed entries counted (absent when nothing was trimmed). */
  overflow: Record<string, number>;
  /** Successful console sign-ins whose `additionalEventData.MFAUsed` is "No" (absent when none). */
  consoleLoginsWithoutMfa?: number;
}

/** A successful ConsoleLogin that says no MFA was used: a password alone opened the console. */
export function isConsoleLoginWithoutMfa(record: CloudTrailRecord): boolean {
  return record.eventName === 'ConsoleLogin' && !record.errorCode && record.additionalEventData?.MFAUsed === 'No';
}

export function subjectOfSession(sessionId: string): string {
  return `session#${sessionId}`;
}

/** Account-wide activity (every principal's calls logged by the account's trail). */
export function subjectOfAccount(accountId: string): string {
  return `account#${accountId}`;
}

export function accountPrincipal(accountId: string): Principal {
  return makePrincipal('aws-account', accountId, `account ${accountId}`, { accountId });
}

export function apiName(record: CloudTrailRecord): string {
  return `${record.eventSource.replace(/\.amazonaws\.com$/, '')}:${record.eventName}`;
}

/**
 * Resources CloudTrail names: the `resources` array, the bucket of S3 calls (which often have none), and the
 * role an STS call assumes (its `requestParameters.roleArn`, which the `resources` array does not always
 * repeat): a principal's own activity then says which roles it started sessions of.
 */
export function resourcesOf(record: CloudTrailRecord): string[] {
  const arns = (record.resources ?? []).map((r) => r.ARN).filter((arn): arn is string => typeof arn === 'string' && arn !== '');
  const bucket = record.requestParameters?.bucketName;
  if (arns.length === 0 && typeof bucket === 'string' && bucket !== '') arns.push(`arn:aws:s3:::${bucket}`);
  const role = record.eventSource === 'sts.amazonaws.com' ? record.requestParameters?.roleArn : undefined;
  if (typeof role === 'string' && role !== '' && !arns.includes(role)) arns.push(role);
  return arns;
}

export function isSessionCall(record: CloudTrailRecord): boolean {
  return isTemporaryAccessKey(record.userIdentity.accessKeyId);
}

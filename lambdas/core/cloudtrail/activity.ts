import { isTemporaryAccessKey } from './arn';
import { makePrincipal, type Principal } from './principal';
import type { CloudTrailRecord } from './types';

/**
 * Per-hour API activity of one subject (a principal or a session) within one log file.
 * Maps are capped so that one item always fits DynamoDB's 400 KB limit; what does not fit is counted
 * in `overflow` so totals stay exact even when the breakdown is truncated.
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
  /** Counts of values not kept because a map reached its cap. */
  overflow: Record<string, number>;
  /** Successful console sign-ins whose `additionalEventData.MFAUsed` is "No" (absent when none). */
  consoleLoginsWithoutMfa?: number;
}

/** A successful ConsoleLogin that says no MFA was used: a password alone opened the console. */
export function isConsoleLoginWithoutMfa(record: CloudTrailRecord): boolean {
  return record.eventName === 'ConsoleLogin' && !record.errorCode && record.additionalEventData?.MFAUsed === 'No';
}

export const MAP_CAPS = {
  apis: 400,
  errorCodes: 100,
  sourceIps: 300,
  userAgents: 100,
  resources: 300,
  regions: 40,
} as const;

/** User agents can be kilobytes long; the first 512 characters identify them well enough. */
export const MAX_USER_AGENT_LENGTH = 512;

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

export function hourOf(eventTime: string): string {
  return eventTime.slice(0, 13);
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

/**
 * A count map with a cap on distinct keys. Maps (not plain objects) and a running size keep each call
 * O(1): this runs for every record of every file.
 */
class CappedCounts {
  readonly counts = new Map<string, number>();
  dropped = 0;

  constructor(private readonly cap: number) {}

  add(key: string | undefined): void {
    if (key === undefined || key === '') return;
    const current = this.counts.get(key);
    if (current !== undefined) this.counts.set(key, current + 1);
    else if (this.counts.size < this.cap) this.counts.set(key, 1);
    else this.dropped++;
  }

  toRecord(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** Accumulates one subject's calls in one hour of one file; `toAggregate()` gives the stored shape. */
export class ActivityAccumulator {
  private total = 0;
  private failures = 0;
  private readonly apis = new Map<string, ApiCounts>();
  private droppedApis = 0;
  private readonly errorCodes = new CappedCounts(MAP_CAPS.errorCodes);
  private readonly sourceIps = new CappedCounts(MAP_CAPS.sourceIps);
  private readonly userAgents = new CappedCounts(MAP_CAPS.userAgents);
  private readonly resources = new CappedCounts(MAP_CAPS.resources);
  private readonly regions = new CappedCounts(MAP_CAPS.regions);
  private firstEvent: string;
  private lastEvent: string;
  private consoleLoginsWithoutMfa = 0;

  constructor(
    private readonly subject: string,
    private readonly hour: string,
    private readonly principal: Principal,
    eventTime: string,
    private readonly issuerArn?: string,
  ) {
    this.firstEvent = eventTime;
    this.lastEvent = eventTime;
  }

  add(record: CloudTrailRecord, resources: readonly string[]): void {
    const failed = record.errorCode !== undefined && record.errorCode !== '';
    this.total++;
    if (failed) this.failures++;
    const api = apiName(record);
    let counts = this.apis.get(api);
    if (!counts && this.apis.size < MAP_CAPS.apis) this.apis.set(api, (counts = { calls: 0, failures: 0 }));
    if (counts) {
      counts.calls++;
      if (failed) counts.failures++;
    } else {
      this.droppedApis++;
    }
    if (failed) this.errorCodes.add(record.errorCode);
    if (isConsoleLoginWithoutMfa(record)) this.consoleLoginsWithoutMfa++;
    this.sourceIps.add(record.sourceIPAddress);
    this.userAgents.add(record.userAgent?.slice(0, MAX_USER_AGENT_LENGTH));
    this.regions.add(record.awsRegion);
    for (const arn of resources) this.resources.add(arn);
    if (record.eventTime < this.firstEvent) this.firstEvent = record.eventTime;
    if (record.eventTime > this.lastEvent) this.lastEvent = record.eventTime;
  }

  toAggregate(): ActivityAggregate {
    const overflow: Record<string, number> = {};
    const maps = { errorCodes: this.errorCodes, sourceIps: this.sourceIps, userAgents: this.userAgents, resources: this.resources, regions: this.regions };
    if (this.droppedApis > 0) overflow.apis = this.droppedApis;
    for (const [name, map] of Object.entries(maps)) if (map.dropped > 0) overflow[name] = map.dropped;
    return {
      subject: this.subject,
      hour: this.hour,
      principalType: this.principal.type,
      principalName: this.principal.name,
      ...(this.principal.arn ? { principalArn: this.principal.arn } : {}),
      ...(this.issuerArn ? { issuerArn: this.issuerArn } : {}),
      total: this.total,
      failures: this.failures,
      apis: Object.fromEntries([...this.apis].map(([api, c]) => [api, { ...c }])),
      errorCodes: this.errorCodes.toRecord(),
      sourceIps: this.sourceIps.toRecord(),
      userAgents: this.userAgents.toRecord(),
      resources: this.resources.toRecord(),
      regions: this.regions.toRecord(),
      firstEvent: this.firstEvent,
      lastEvent: this.lastEvent,
      overflow,
      ...(this.consoleLoginsWithoutMfa > 0 ? { consoleLoginsWithoutMfa: this.consoleLoginsWithoutMfa } : {}),
    };
  }
}

export function isSessionCall(record: CloudTrailRecord): boolean {
  return isTemporaryAccessKey(record.userIdentity.accessKeyId);
}

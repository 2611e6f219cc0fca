import { isTemporaryAccessKey } from './arn';
import type { Principal } from './principal';
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

export function hourOf(eventTime: string): string {
  return eventTime.slice(0, 13);
}

export function apiName(record: CloudTrailRecord): string {
  return `${record.eventSource.replace(/\.amazonaws\.com$/, '')}:${record.eventName}`;
}

function bump(map: Record<string, number>, key: string | undefined, cap: number, overflow: Record<string, number>, mapName: string): void {
  if (key === undefined || key === '') return;
  if (key in map) map[key]++;
  else if (Object.keys(map).length < cap) map[key] = 1;
  else overflow[mapName] = (overflow[mapName] ?? 0) + 1;
}

/** Resources CloudTrail names: the `resources` array, and the bucket of S3 calls (which often has none). */
export function resourcesOf(record: CloudTrailRecord): string[] {
  const arns = (record.resources ?? []).map((r) => r.ARN).filter((arn): arn is string => typeof arn === 'string' && arn !== '');
  const bucket = record.requestParameters?.bucketName;
  if (arns.length === 0 && typeof bucket === 'string' && bucket !== '') arns.push(`arn:aws:s3:::${bucket}`);
  return arns;
}

export function newAggregate(subject: string, hour: string, principal: Principal, eventTime: string, issuerArn?: string): ActivityAggregate {
  return {
    subject,
    hour,
    principalType: principal.type,
    principalName: principal.name,
    ...(principal.arn ? { principalArn: principal.arn } : {}),
    ...(issuerArn ? { issuerArn } : {}),
    total: 0,
    failures: 0,
    apis: {},
    errorCodes: {},
    sourceIps: {},
    userAgents: {},
    resources: {},
    regions: {},
    firstEvent: eventTime,
    lastEvent: eventTime,
    overflow: {},
  };
}

/** Adds one record's call to an aggregate. */
export function addCall(aggregate: ActivityAggregate, record: CloudTrailRecord, resources: readonly string[]): void {
  const failed = record.errorCode !== undefined && record.errorCode !== '';
  aggregate.total++;
  if (failed) aggregate.failures++;
  const api = apiName(record);
  let counts = aggregate.apis[api];
  if (!counts && Object.keys(aggregate.apis).length < MAP_CAPS.apis) counts = aggregate.apis[api] = { calls: 0, failures: 0 };
  if (counts) {
    counts.calls++;
    if (failed) counts.failures++;
  } else {
    aggregate.overflow.apis = (aggregate.overflow.apis ?? 0) + 1;
  }
  const { overflow } = aggregate;
  if (failed) bump(aggregate.errorCodes, record.errorCode, MAP_CAPS.errorCodes, overflow, 'errorCodes');
  bump(aggregate.sourceIps, record.sourceIPAddress, MAP_CAPS.sourceIps, overflow, 'sourceIps');
  bump(aggregate.userAgents, record.userAgent?.slice(0, MAX_USER_AGENT_LENGTH), MAP_CAPS.userAgents, overflow, 'userAgents');
  bump(aggregate.regions, record.awsRegion, MAP_CAPS.regions, overflow, 'regions');
  for (const arn of resources) bump(aggregate.resources, arn, MAP_CAPS.resources, overflow, 'resources');
  if (record.eventTime < aggregate.firstEvent) aggregate.firstEvent = record.eventTime;
  if (record.eventTime > aggregate.lastEvent) aggregate.lastEvent = record.eventTime;
}

export function isSessionCall(record: CloudTrailRecord): boolean {
  return isTemporaryAccessKey(record.userIdentity.accessKeyId);
}

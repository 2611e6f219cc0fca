import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * A CloudTrail log whose user calls from more source IP addresses than one answer's groups (MAX_GROUPS): the
 * getApiCallVolume paging tests (HTTP and console) read it through the local pipeline, and count the raw
 * records themselves (`rawBusyRecords`: gunzip and JSON.parse of the file written, not the code's view).
 */
export const BUSY_ACCOUNT = '777788889999';
export const BUSY_USER_ARN = `arn:aws:iam::${BUSY_ACCOUNT}:user/busy-user`;
export const BUSY_IPS = 250;
export const BUSY_HOUR = '2026-11-05T09';

export interface BusyRecord {
  eventTime: string;
  eventName: string;
  sourceIPAddress: string;
  errorCode?: string;
  eventID: string;
}

/** A record of the busy user: the `n`-th of its object, from `ip`, at `minute`:`second` of BUSY_HOUR (ids unique across objects). */
function busyRecord(n: number, ip: string, minute: number, second: number, object: 'BUSY' | 'LATE'): object {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDABUSY000000000000', arn: BUSY_USER_ARN, accountId: BUSY_ACCOUNT, accessKeyId: 'AKIABUSY000000000000', userName: 'busy-user' },
    eventTime: `${BUSY_HOUR}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName: ['DescribeInstances', 'DescribeVpcs', 'RunInstances'][n % 3],
    awsRegion: 'us-east-1',
    sourceIPAddress: ip,
    userAgent: 'aws-cli/2.15.0',
    ...(n % 5 === 0 ? { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized' } : {}),
    requestParameters: null,
    responseElements: null,
    requestID: `${object}${n}`,
    eventID: `${object === 'BUSY' ? '00000000' : '11111111'}-0000-4000-8000-${String(n).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: BUSY_ACCOUNT,
    eventCategory: 'Management',
  };
}

/** The busy user's `ip`-th address (0 to BUSY_IPS - 1 in the first log; later logs may add more). */
export const busyIp = (ip: number): string => `203.0.${113 + Math.floor(ip / 200)}.${1 + (ip % 200)}`;

/** Writes records under their CloudTrail key in a new folder: the folder and the file's path. */
function writeBusyLog(records: object[], objectId: string): { logsDir: string; path: string } {
  const logsDir = mkdtempSync(join(tmpdir(), 'trailhound-busy-'));
  const day = BUSY_HOUR.slice(0, 10).replace(/-/g, '/');
  const path = join(logsDir, `AWSLogs/${BUSY_ACCOUNT}/CloudTrail/us-east-1/${day}/${BUSY_ACCOUNT}_CloudTrail_us-east-1_${BUSY_HOUR.replace(/-/g, '')}05Z_${objectId}.json.gz`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  return { logsDir, path };
}

/** The folder of logs (one object, under its CloudTrail key) and the file's path. */
export function busyTrailLog(): { logsDir: string; path: string } {
  const records: object[] = [];
  for (let ip = 0; ip < BUSY_IPS; ip++) {
    // 1 to 4 calls per address, so many addresses tie on calls: the ranking's tie-break must still give each once.
    for (let c = 0; c <= ip % 4; c++) records.push(busyRecord(records.length, busyIp(ip), records.length % 60, (ip + c) % 60, 'BUSY'));
  }
  return writeBusyLog(records, 'busy000000000000');
}

/** A later object of the same hour (a late delivery): `calls` more calls from each address given. */
export function lateBusyLog(calls: ReadonlyMap<string, number>): { logsDir: string; path: string } {
  const records: object[] = [];
  for (const [ip, count] of calls) for (let c = 0; c < count; c++) records.push(busyRecord(records.length, ip, 30 + (records.length % 30), c % 60, 'LATE'));
  return writeBusyLog(records, 'late000000000000');
}

/** The file's records as written. */
export function rawBusyRecords(path: string): BusyRecord[] {
  return (JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { Records: BusyRecord[] }).Records;
}

/** Per source IP: [successes, failures], counted from raw records. */
export function countByIp(records: readonly BusyRecord[]): Map<string, [number, number]> {
  const counts = new Map<string, [number, number]>();
  for (const r of records) {
    const c = counts.get(r.sourceIPAddress) ?? [0, 0];
    c[r.errorCode ? 1 : 0]++;
    counts.set(r.sourceIPAddress, c);
  }
  return counts;
}

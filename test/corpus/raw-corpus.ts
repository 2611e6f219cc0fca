import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The fixture's records read the plainest way (gunzip + JSON.parse), independent of Trailhound's reader:
 * expected values in the corpus tests are counted from these, never from what the pipeline stored.
 */
export const CORPUS_DIR = join(__dirname, '..', 'fixtures', 'corpus', 'invictus-aws-dataset');

/** Only the fields the tests count by. */
export interface RawRecord {
  eventID: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  eventType?: string;
  sourceIPAddress: string;
  userAgent?: string;
  errorCode?: string;
  recipientAccountId?: string;
  sessionCredentialFromConsole?: string;
  additionalEventData?: Record<string, unknown>;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  userIdentity: {
    type?: string;
    arn?: string;
    principalId?: string;
    userName?: string;
    accessKeyId?: string;
    invokedBy?: string;
    sessionContext?: { sessionIssuer?: { arn?: string }; attributes?: { mfaAuthenticated?: string }; ec2RoleDelivery?: string };
  };
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

export function corpusLogFiles(): string[] {
  return files(join(CORPUS_DIR, 'AWSLogs')).filter((path) => path.endsWith('.json.gz'));
}

export function rawRecordsOf(path: string): RawRecord[] {
  return (JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { Records: RawRecord[] }).Records;
}

let cached: RawRecord[] | undefined;
export function rawRecords(): RawRecord[] {
  cached ??= corpusLogFiles().flatMap(rawRecordsOf);
  return cached;
}

/** `service:EventName` as the raw record names it (eventSource without `.amazonaws.com`). */
export function rawApi(record: RawRecord): string {
  return `${record.eventSource.replace(/\.amazonaws\.com$/, '')}:${record.eventName}`;
}

/** An independent address test (dotted quad, or hex groups with colons): not the code's isIpAddress. */
export function looksLikeIp(source: string | undefined): boolean {
  if (!source) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(source)) return source.split('.').every((part) => Number(part) <= 255);
  return /^[0-9a-f:]+$/i.test(source) && source.includes(':');
}

export const isTemporaryKey = (key: string | undefined): boolean => typeof key === 'string' && key.startsWith('ASIA');

export interface RawEntityActivity {
  /** The user's own records (its access keys, its console and service sessions, keyless calls like ConsoleLogin). */
  own: RawRecord[];
  /** Records made with role sessions the user started, directly or by chaining; with the role's name. */
  chained: { record: RawRecord; role: string }[];
}

/** A user's activity, with role sessions followed from the STS calls that created them. */
export function rawUserActivity(userName: string, records = rawRecords()): RawEntityActivity {
  const own = records.filter((r) => r.userIdentity.type === 'IAMUser' && r.userIdentity.userName === userName);
  const keys = new Set(own.map((r) => r.userIdentity.accessKeyId).filter((k): k is string => k !== undefined));
  const chainedKeys = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of records) {
      const created = (r.responseElements?.credentials as { accessKeyId?: string } | undefined)?.accessKeyId;
      if (r.eventSource !== 'sts.amazonaws.com' || r.errorCode || !created || !r.userIdentity.accessKeyId) continue;
      if ((keys.has(r.userIdentity.accessKeyId) || chainedKeys.has(r.userIdentity.accessKeyId)) && !chainedKeys.has(created)) {
        chainedKeys.add(created);
        grew = true;
      }
    }
  }
  const chained = records
    .filter((r) => r.userIdentity.type === 'AssumedRole' && chainedKeys.has(r.userIdentity.accessKeyId as string))
    .map((record) => ({ record, role: (record.userIdentity.sessionContext?.sessionIssuer?.arn ?? '').split('/').pop() as string }));
  return { own, chained };
}

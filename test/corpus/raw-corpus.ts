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

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LogFile } from '../../local/log-files';

/**
 * A CloudTrail object an attacker could have caused to be written: an IAM user, a user agent and a bucket
 * whose names are markup. Its calls fall in the corpus's 12:00 hour, so the crafted principal shows up on the
 * same summary, search and profile pages as the real data.
 */
export const ACCOUNT = '123837392027';
export const HOSTILE_USER = '<img src=x onerror=alert(1)>';
export const HOSTILE_AGENT = '<script>alert(2)</script><img src=x onerror=alert(3)>';
export const HOSTILE_BUCKET = '<img src=x onerror=alert(4)>';
export const HOSTILE_USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${HOSTILE_USER}`;
export const CRAFTED_CALLS = 3;

export function craftedLog(): LogFile {
  const records = Array.from({ length: CRAFTED_CALLS }, (_, i) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAHOSTILE0000000000', arn: HOSTILE_USER_ARN, accountId: ACCOUNT, accessKeyId: 'AKIAHOSTILE000000000', userName: HOSTILE_USER },
    eventTime: `2023-07-10T12:1${i}:00Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetBucketAcl',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.66',
    userAgent: HOSTILE_AGENT,
    requestParameters: { bucketName: HOSTILE_BUCKET, Host: 'example.s3.amazonaws.com', acl: '' },
    responseElements: null,
    requestID: `CRAFTED${i}`,
    eventID: `00000000-0000-4000-8000-00000000000${i}`,
    readOnly: true,
    resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${HOSTILE_BUCKET}` }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  }));
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-crafted-'));
  const path = join(dir, 'crafted.json.gz');
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2023/07/10/${ACCOUNT}_CloudTrail_us-east-1_20230710T1215Z_crafted00000000.json.gz`;
  return { path, key, size: 0 };
}

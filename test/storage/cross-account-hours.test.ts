import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { ACCOUNT, OTHER_ACCOUNT, assumeRole, assumedRole, record } from '../helpers/records';

/**
 * One principal's calls recorded by two accounts' trails in the same hour: each account-hour is compacted on
 * its own, and neither may overwrite the other's activity. An action CloudTrail delivers to both accounts
 * (a cross-account AssumeRole: same sharedEventID, two eventIDs) counts once.
 */
const HOUR = '2026-10-22T10';
let stack: LocalStack;
let dataDir: string;

function logFile(dir: string, account: string, name: string, records: CloudTrailRecord[]): void {
  const folder = join(dir, 'AWSLogs', account, 'CloudTrail', 'us-east-1', '2026', '10', '22');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${account}_CloudTrail_us-east-1_20261022T1005Z_${name}.json.gz`), gzipSync(JSON.stringify({ Records: records })));
}

const at = (minute: number) => `${HOUR}:${String(minute).padStart(2, '0')}:00Z`;
const ec2Service = { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' } as const;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trailhound-cross-'));
  const logs = join(dataDir, 'logs');
  const admin = assumedRole('Admin', 'alice', 'ASIAADMINALICE000001', { account: ACCOUNT });
  const targetRole = `arn:aws:iam::${OTHER_ACCOUNT}:role/Deploy`;
  const shared = '11111111-2222-4333-8444-555555555555';
  // The caller's account: three calls of the Admin role, its AssumeRole into the other account, an EC2 credential delivery.
  logFile(logs, ACCOUNT, 'a', [
    ...[1, 2, 3].map((m) => record({ userIdentity: admin, eventTime: at(m), recipientAccountId: ACCOUNT })),
    assumeRole(admin, targetRole, 'alice', 'ASIADEPLOYALICE00001', { eventTime: at(4), recipientAccountId: ACCOUNT, sharedEventID: shared }),
    record({ userIdentity: ec2Service, eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', eventTime: at(5), recipientAccountId: ACCOUNT, sourceIPAddress: 'ec2.amazonaws.com' }),
  ]);
  // The role owner's account: its copy of the same AssumeRole, and two EC2 credential deliveries of its own.
  logFile(logs, OTHER_ACCOUNT, 'b', [
    assumeRole(admin, targetRole, 'alice', 'ASIADEPLOYALICE00001', { eventTime: at(4), recipientAccountId: OTHER_ACCOUNT, sharedEventID: shared }),
    ...[6, 7].map((m) => record({ userIdentity: ec2Service, eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', eventTime: at(m), recipientAccountId: OTHER_ACCOUNT, sourceIPAddress: 'ec2.amazonaws.com' })),
  ]);
  stack = await LocalStack.start({ dataDir: join(dataDir, 'data'), inMemory: true });
  await stack.upload(listLogFiles(logs));
  await stack.drain();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const whole = [`${HOUR}:00:00Z`, `2026-10-22T11:00:00Z`] as const;

it('keeps the activity of a principal recorded by two accounts in one hour, counting a shared action once', async () => {
  const items = await stack.queries.activityItems(`role#arn:aws:iam::${ACCOUNT}:role/Admin`, ...whole);
  expect(items.map((i) => [i.hour, i.total])).toEqual([[HOUR, 4]]);
  expect(items[0].apis['sts:AssumeRole']).toEqual({ calls: 1, failures: 0 });
});

it('keeps an AWS service principal of every account', async () => {
  const items = await stack.queries.activityItems('aws-service#ec2.amazonaws.com', ...whole);
  expect(items.map((i) => i.total)).toEqual([3]);
});

it('cuts a merged hour exactly', async () => {
  const items = await stack.queries.activityItems(`role#arn:aws:iam::${ACCOUNT}:role/Admin`, `${HOUR}:02:00Z`, `${HOUR}:05:00Z`);
  expect(items.map((i) => i.total)).toEqual([3]);
});

it('keeps each account its own manifest', async () => {
  for (const account of [ACCOUNT, OTHER_ACCOUNT]) expect((await stack.queries.hourItems(`account#${account}`, ...whole)).map((i) => i.accountId)).toEqual([account]);
});

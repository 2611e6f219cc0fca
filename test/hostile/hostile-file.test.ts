import { decodePack, type SessionPackItem } from '../../lambdas/core/storage/session-packs';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_BUCKET, LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { itemSize } from '../../lambdas/core/storage/item-size';
import { SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import type { CreatedSessionItem, IngestedObjectItem } from '../../lambdas/core/model/items';
import { ACCOUNT, assumeRole, iamUser, record } from '../helpers/records';

/**
 * One log file of hostile records among good ones (issue: "no file lost to one bad record"). Every bad record
 * is rejected and counted by reason, every good one kept, the file ends DONE_WITH_ERRORS, nothing is
 * dead-lettered, and no item exceeds DynamoDB's 400 KB by its UTF-8 rule (dynalite would accept it).
 */
const KEY = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/10/22/${ACCOUNT}_CloudTrail_us-east-1_20261022T1005Z_Hostile00000001.json.gz`;
const eve = iamUser('eve');
const good = [record({ userIdentity: eve, eventTime: '2026-10-22T10:01:00Z' }), record({ userIdentity: eve, eventTime: '2026-10-22T10:02:00Z' })];
const hugeAgent = assumeRole(eve, `arn:aws:iam::${ACCOUNT}:role/Admin`, 'eve', 'ASIAHOSTILESESSION01', { eventTime: '2026-10-22T10:03:00Z', userAgent: 'ü'.repeat(225_000) });
const manyResources = record({
  userIdentity: eve,
  eventTime: '2026-10-22T10:04:00Z',
  userAgent: '🦀'.repeat(50_000),
  resources: Array.from({ length: 400 }, (_, i) => ({ ARN: `arn:aws:s3:::bucket-${i}/${'k'.repeat(2000)}` })),
});
const impossibleTime = record({ userIdentity: eve, eventTime: '2026-11-02T25:61:61Z' });
const manyVersions = Array.from({ length: 20_000 }, (_, i) => ({ ...record({ userIdentity: eve }), eventVersion: `9.${i}` }));
// A record of 17 MB: past MAX_RECORD_BYTES, skipped while scanning.
const giant = { ...record({ userIdentity: eve }), requestParameters: { blob: 'x'.repeat(17 * 1024 * 1024) } };

let dir: string;
let stack: LocalStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailhound-hostile-'));
  const logs = join(dir, 'logs');
  mkdirSync(join(logs, ...KEY.split('/').slice(0, -1)), { recursive: true });
  writeFileSync(join(logs, KEY), gzipSync(JSON.stringify({ Records: [...good, hugeAgent, manyResources, impossibleTime, giant, ...manyVersions] })));
  stack = await LocalStack.start({ dataDir: join(dir, 'state'), inMemory: true });
  await stack.upload(listLogFiles(logs));
  await stack.drain();
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a log file of hostile records', () => {
  it('keeps every good record, rejects the bad ones by reason, and is not dead-lettered', async () => {
    expect(stack.deadLetters).toEqual({ ingest: 0, compaction: 0 });
    const { Item } = await stack.documents.send(new GetCommand({ TableName: stack.ingestedObjectsTable, Key: { objectKey: `s3://${LOCAL_BUCKET}/${KEY}` } }));
    const status = Item as IngestedObjectItem;
    expect(status).toMatchObject({ status: 'DONE_WITH_ERRORS', accepted: 4, rejected: 20_002 });
    expect(status.rejections?.['eventTime is not a real instant']).toBe(1);
    expect(status.rejections?.['record larger than 16 MB']).toBe(1);
    // 20,000 distinct versions: a bounded number of reasons by name, the rest counted together.
    expect(Object.keys(status.rejections ?? {}).length).toBeLessThanOrEqual(34);
    expect(Object.values(status.rejections ?? {}).reduce((a, b) => a + b, 0)).toBe(20_002);
    expect(itemSize(status)).toBeLessThan(8 * 1024);
  });

  it('stores the hour with items that fit DynamoDB by its UTF-8 rule', async () => {
    const hour = await stack.queries.activityItems(`iam-user#${eve.arn}`, '2026-10-22T10:00:00Z', '2026-10-22T11:00:00Z');
    expect(hour.map((h) => h.total)).toEqual([4]);
    const [stored] = await stack.queries.hourItems(`iam-user#${eve.arn}`, '2026-10-22T10:00:00Z', '2026-10-22T11:00:00Z');
    expect(itemSize(stored)).toBeLessThanOrEqual(16 * 1024);
    const { Item: pack } = await stack.documents.send(new GetCommand({ TableName: stack.tableNames[SESSIONS_TABLE.envVar], Key: { pk: `issuer#arn:aws:iam::${ACCOUNT}:role/Admin`, sk: `2026-10-22T10#${ACCOUNT}` } }));
    expect(pack).toBeDefined();
    expect(itemSize(pack as object)).toBeLessThan(16 * 1024);
    const session = { Item: decodePack((pack as SessionPackItem).pack).find((entry) => entry.sessionId === 'ASIAHOSTILESESSION01') as CreatedSessionItem };
    expect(session.Item).toMatchObject({ sk: `CREATED#${ACCOUNT}` });
    expect(Buffer.byteLength(String(session.Item?.userAgent))).toBeLessThanOrEqual(512);
  });
});

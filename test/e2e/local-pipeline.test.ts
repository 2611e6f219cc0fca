import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { productionDependencies } from '../../lambdas/ingest-cloudtrail/handler';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { compactionDependencies } from '../../lambdas/compact-hour/handler';
import { compactHour, type HourItemWrites } from '../../lambdas/compact-hour/compact-hour';
import type { ActivityItem, IngestedObjectItem, SessionItem } from '../../lambdas/core/model/items';
import { ACTIVITY_TABLE, SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import { entriesOfPacks, isSessionPack, type SessionPackItem } from '../../lambdas/core/storage/session-packs';
import { normalizeRoleArn } from '../../lambdas/core/cloudtrail/arn';
import { LOCAL_BUCKET, LocalStack } from '../../local/local-stack';
import { listLogFiles, type LogFile } from '../../local/log-files';
import { generateBulkRecords } from '../../examples/generator';

/**
 * The local mode end to end: real S3 and DynamoDB protocol servers, S3 notifications through the SQS
 * stand-in to the production handler. Checks the stored counts against an independent count of the raw
 * sample logs, then that re-deliveries, forced re-ingestion and a crash mid-file leave every item unchanged.
 */
const EXAMPLES = join(__dirname, '..', '..', 'examples', 'cloudtrail');
const BAD = join(__dirname, '..', 'fixtures', 'bad');
const MANAGEMENT = '111122223333';
const WORKLOAD = '444455556666';

interface RawRecord {
  eventTime: string;
  eventName: string;
  eventSource: string;
  errorCode?: string;
  userIdentity: { type?: string; arn?: string; accessKeyId?: string; sessionContext?: { sessionIssuer?: { arn?: string }; attributes?: { creationDate?: string } } };
  responseElements?: { credentials?: { accessKeyId?: string } } | null;
}

/** Reads the sample logs the plain way, as the oracle for counts. */
function rawRecords(files: LogFile[]): RawRecord[] {
  return files
    .filter((f) => /_CloudTrail_/.test(f.key))
    .flatMap((f) => (JSON.parse(gunzipSync(readFileSync(f.path)).toString('utf8')) as { Records: RawRecord[] }).Records);
}

/** The principal a call is counted under: the role (path removed) for role sessions, the user for users. */
function principalOf(r: RawRecord): string | undefined {
  const identity = r.userIdentity;
  if (identity.type === 'IAMUser') return `iam-user#${identity.arn}`;
  if (identity.type === 'AssumedRole') return `role#${identity.sessionContext?.sessionIssuer?.arn?.replace(/:role\/.*\//, ':role/')}`;
  return undefined;
}

let stack: LocalStack;
let dataDir: string;
let files: LogFile[];

async function scan<T>(table: string): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await stack.documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...((out.Items ?? []) as T[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

const sessionsTable = () => stack.tableNames[SESSIONS_TABLE.envVar];
/** Every session entry of the packs in the Sessions table. */
const sessionEntries = async (): Promise<SessionItem[]> => entriesOfPacks((await scan<SessionPackItem>(sessionsTable())).filter(isSessionPack));
const activityTable = () => stack.tableNames[ACTIVITY_TABLE.envVar];

/** JSON with object keys sorted at every level, so equal items serialise equally. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Every stored session and activity item, in a stable order: equal snapshots mean nothing changed. */
async function snapshot(): Promise<string[]> {
  const sessions = (await sessionEntries()).map(stableJson);
  // When an hour was last compacted is bookkeeping, not data.
  const activity = (await scan<ActivityItem & { compactedAt?: string }>(activityTable())).map(({ compactedAt: _, ...item }) => stableJson(item));
  return [...sessions, ...activity].sort();
}

async function ingest(toUpload: LogFile[]): Promise<void> {
  await stack.upload(toUpload);
  await stack.drain();
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trailhound-e2e-'));
  const logs = join(dataDir, 'logs');
  cpSync(EXAMPLES, logs, { recursive: true });
  // The corrupt objects arrive among the good ones, under the management account's log prefix.
  cpSync(BAD, join(logs, 'AWSLogs', MANAGEMENT, 'CloudTrail', 'us-east-1', '2026', '10', '22'), { recursive: true });
  files = listLogFiles(logs);
  stack = await LocalStack.start({ dataDir: join(dataDir, 'state'), inMemory: true });
  await ingest(files);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local pipeline on the sample logs', () => {
  it('ingests every log, skips digests and Insights, reports the corrupt objects, and dead-letters nothing', async () => {
    const objects = await scan<IngestedObjectItem>(stack.ingestedObjectsTable);
    const byName = (fragment: string) => objects.find((o) => o.objectKey.includes(fragment));
    expect(objects).toHaveLength(files.length);
    expect(stack.deadLetters).toEqual({ ingest: 0, compaction: 0 });

    expect(byName('TruncatedGzip060')).toMatchObject({ status: 'DONE_WITH_ERRORS', error: expect.stringMatching(/gzip|ends inside/) });
    expect(byName('TruncatedGzip060')?.accepted).toBeGreaterThan(0);
    expect(byName('NotGzipPlainText')).toMatchObject({ status: 'FAILED', accepted: 0, error: expect.stringContaining('not a JSON object') });
    expect(byName('InvalidJsonInMid')).toMatchObject({ status: 'DONE_WITH_ERRORS', accepted: 10, rejected: 1, rejections: { 'record is not valid JSON': 1 } });
    expect(byName('MissingFields001')).toMatchObject({ status: 'DONE_WITH_ERRORS', accepted: 10, rejected: 3 });
    expect(byName('EmptyRecords0000')).toMatchObject({ status: 'DONE', records: 0 });
    expect(byName('CloudTrail-Insight')).toMatchObject({ status: 'SKIPPED' });

    const digests = objects.filter((o) => o.objectKey.includes('CloudTrail-Digest'));
    expect(digests.length).toBeGreaterThan(0);
    expect(digests.every((o) => o.status === 'SKIPPED')).toBe(true);
    const examples = objects.filter((o) => /_CloudTrail_/.test(o.objectKey) && !/TruncatedGzip|NotGzip|InvalidJson|MissingFields|EmptyRecords/.test(o.objectKey));
    expect(examples.every((o) => o.status === 'DONE')).toBe(true);
  });

  it('stores per-principal call counts equal to an independent count of the raw records', async () => {
    const good = files.filter((f) => f.path.startsWith(join(dataDir, 'logs', 'AWSLogs')) && !/TruncatedGzip|NotGzip|InvalidJson|MissingFields|EmptyRecords|Insight/.test(f.key));
    const expected = new Map<string, { total: number; failures: number }>();
    for (const r of rawRecords(good)) {
      const principal = principalOf(r);
      if (!principal) continue;
      const entry = expected.get(principal) ?? { total: 0, failures: 0 };
      entry.total++;
      if (r.errorCode) entry.failures++;
      expected.set(principal, entry);
    }
    // The corrupt fixtures contribute the records that were readable in them: compare the principals they lack.
    const fixturePrincipals = new Set((generateBulkRecords(40, 7) as unknown as RawRecord[]).map(principalOf));
    for (const principal of fixturePrincipals) if (principal) expected.delete(principal);
    const stored = new Map<string, { total: number; failures: number }>();
    for (const item of await scan<ActivityItem>(activityTable())) {
      if (!expected.has(item.subject)) continue;
      const entry = stored.get(item.subject) ?? { total: 0, failures: 0 };
      entry.total += item.total;
      entry.failures += item.failures;
      stored.set(item.subject, entry);
    }
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    expect(expected.size).toBeGreaterThan(5);
  });

  it('knows every session: from its creating event, or from sessionContext when that event is absent', async () => {
    const good = files.filter((f) => !/TruncatedGzip|NotGzip|InvalidJson|MissingFields|EmptyRecords|Insight/.test(f.key));
    const raw = rawRecords(good);
    const created = new Set(raw.filter((r) => !r.errorCode && r.responseElements?.credentials?.accessKeyId?.startsWith('ASIA')).map((r) => r.responseElements?.credentials?.accessKeyId));
    const used = new Set(raw.map((r) => r.userIdentity.accessKeyId).filter((k): k is string => k?.startsWith('ASIA') ?? false));
    const expected = new Set([...created, ...used]);
    // The corrupt fixtures hold (parts of) the same 40 generated records; whatever was readable in them may add sessions.
    const fixture = generateBulkRecords(40, 7) as unknown as RawRecord[];
    const fromFixtures = new Set([...fixture.map((r) => r.userIdentity.accessKeyId), ...fixture.map((r) => r.responseElements?.credentials?.accessKeyId)]);
    const stored = new Set((await sessionEntries()).map((i) => i.sessionId));
    for (const id of expected) expect(stored.has(id as string)).toBe(true);
    for (const id of stored) expect(expected.has(id) || fromFixtures.has(id)).toBe(true);
    const withoutCreation = [...used].filter((k) => !created.has(k));
    expect(withoutCreation.length).toBeGreaterThan(0);
    for (const id of withoutCreation) {
      // A call made with the session names its issuer and creation time, which is how a reader finds it.
      const identity = raw.find((r) => r.userIdentity.accessKeyId === id)?.userIdentity;
      const context = identity?.sessionContext;
      const issuerArn = identity?.type === 'AssumedRole' ? normalizeRoleArn(context?.sessionIssuer?.arn ?? '') : identity?.arn;
      const view = await stack.queries.session({ sessionId: id, issuerArn: issuerArn ?? '', createdAt: context?.attributes?.creationDate });
      expect([id, view?.creationEventSeen]).toEqual([id, false]);
    }
  });

  it('answers the questions on the incident chain', async () => {
    const from = '2026-10-22T00:00:00Z';
    const to = '2026-10-22T23:59:59Z';
    const [dataAccess] = await stack.queries.sessionsOfRole(`arn:aws:iam::${WORKLOAD}:role/DataAccess`, from, to);
    expect(dataAccess).toMatchObject({ root: { type: 'iam-user', name: 'alice' }, sourceIdentity: 'alice', rootUnresolved: false });
    expect(dataAccess.chainDepth).toBeGreaterThanOrEqual(3);

    const chain = await stack.queries.chain({ sessionId: dataAccess.sessionId, issuerArn: dataAccess.issuerArn, createdAt: dataAccess.createdAt });
    expect(chain?.ancestors.map((s) => s.issuerName)).toEqual(['OrganizationAccountAccessRole', 'Admin', 'alice']);

    const users = await stack.queries.principalsUsingRole(`arn:aws:iam::${WORKLOAD}:role/OrganizationAccountAccessRole`, from, to);
    expect(users.map((u) => [u.principal.name, u.viaRoleChain, u.callerAccounts])).toEqual([['alice', true, [MANAGEMENT]]]);

    // Everything alice did across her chains that day, from her user down.
    const aliceSessions = await stack.queries.sessionsFromOrigin(`iam-user#arn:aws:iam::${MANAGEMENT}:user/alice`, from, to);
    expect(aliceSessions.map((s) => s.sessionId)).toEqual(expect.arrayContaining([dataAccess.sessionId]));
    const { totals } = await stack.queries.activityOfSessions(aliceSessions, from, to);
    expect(totals.apis['secretsmanager:GetSecretValue']?.calls).toBeGreaterThanOrEqual(2);
    expect(totals.apis['cloudtrail:StopLogging']).toEqual({ calls: 1, failures: 1 });
  });

  it('shows the API activity of an EC2 instance through its instance-profile sessions', async () => {
    const sessions = (await sessionEntries()).filter((i) => i.instanceId);
    const instanceId = sessions[0]?.instanceId as string;
    const activity = await stack.queries.instanceActivity(instanceId, '2026-10-01T00:00:00Z', '2026-10-23T00:00:00Z');
    expect(activity.sessions.length).toBeGreaterThan(1);
    expect(activity.sessions.every((s) => s.instanceId === instanceId)).toBe(true);
    expect(activity.totals.total).toBeGreaterThan(0);
    expect(activity.hourly.reduce((n, h) => n + h.total, 0)).toBe(activity.totals.total);
  });

  it('reports API volume per hour that matches the raw records', async () => {
    const subject = `role#arn:aws:iam::${WORKLOAD}:role/OrganizationAccountAccessRole`;
    const hours = await stack.queries.apiVolume(subject, '2026-10-22T00:00:00Z', '2026-10-22T23:59:59Z');
    const raw = rawRecords(files.filter((f) => f.key.includes(`/${WORKLOAD}/CloudTrail/`) || f.key.includes(`${WORKLOAD}_CloudTrail_`)));
    const expected: Record<string, number> = {};
    for (const r of raw) if (principalOf(r) === subject && r.eventTime.startsWith('2026-10-22')) expected[r.eventTime.slice(0, 13)] = (expected[r.eventTime.slice(0, 13)] ?? 0) + 1;
    expect(Object.fromEntries(hours.map((h) => [h.hour, h.total]))).toEqual(expected);
  });

  it('leaves every stored item unchanged on re-delivery, forced re-ingestion and a crash mid-file', async () => {
    const before = await snapshot();

    // 1. S3 delivers every object again: recognised by ETag, not read again.
    await ingest(files);
    expect(await snapshot()).toEqual(before);

    // 2. Bookkeeping lost (or a new parser version): the incident day is read and written again, in the
    //    reverse order, so items that two objects both write must not depend on which came last.
    const incidentDay = files.filter((f) => f.key.includes('/2026/10/22/'));
    for (const f of incidentDay) await stack.documents.send(new DeleteCommand({ TableName: stack.ingestedObjectsTable, Key: { objectKey: `s3://${LOCAL_BUCKET}/${f.key}` } }));
    await ingest([...incidentDay].reverse());
    expect(await snapshot()).toEqual(before);

    // 3. A crash after the object was registered but before its hours were queued, then the queue's retry.
    const target = incidentDay.find((f) => /_CloudTrail_/.test(f.key) && f.size > 1500) as LogFile;
    await stack.documents.send(new DeleteCommand({ TableName: stack.ingestedObjectsTable, Key: { objectKey: `s3://${LOCAL_BUCKET}/${target.key}` } }));
    const real = productionDependencies();
    const crashing = { ...real, requestCompaction: async () => Promise.reject(new Error('Lambda timed out')) };
    await expect(ingestObject({ bucket: LOCAL_BUCKET, key: target.key }, crashing)).rejects.toThrow('Lambda timed out');
    const retried = await ingestObject({ bucket: LOCAL_BUCKET, key: target.key }, real);
    expect(retried.status).toBe('DONE');
    await stack.drain();
    expect(await snapshot()).toEqual(before);

    // 4. A compaction that dies after writing half of its principal items and before its manifest, then its retry.
    const hourKey = retried.hours?.[0] as string;
    const [account, hour] = hourKey.split('#');
    await stack.documents.send(new DeleteCommand({ TableName: activityTable(), Key: { subject: `account#${account}`, slot: `${hour}#${account}` } }));
    const compaction = compactionDependencies();
    const dying = {
      ...compaction,
      writeHourItems: async (writes: HourItemWrites) => {
        await compaction.writeHourItems({ ...writes, activity: writes.activity.slice(0, Math.ceil(writes.activity.length / 2)), sessions: [], index: [] });
        throw new Error('Lambda timed out');
      },
    };
    await expect(compactHour(hourKey, dying)).rejects.toThrow('Lambda timed out');
    expect(await compactHour(hourKey, compaction)).toMatchObject({ status: 'compacted' });
    expect(await snapshot()).toEqual(before);
  });
});

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setLogSink } from '../../lambdas/shared/log';
import { listLogFiles } from '../../local/log-files';
import { LOCAL_BUCKET } from '../../local/local-stack';
import { buildSummary } from '../../local/summary';
import { CORPUS_DIR } from '../corpus/raw-corpus';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { openApiViolations } from '../helpers/openapi';
import { rawRecords, rawUserActivity, type RawRecord } from '../corpus/raw-corpus';

/**
 * The graph routes on the real corpus (Stratus Red Team detonations by IAM user bert-jan), through the local
 * API. Expected values are counted from the raw records (gunzip + JSON.parse), never from the pipeline, and
 * every DynamoDB request the handlers make is recorded: none may be a Scan.
 */
jest.setTimeout(240_000);

const ACCOUNT = '123837392027';
const BERT_JAN = `arn:aws:iam::${ACCOUNT}:user/bert-jan`;
const CONSOLE_USER = 'stratus-red-team-nmfalu-gfjyeaypjt';
const C2 = '192.168.10.20';
const records = rawRecords();

let pipeline: CorpusPipeline;
const commands: string[] = [];
const spies: jest.SpyInstance[] = [];

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${pipeline.apiUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const result = { status: response.status, body: (await response.json()) as Record<string, unknown> };
  // Every response, success or error, as the OpenAPI document describes it.
  expect(openApiViolations(path, result.status, result.body)).toBeUndefined();
  return result;
}

const inScope = (from: string, to: string) => (r: RawRecord) => Date.parse(r.eventTime) >= Date.parse(from) && Date.parse(r.eventTime) < Date.parse(to);

/** The principal a raw record's calls count under, by name: the role for role sessions, else the user or service. */
function principalName(r: RawRecord): string | undefined {
  const identity = r.userIdentity;
  if (identity.type === 'AssumedRole') return identity.sessionContext?.sessionIssuer?.arn?.split('/').pop();
  if (identity.type === 'IAMUser') return identity.userName ?? identity.arn?.split('/').pop();
  return identity.invokedBy;
}

beforeAll(async () => {
  setLogSink(() => undefined);
  pipeline = await CorpusPipeline.start();
  for (const prototype of [DynamoDBClient.prototype, DynamoDBDocumentClient.prototype]) {
    const original = prototype.send;
    spies.push(
      jest.spyOn(prototype, 'send').mockImplementation(function (this: unknown, command: unknown, ...rest: unknown[]) {
        commands.push((command as object).constructor.name);
        return (original as (...args: unknown[]) => unknown).call(this, command, ...rest);
      } as never),
    );
  }
});

afterAll(async () => {
  for (const spy of spies) spy.mockRestore();
  await pipeline?.stop();
});

afterEach(() => {
  expect(commands.filter((name) => /Scan/.test(name))).toEqual([]);
  commands.length = 0;
});

describe('getEntityProfile', () => {
  it("counts bert-jan's own calls in a scope, per hour, with failures", async () => {
    const from = '2023-07-10T12:05:00.000Z';
    const to = '2023-07-10T12:20:00.000Z';
    const { status, body } = await post('/graph/getEntityProfile', { EntityType: 'IAM_USER', EntityId: BERT_JAN, ScopeStartTime: from, ScopeEndTime: to });
    expect(status).toBe(200);
    const own = rawUserActivity('bert-jan').own.filter(inScope(from, to));
    const volume = body.ApiCallVolume as { Calls: number; FailedCalls: number; Hourly: { Hour: string; Calls: number }[] };
    expect(own.length).toBeGreaterThan(0);
    expect({ calls: volume.Calls, failed: volume.FailedCalls }).toEqual({ calls: own.length, failed: own.filter((r) => r.errorCode).length });
    expect(volume.Hourly).toEqual([expect.objectContaining({ Hour: '2023-07-10T12:00:00.000Z', Calls: own.length })]);
    // The recorder sees the handlers' reads (so the no-Scan check after each test means something).
    expect(commands).toContain('QueryCommand');
  });

  it('names the roles bert-jan assumed, directly or through a chain', async () => {
    const from = '2023-07-10T11:00:00.000Z';
    const to = '2023-07-10T13:00:00.000Z';
    const { body } = await post('/graph/getEntityProfile', { EntityType: 'IAM_USER', EntityId: BERT_JAN, ScopeStartTime: from, ScopeEndTime: to });
    // Independently: successful STS calls made with his keys or with credentials they produced, transitively.
    const bertJan = rawUserActivity('bert-jan');
    const keys = new Set([...bertJan.own, ...bertJan.chained.map((c) => c.record)].map((r) => r.userIdentity.accessKeyId).filter(Boolean));
    const assumed = new Set(
      records
        .filter((r) => r.eventName === 'AssumeRole' && !r.errorCode && keys.has(r.userIdentity.accessKeyId))
        .map((r) => String(r.requestParameters?.roleArn)),
    );
    expect(assumed.size).toBeGreaterThan(0);
    const roles = (body.AssumedRoles as { RoleArn: string }[]).map((r) => r.RoleArn);
    expect(roles.sort()).toEqual([...assumed].sort());
    for (const used of new Set(bertJan.chained.map((c) => c.role))) expect(roles.some((arn) => arn.endsWith(`/${used}`))).toBe(true);
  });

  it(`lists who called from ${C2}, with their calls, failures and first and last seen`, async () => {
    const from = '2023-07-10T11:00:00.000Z';
    const to = '2023-07-10T13:00:00.000Z';
    const { status, body } = await post('/graph/getEntityProfile', { EntityType: 'IP_ADDRESS', EntityId: C2, ScopeStartTime: from, ScopeEndTime: to });
    expect(status).toBe(200);
    const fromIp = records.filter((r) => r.sourceIPAddress === C2);
    const expected = new Map<string, { calls: number; failed: number; first: string; last: string }>();
    for (const r of fromIp) {
      const name = principalName(r) as string;
      const entry = expected.get(name) ?? { calls: 0, failed: 0, first: r.eventTime, last: r.eventTime };
      entry.calls++;
      if (r.errorCode) entry.failed++;
      if (r.eventTime < entry.first) entry.first = r.eventTime;
      if (r.eventTime > entry.last) entry.last = r.eventTime;
      expected.set(name, entry);
    }
    const got = new Map(
      (body.Principals as { Principal: string; Calls: number; FailedCalls: number; FirstSeen: string; LastSeen: string }[]).map((p) => [
        p.Principal,
        { calls: p.Calls, failed: p.FailedCalls, first: p.FirstSeen.replace('.000Z', 'Z'), last: p.LastSeen.replace('.000Z', 'Z') },
      ]),
    );
    expect(got).toEqual(expected);
    const sessionIds = new Set(fromIp.map((r) => r.userIdentity.accessKeyId).filter((k) => k?.startsWith('ASIA')));
    expect(new Set((body.Sessions as { SessionId: string }[]).map((s) => s.SessionId))).toEqual(sessionIds);
    expect(body).toMatchObject({ SourceKind: 'private', ThreatIntel: { Flagged: false } });
  });
});

describe('getEntityProfile of every entity type', () => {
  const scope = { ScopeStartTime: '2023-07-10T11:00:00.000Z', ScopeEndTime: '2023-07-10T13:00:00.000Z' };

  it('answers a role with its sessions and who used it, a session with its chain and creating event', async () => {
    const chained = rawUserActivity('bert-jan').chained[0];
    const roleArn = chained.record.userIdentity.sessionContext?.sessionIssuer?.arn as string;
    const role = await post('/graph/getEntityProfile', { EntityType: 'IAM_ROLE', EntityId: roleArn, ...scope });
    expect(role.status).toBe(200);
    expect((role.body.RoleUsers as { Principal: string }[]).map((u) => u.Principal)).toEqual(['bert-jan']);
    const sessionId = chained.record.userIdentity.accessKeyId as string;
    const session = await post('/graph/getEntityProfile', { EntityType: 'ROLE_SESSION', EntityId: sessionId, ...scope });
    expect(session.status).toBe(200);
    const calls = records.filter((r) => r.userIdentity.accessKeyId === sessionId);
    expect(session.body).toMatchObject({ Session: { SessionId: sessionId, RoleArn: roleArn }, RootPrincipal: { Principal: 'bert-jan' }, ApiCallVolume: { Calls: calls.length } });
    const unknown = await post('/graph/getEntityProfile', { EntityType: 'ROLE_SESSION', EntityId: 'ASIAUNKNOWNUNKNOWN00', ...scope });
    expect(unknown.status).toBe(404);
  });

  it('answers an instance, a user agent, a bucket and an account', async () => {
    const instance = await post('/graph/getEntityProfile', { EntityType: 'EC2_INSTANCE', EntityId: 'i-0dbc91f429e48eeed', ...scope });
    expect(instance.status).toBe(200);
    const agent = records.find((r) => r.userIdentity.userName === 'benjamin')?.userAgent as string;
    const byAgent = await post('/graph/getEntityProfile', { EntityType: 'USER_AGENT', EntityId: agent, ...scope });
    expect((byAgent.body.Principals as { Principal: string; Calls: number }[]).find((p) => p.Principal === 'benjamin')?.Calls).toBe(
      records.filter((r) => r.userIdentity.userName === 'benjamin' && r.userAgent === agent).length,
    );
    const bucket = records.map((r) => r.requestParameters?.bucketName).find((b): b is string => typeof b === 'string') as string;
    const byBucket = await post('/graph/getEntityProfile', { EntityType: 'S3_BUCKET', EntityId: bucket, ...scope });
    expect(byBucket.status).toBe(200);
    expect((byBucket.body.Principals as unknown[]).length).toBeGreaterThan(0);
    const account = await post('/graph/getEntityProfile', { EntityType: 'AWS_ACCOUNT', EntityId: ACCOUNT, ...scope });
    expect(account.status).toBe(200);
    expect(account.body.Principals).toBe(19);
  });
});

describe('getSummary', () => {
  it('lists the roles and users with their volume, the console user without MFA among them, service-linked roles hideable', async () => {
    const window = { ScopeStartTime: '2023-07-10T00:00:00.000Z', ScopeEndTime: '2023-07-11T00:00:00.000Z' };
    const { status, body } = await post('/graph/getSummary', window);
    expect(status).toBe(200);
    const users = body.TopUsers as { Principal: string; Calls: number; Timeline: { Day: string; Calls: number }[] }[];
    const rawUsers = new Map<string, number>();
    for (const r of records) if (r.userIdentity.type === 'IAMUser') rawUsers.set(principalName(r) as string, (rawUsers.get(principalName(r) as string) ?? 0) + 1);
    expect(new Map(users.map((u) => [u.Principal, u.Calls]))).toEqual(rawUsers);
    expect(users.map((u) => u.Principal)).toContain(CONSOLE_USER);
    const bert = users.find((u) => u.Principal === 'bert-jan');
    expect(bert?.Timeline).toHaveLength(7);
    expect(bert?.Timeline[6]).toEqual({ Day: '2023-07-10', Calls: rawUsers.get('bert-jan'), FailedCalls: expect.any(Number) });
    const roles = (body.TopRoles as { Principal: string; ServiceLinked: boolean }[]).map((r) => r.Principal);
    expect(roles).toContain('AWSServiceRoleForRDS');
    const hidden = await post('/graph/getSummary', { ...window, HideServiceLinkedRoles: true });
    const shown = (hidden.body.TopRoles as { Principal: string }[]).map((r) => r.Principal);
    expect(shown.filter((name) => name.startsWith('AWSServiceRoleFor'))).toEqual([]);
    expect(shown.length).toBe(roles.length - 2);
  });

  it('refuses a window over 24 hours, in the future, or malformed, with a 400 ValidationException', async () => {
    for (const body of [
      { ScopeStartTime: '2023-07-10T00:00:00Z', ScopeEndTime: '2023-07-11T00:00:01Z' },
      { ScopeStartTime: '2999-01-01T00:00:00Z', ScopeEndTime: '2999-01-01T01:00:00Z' },
      { ScopeStartTime: 'yesterday', ScopeEndTime: '2023-07-11T00:00:00Z' },
      { ScopeStartTime: '2023-07-10T00:00:00Z', ScopeEndTime: '2023-07-11T00:00:00Z', HideServiceLinkedRoles: 'yes' },
    ]) {
      const response = await post('/graph/getSummary', body);
      expect({ status: response.status, message: typeof response.body.Message }).toEqual({ status: 400, message: 'string' });
    }
  });
});

describe('the local summary', () => {
  it('lists every principal of the corpus (19) from Query and GetItem reads, with the ingestion outcome', async () => {
    const stack = pipeline.localStack;
    const objectKeys = listLogFiles(CORPUS_DIR).map((file) => `s3://${LOCAL_BUCKET}/${file.key}`);
    const lines = await buildSummary({ documents: stack.documents, queries: stack.queries, tables: { ingestedObjects: stack.ingestedObjectsTable }, objectKeys, deadLettered: [] });
    expect(lines).toContain('  CloudTrail records: 2,900 ingested, 0 duplicates dropped, 0 rejected');
    // Independently: roles by session issuer, IAM users by name, AWS services by invokedBy.
    const expected = new Set(records.map(principalName).filter((name): name is string => name !== undefined));
    expect(expected.size).toBe(19);
    expect(lines).toContain('Principals (19, by API calls)');
    for (const name of expected) expect(lines.some((line) => line.includes(` ${name} `))).toBe(true);
    expect(lines.some((line) => line.includes(CONSOLE_USER))).toBe(true);
  });
});

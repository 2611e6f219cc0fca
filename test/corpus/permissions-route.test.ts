/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, each validated against the OpenAPI schemas in post() */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVITY_TABLE } from '../../lambdas/shared/table-design';
import { listLogFiles } from '../../local/log-files';
import { buildLocalApi } from '../../local/http/server';
import { loadIamSnapshot, permissionsLines } from '../../local/permissions-command';
import { investigationReport } from '../../local/investigation-report';
import type { ApiActivitySummary } from '../../lambdas/investigation-stages/api-activity';
import { expectSchema } from '../helpers/openapi-schemas';
import { corpusPipelineWithoutScans } from './corpus-pipeline';
import { CORPUS_DIR, corpusLogFiles, rawRecords, rawRecordsOf, type RawRecord } from './raw-corpus';

/**
 * POST /graph/getPermissions on the real corpus, end to end: the fixture's logs go through the local ingest
 * and compaction (which stores the IAM histories), and the route answers over HTTP. The expected state at each
 * moment is folded here from the raw events with a few lines of plain code, not by lambdas/core/iam.
 */
jest.setTimeout(300_000);

const ACCOUNT = '123837392027';
const DAY = '2023-07-10';
const ROLE = 'stratus-red-team-backdoor-r-role';
const USER = 'malicious-iam-user';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const EXTERNAL = '193672423079';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

const corpus = corpusPipelineWithoutScans();

async function post(body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${corpus().apiUrl}/graph/getPermissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (response.status === 200) expectSchema('GetPermissionsResponse', json);
  else expectSchema(response.status === 400 ? 'ValidationExceptionBody' : 'ErrorBody', json);
  return { status: response.status, body: json };
}

const ask = (EntityType: string, EntityId: string, AtTime: string) => post({ EntityType, EntityId, AtTime });

/** The raw IAM writes naming an entity (by its request parameter), oldest first: the ground truth. */
function rawWrites(param: 'roleName' | 'userName', name: string): RawRecord[] {
  return rawRecords()
    .filter((r) => r.eventSource === 'iam.amazonaws.com' && r.requestParameters?.[param] === name && !/^(Get|List)/.test(r.eventName))
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

/** A plain fold of the raw events up to `at`: existence, attached policies, the trust policy text. */
function rawState(param: 'roleName' | 'userName', name: string, at: string) {
  let exists: boolean | undefined;
  let attached: string[] = [];
  let trust = '';
  for (const r of rawWrites(param, name)) {
    if (Date.parse(r.eventTime) > Date.parse(at) || r.errorCode) continue;
    const p = r.requestParameters ?? {};
    if (/^Create(Role|User)$/.test(r.eventName)) [exists, attached, trust] = [true, [], String(p.assumeRolePolicyDocument ?? '')];
    else if (/^Delete(Role|User)$/.test(r.eventName)) exists = false;
    else if (/^Attach(Role|User)Policy$/.test(r.eventName)) attached.push(String(p.policyArn));
    else if (/^Detach(Role|User)Policy$/.test(r.eventName)) attached = attached.filter((arn) => arn !== p.policyArn);
    else if (r.eventName === 'UpdateAssumeRolePolicy') trust = String(p.policyDocument);
  }
  const externalAccounts = [...new Set([...trust.matchAll(/arn:aws:iam::(\d{12}):/g)].map((m) => m[1]))].filter((account) => account !== ACCOUNT);
  return { exists, attached, externalAccounts };
}

/** The accounts whose trails recorded the fixture's events: one, so no organization is known. */
const fixtureAccounts = () => [...new Set(rawRecords().map((r) => r.recipientAccountId))].sort();


describe('the backdoored role through the route', () => {
  it('12:26: AdministratorAccess attached, the trust names the external account 193672423079 (outside the account)', async () => {
    const at = `${DAY}T12:26:00Z`;
    const truth = rawState('roleName', ROLE, at);
    expect(truth).toEqual({ exists: true, attached: [ADMIN], externalAccounts: [EXTERNAL] });
    const { status, body } = await ask('IAM_ROLE', ROLE_ARN, at);
    expect(status).toBe(200);
    expect(body.Exists).toBe(true);
    expect(body.Coverage).toBe('FULL');
    expect(body.AttachedPolicies).toEqual(truth.attached.map((PolicyArn) => ({ PolicyArn })));
    expect(body.TrustPolicy).toContain(EXTERNAL);
    // One account's logs: no organization is known, so only OUTSIDE_ACCOUNT (test/api/permissions.test.ts has several).
    expect(fixtureAccounts()).toEqual([ACCOUNT]);
    expect(body.OrganizationAccounts).toEqual([]);
    expect(body.ExternalPrincipals).toEqual([{ Principal: `arn:aws:iam::${EXTERNAL}:root`, Kind: 'AWS', AccountId: EXTERNAL, Flags: ['OUTSIDE_ACCOUNT'] }]);
    // Every change up to the moment, as the raw events list them.
    const raw = rawWrites('roleName', ROLE).filter((r) => Date.parse(r.eventTime) <= Date.parse(at));
    expect(body.Changes.map((c: any) => [c.Time, c.EventName, c.By, c.EventId, c.Succeeded])).toEqual(raw.map((r) => [r.eventTime, r.eventName, r.userIdentity.arn, r.eventID, !r.errorCode]));
  });

  it('12:28:30: the external principal is gone (trust reverted at 12:28:24), the policy still attached', async () => {
    const at = `${DAY}T12:28:30Z`;
    const truth = rawState('roleName', ROLE, at);
    expect(truth).toEqual({ exists: true, attached: [ADMIN], externalAccounts: [] });
    const { body } = await ask('IAM_ROLE', ROLE, at);
    expect(body.Exists).toBe(true);
    expect(body.AttachedPolicies).toEqual([{ PolicyArn: ADMIN }]);
    expect(body.ExternalPrincipals).toEqual([]);
    expect(body.TrustPolicy).not.toContain(EXTERNAL);
    expect(body.Changes.map((c: any) => c.EventName)).toEqual(rawWrites('roleName', ROLE).filter((r) => Date.parse(r.eventTime) <= Date.parse(at)).map((r) => r.eventName));
  });

  it('after 12:28:35 the role no longer exists', async () => {
    const at = `${DAY}T12:28:36Z`;
    expect(rawState('roleName', ROLE, at).exists).toBe(false);
    const { body } = await ask('IAM_ROLE', ROLE_ARN, at);
    expect(body.Exists).toBe(false);
    expect(body.Coverage).toBe('FULL');
    expect(body.AttachedPolicies).toEqual([]);
    expect(body.Changes.at(-1).EventName).toBe('DeleteRole');
  });

  it('before its creation it did not exist yet', async () => {
    const { body } = await ask('IAM_ROLE', ROLE_ARN, `${DAY}T12:00:00Z`);
    expect(body.Exists).toBe(false);
    expect(body.Changes).toEqual([]);
  });
});

describe('the malicious user through the route', () => {
  it('12:26: AdministratorAccess attached, one access key', async () => {
    const at = `${DAY}T12:26:00Z`;
    const truth = rawState('userName', USER, at);
    expect(truth.attached).toEqual([ADMIN]);
    const keys = rawWrites('userName', USER).filter((r) => r.eventName === 'CreateAccessKey' && Date.parse(r.eventTime) <= Date.parse(at));
    const { body } = await ask('IAM_USER', USER, at);
    expect(body.Exists).toBe(true);
    expect(body.AttachedPolicies).toEqual([{ PolicyArn: ADMIN }]);
    expect(body.AccessKeys.map((key: any) => key.AccessKeyId)).toEqual(keys.map((r) => (r.responseElements?.accessKey as { accessKeyId: string }).accessKeyId));
    expect(body.EntityType).toBe('IAM_USER');
  });

  it('a failed call is listed as an attempt and changes nothing', async () => {
    const failed = rawRecords().find((r) => r.eventName === 'DeleteLoginProfile' && r.errorCode && r.requestParameters?.userName === 'stratus-red-team-login-profile-user');
    expect(failed).toBeDefined();
    const { body } = await ask('IAM_USER', `arn:aws:iam::${ACCOUNT}:user/stratus-red-team-login-profile-user`, `${DAY}T12:28:34Z`);
    const attempt = body.Changes.find((c: any) => c.EventId === failed!.eventID);
    expect(attempt).toMatchObject({ Succeeded: false, ErrorCode: failed!.errorCode });
    expect(body.LoginProfile).toBeNull();
  });
});

describe('bad requests are 400s', () => {
  it.each([
    ['no body members', {}],
    ['an unknown type', { EntityType: 'S3_BUCKET', EntityId: 'x', AtTime: `${DAY}T12:00:00Z` }],
    ['a user ARN for a role', { EntityType: 'IAM_ROLE', EntityId: `arn:aws:iam::${ACCOUNT}:user/x`, AtTime: `${DAY}T12:00:00Z` }],
    ['a hostile id', { EntityType: 'IAM_ROLE', EntityId: 'a\u001b[2Jb', AtTime: `${DAY}T12:00:00Z` }],
    ['an oversize id', { EntityType: 'IAM_ROLE', EntityId: 'r'.repeat(5000), AtTime: `${DAY}T12:00:00Z` }],
    ['no moment', { EntityType: 'IAM_ROLE', EntityId: ROLE, AtTime: '2023-07-10T25:61:61Z' }],
    ['a future moment', { EntityType: 'IAM_ROLE', EntityId: ROLE, AtTime: '2999-01-01T00:00:00Z' }],
    ['an extra member', { EntityType: 'IAM_ROLE', EntityId: ROLE, AtTime: `${DAY}T12:00:00Z`, Extra: 1 }],
  ])('%s', async (_what, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.Message ?? response.body.message).toBeTruthy();
  });

  it.each([`arn:aws:iam::${ACCOUNT}:role/never-seen-role`, 'never-seen-role'])('a role never seen (%s) is answered, as not known', async (id) => {
    const { status, body } = await ask('IAM_ROLE', id, `${DAY}T12:00:00Z`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ AccountId: ACCOUNT, Exists: null, Coverage: 'PARTIAL', Changes: [] });
  });
});

describe('storage', () => {
  const historyItem = async (type: string, name: string) =>
    (await corpus().localStack.documents.send(new GetCommand({ TableName: corpus().localStack.tableNames[ACTIVITY_TABLE.envVar], Key: { subject: `iam#${ACCOUNT}#${type}#${name.toLowerCase()}`, slot: 'history' } }))).Item;

  it('one history item per entity IAM changed, none for a principal that only called', async () => {
    expect(await historyItem('ROLE', ROLE)).toBeDefined();
    expect(await historyItem('USER', USER)).toBeDefined();
    // bert-jan made every IAM call and was changed by none.
    expect(rawRecords().some((r) => r.eventSource === 'iam.amazonaws.com' && r.requestParameters?.userName === 'bert-jan')).toBe(false);
    expect(await historyItem('USER', 'bert-jan')).toBeUndefined();
  });

  it('a redelivery of the same log objects under other keys (each eventID again) changes no history', async () => {
    const before = await historyItem('ROLE', ROLE);
    const iamFiles = corpusLogFiles().filter((path) => rawRecordsOf(path).some((r) => r.requestParameters?.roleName === ROLE));
    expect(iamFiles.length).toBeGreaterThan(0);
    const copies = listLogFiles(CORPUS_DIR)
      .filter((file) => iamFiles.includes(file.path))
      .map((file) => ({ ...file, key: file.key.replace(/^AWSLogs\//, 'AWSLogs/o-redelivery1/') }));
    const manifestKey = { subject: `account#${ACCOUNT}`, slot: `${DAY}T12#${ACCOUNT}` };
    const table = corpus().localStack.tableNames[ACTIVITY_TABLE.envVar];
    const objectsBefore = (await corpus().localStack.documents.send(new GetCommand({ TableName: table, Key: manifestKey }))).Item?.objectCount;
    await corpus().localStack.upload(copies);
    await corpus().localStack.drain();
    // The hour was recompacted with the copies...
    const objectsAfter = (await corpus().localStack.documents.send(new GetCommand({ TableName: table, Key: manifestKey }))).Item?.objectCount;
    expect(objectsAfter).toBe(objectsBefore + copies.length);
    // ...and the history was not rewritten: same version, same body.
    const after = await historyItem('ROLE', ROLE);
    expect(after?.version).toBe(before?.version);
    expect(Buffer.from(after?.body).equals(Buffer.from(before?.body))).toBe(true);
    const { body } = await ask('IAM_ROLE', ROLE_ARN, `${DAY}T12:30:00Z`);
    expect(body.Changes.length).toBe(rawWrites('roleName', ROLE).length);
  });
});

describe('in investigations (the ApiActivity stage output and the report)', () => {
  const permissionsOf = (output: unknown) => ((output as { analysis: { stage: string }[] }).analysis.find((a) => a.stage === 'ApiActivity') as ApiActivitySummary).permissions ?? [];
  const inScope = (param: 'roleName' | 'userName', name: string, from: string, to: string) =>
    rawWrites(param, name).filter((r) => Date.parse(r.eventTime) >= Date.parse(from) && Date.parse(r.eventTime) < Date.parse(to));

  it('the malicious user: AdministratorAccess attached to it by bert-jan, from which key and address, and its deletion', async () => {
    const [from, to] = [`${DAY}T12:00:00Z`, `${DAY}T13:00:00Z`];
    const run = await corpus().investigate(`arn:aws:iam::${ACCOUNT}:user/${USER}`, from, to);
    const [user] = permissionsOf(run.outcome.output);
    const raw = inScope('userName', USER, from, to);
    expect(user).toMatchObject({ EntityType: 'USER', Name: USER, ExistedAtStart: false, ExistsAtEnd: false, Coverage: 'FULL', AttachedPolicies: [ADMIN] });
    expect(user.ChangesInScope).toBe(raw.length);
    const attach = raw.find((r) => r.eventName === 'AttachUserPolicy')!;
    const says = `AdministratorAccess attached to user ${USER} by ${attach.userIdentity.arn} (session ${attach.userIdentity.accessKeyId}, from ${attach.sourceIPAddress})`;
    expect(user.Changes.find((c) => c.EventId === attach.eventID)?.Says).toBe(says);
    const report = investigationReport({ investigation: run.investigation, indicators: run.indicators, executionOutput: run.outcome.output as never }).join('\n');
    expect(report).toContain(`${attach.eventTime}  ${says}`);
  });

  it('bert-jan: its own permissions are not known (no IAM event, no snapshot), and every role of its chains is reported with its changes', async () => {
    const [from, to] = [`${DAY}T11:00:00Z`, `${DAY}T13:00:00Z`];
    const run = await corpus().investigate(`arn:aws:iam::${ACCOUNT}:user/bert-jan`, from, to);
    const [own, ...roles] = permissionsOf(run.outcome.output);
    expect(own).toMatchObject({ Name: 'bert-jan', Coverage: 'PARTIAL', Changes: [] });
    // The roles bert-jan's sessions were of, from its successful AssumeRole calls in the scope.
    const assumed = [
      ...new Set(
        rawRecords()
          .filter((r) => r.eventName === 'AssumeRole' && !r.errorCode && r.userIdentity.userName === 'bert-jan' && r.eventTime >= from && r.eventTime < to)
          .map((r) => String(r.requestParameters?.roleArn).split('/').pop()),
      ),
    ].sort();
    expect(assumed.length).toBeGreaterThan(3);
    expect(roles.map((role) => role.Name).sort()).toEqual(assumed);
    for (const role of roles) {
      const raw = inScope('roleName', role.Name, from, to);
      expect([role.Name, role.ChangesInScope]).toEqual([role.Name, raw.length]);
      expect(role.Changes.map((c) => c.EventId).sort()).toEqual(raw.slice(0, 15).map((r) => r.eventID).sort());
    }
  });
});

describe('an IAM snapshot (--iam-snapshot)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-snapshot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const SNAPSHOT_TIME = `${DAY}T11:00:00Z`;
  const details = {
    UserDetailList: [
      { UserName: 'bert-jan', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:user/bert-jan`, GroupList: ['admins'], UserPolicyList: [], AttachedManagedPolicies: [{ PolicyName: 'IAMFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }] },
    ],
    GroupDetailList: [{ GroupName: 'admins', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:group/admins`, GroupPolicyList: [], AttachedManagedPolicies: [] }],
    RoleDetailList: [],
    Policies: [],
    IsTruncated: false,
  };

  beforeAll(async () => {
    const file = join(dir, 'authorization-details.json');
    writeFileSync(file, JSON.stringify(details));
    const lines = await loadIamSnapshot(corpus().localStack.queries.iam, file, SNAPSHOT_TIME);
    expect(lines[0]).toContain(`account ${ACCOUNT}`);
  });

  it('fills in an entity older than the logs: FULL from the snapshot on, credentials still PARTIAL', async () => {
    const { body } = await ask('IAM_USER', 'bert-jan', `${DAY}T12:00:00Z`);
    expect(body).toMatchObject({ Exists: true, Coverage: 'FULL', CredentialsCoverage: 'PARTIAL', AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' }], Groups: [{ GroupName: 'admins' }] });
    const before = await ask('IAM_USER', 'bert-jan', `${DAY}T10:59:59Z`);
    expect(before.body).toMatchObject({ Exists: null, Coverage: 'PARTIAL' });
  });

  it('a role absent from the complete role list did not exist at the snapshot, and its creation after it is still seen', async () => {
    const { body } = await ask('IAM_ROLE', ROLE_ARN, `${DAY}T12:26:00Z`);
    expect(body).toMatchObject({ Exists: true, Coverage: 'FULL', AttachedPolicies: [{ PolicyArn: ADMIN }] });
  });

  it('the CLI prints the state and the timeline, escaped by printLines', async () => {
    const lines = await permissionsLines(buildLocalApi({ runner: { start: () => Promise.reject(new Error('no investigation here')) } }), { entityType: 'IAM_ROLE', entityId: ROLE, at: `${DAY}T12:26:00Z`, json: false });
    const text = lines.join('\n');
    expect(text).toContain(`Attached policies: ${ADMIN}`);
    expect(text).toContain(`arn:aws:iam::${EXTERNAL}:root (account ${EXTERNAL}): OUTSIDE_ACCOUNT`);
    const timeline = lines.slice(lines.findIndex((line) => line.startsWith('Timeline')) + 1);
    expect(timeline.map((line) => line.trim().split(/\s+/)[2])).toEqual(rawWrites('roleName', ROLE).filter((r) => Date.parse(r.eventTime) <= Date.parse(`${DAY}T12:26:00Z`)).map((r) => r.eventName));
  });
});

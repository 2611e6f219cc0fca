/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked against the OpenAPI document in post() */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord, UserIdentity } from '../../lambdas/core/cloudtrail/types';
import { startApiServer, type ApiServer } from '../../local/http/server';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { setLogSink } from '../../lambdas/shared/log';
import { ACCOUNT, OTHER_ACCOUNT, assumeRole, assumedRole, iamUser, record } from '../helpers/records';
import { openApiViolations } from '../helpers/openapi';

/**
 * Two accounts that use each other's roles, through the local pipeline and API: alice (account A) assumes B's
 * Deploy role, bob (account B) assumes A's Audit role. Each AssumeRole is delivered to both trails with one
 * sharedEventID. Expected values are counted here from the records written to the log files, not by our code.
 */
jest.setTimeout(120_000);

const A = ACCOUNT;
const B = OTHER_ACCOUNT;
const HOUR = '2026-10-22T10';
const NEXT = '2026-10-22T11';
const WHOLE = { ScopeStartTime: `${HOUR}:00:00.000Z`, ScopeEndTime: '2026-10-22T12:00:00.000Z' };
/** Cuts both hours: counts must be exact to the millisecond. */
const CUT = { ScopeStartTime: `${HOUR}:02:30.000Z`, ScopeEndTime: `${NEXT}:20:00.000Z` };

const alice = iamUser('alice', 'AKIAALICE00000000001', A);
const bob = iamUser('bob', 'AKIABOB0000000000001', B);
const deployRole = `arn:aws:iam::${B}:role/Deploy`;
const auditRole = `arn:aws:iam::${A}:role/Audit`;
const deploySession = assumedRole('Deploy', 'alice', 'ASIADEPLOYALICE00001', { account: B, creationDate: `${HOUR}:04:00Z` });
const auditSession = assumedRole('Audit', 'bob', 'ASIAAUDITBOB00000001', { account: A, creationDate: `${HOUR}:20:00Z` });
/** The role owner's copy of a cross-account AssumeRole names only the caller's account. */
const accountOf = (account: string): UserIdentity => ({ type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: account });

const at = (hour: string, minute: number) => `${hour}:${String(minute).padStart(2, '0')}:00Z`;
const S1 = '11111111-2222-4333-8444-555555555551';
const S2 = '11111111-2222-4333-8444-555555555552';

/** Each trail's records: what the two accounts' CloudTrail delivered. */
const trails: Record<string, CloudTrailRecord[]> = {
  [A]: [
    record({ userIdentity: alice, eventTime: at(HOUR, 1), recipientAccountId: A }),
    record({ userIdentity: alice, eventTime: at(HOUR, 2), recipientAccountId: A, errorCode: 'AccessDenied' }),
    record({ userIdentity: alice, eventTime: at(HOUR, 3), recipientAccountId: A }),
    assumeRole(alice, deployRole, 'alice', 'ASIADEPLOYALICE00001', { eventTime: at(HOUR, 4), recipientAccountId: A, sharedEventID: S1 }),
    // Bob's assumption of Audit, as A's trail records it: here with his identity, as for calls on A's resources.
    assumeRole(bob, auditRole, 'bob', 'ASIAAUDITBOB00000001', { eventTime: at(HOUR, 20), recipientAccountId: A, sharedEventID: S2 }),
    ...[21, 22].map((m) => record({ userIdentity: auditSession, eventTime: at(HOUR, m), recipientAccountId: A })),
    record({ userIdentity: auditSession, eventTime: at(NEXT, 5), recipientAccountId: A }),
    record({ userIdentity: alice, eventTime: at(NEXT, 10), recipientAccountId: A }),
    record({ userIdentity: alice, eventTime: at(NEXT, 40), recipientAccountId: A }),
  ],
  [B]: [
    assumeRole(accountOf(A), deployRole, 'alice', 'ASIADEPLOYALICE00001', { eventTime: at(HOUR, 4), recipientAccountId: B, sharedEventID: S1 }),
    ...[10, 11, 12, 13].map((m) => record({ userIdentity: deploySession, eventTime: at(HOUR, m), recipientAccountId: B })),
    assumeRole(bob, auditRole, 'bob', 'ASIAAUDITBOB00000001', { eventTime: at(HOUR, 20), recipientAccountId: B, sharedEventID: S2 }),
    ...[30, 31].map((m) => record({ userIdentity: bob, eventTime: at(HOUR, m), recipientAccountId: B })),
  ],
};

let stack: LocalStack;
let api: ApiServer;
let dataDir: string;

async function post(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json();
  expect(openApiViolations(path, response.status, json)).toBeUndefined();
  expect([path, response.status]).toEqual([path, 200]);
  return json;
}

const related = async (EntityId: string, RelatedEntityType: string, scope = WHOLE) => (await post('/graph/listRelatedEntities', { EntityType: 'AWS_ACCOUNT', EntityId, RelatedEntityType, ...scope })).Entities;

// ---- independent counts over the records above ----

const within = (scope: typeof WHOLE) => (r: CloudTrailRecord) => Date.parse(r.eventTime) >= Date.parse(scope.ScopeStartTime) && Date.parse(r.eventTime) < Date.parse(scope.ScopeEndTime);
/** Every record of both trails, each action once (copies share a sharedEventID). */
function actions(scope: typeof WHOLE): CloudTrailRecord[] {
  const unique = new Map<string, CloudTrailRecord>();
  for (const r of [...trails[A], ...trails[B]].filter(within(scope))) if (!unique.has(r.sharedEventID ?? r.eventID ?? '')) unique.set(r.sharedEventID ?? r.eventID ?? '', r);
  return [...unique.values()];
}
const byKey = (records: CloudTrailRecord[], key: string) => records.filter((r) => r.userIdentity.accessKeyId === key);

beforeAll(async () => {
  setLogSink(() => undefined);
  dataDir = mkdtempSync(join(tmpdir(), 'trailhound-cross-graph-'));
  const logs = join(dataDir, 'logs');
  for (const [account, records] of Object.entries(trails)) {
    const folder = join(logs, 'AWSLogs', account, 'CloudTrail', 'us-east-1', '2026', '10', '22');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${account}_CloudTrail_us-east-1_20261022T1005Z_x.json.gz`), gzipSync(JSON.stringify({ Records: records })));
  }
  stack = await LocalStack.start({ dataDir: join(dataDir, 'data'), inMemory: true });
  await stack.upload(listLogFiles(logs));
  await stack.drain();
  api = await startApiServer({ port: 0, runner: { start: () => Promise.resolve() } });
});

afterAll(async () => {
  await api?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('listRelatedEntities from an AWS account: cross-account role use both ways', () => {
  it('names the other account, related both ways, with the calls of the sessions crossing', async () => {
    for (const scope of [WHOLE, CUT]) {
      const crossing = [...byKey(actions(scope), 'ASIAAUDITBOB00000001'), ...byKey(actions(scope), 'ASIADEPLOYALICE00001')];
      for (const [from, other] of [[A, B], [B, A]]) {
        expect(await related(from, 'AWS_ACCOUNT', scope)).toEqual([
          expect.objectContaining({ EntityType: 'AWS_ACCOUNT', EntityId: other, Relationship: 'CROSS_ACCOUNT_BOTH', CallCount: crossing.length, SessionCount: 2 }),
        ]);
      }
    }
  });

  it("names the account's roles used from other accounts and the other accounts' roles its principals assumed", async () => {
    const all = actions(WHOLE);
    const roles = await related(A, 'IAM_ROLE');
    expect(roles.map((r: any) => [r.EntityId, r.Relationship, r.AccountId, r.CallCount, r.SessionCount])).toEqual(
      [
        [auditRole, 'ASSUMED_FROM_OTHER_ACCOUNT', A, byKey(all, 'ASIAAUDITBOB00000001').length, 1],
        [deployRole, 'ASSUMED_IN_OTHER_ACCOUNT', B, byKey(all, 'ASIADEPLOYALICE00001').length, 1],
      ].sort((x, y) => (y[3] as number) - (x[3] as number)),
    );
    // From B's side: its Deploy role used from A, and A's Audit role assumed by bob.
    expect((await related(B, 'IAM_ROLE')).map((r: any) => [r.EntityId, r.Relationship]).sort()).toEqual([
      [auditRole, 'ASSUMED_IN_OTHER_ACCOUNT'],
      [deployRole, 'ASSUMED_FROM_OTHER_ACCOUNT'],
    ]);
  });

  it("names the account's users with their exact calls, in a whole and in a cut scope", async () => {
    for (const scope of [WHOLE, CUT]) {
      const calls = actions(scope).filter((r) => r.userIdentity.userName === 'alice');
      expect((await related(A, 'IAM_USER', scope)).map((u: any) => [u.EntityId, u.Relationship, u.CallCount, u.FailedCallCount])).toEqual([
        [alice.arn, 'PRINCIPAL_OF_ACCOUNT', calls.length, calls.filter((r) => r.errorCode).length],
      ]);
    }
  });
});

describe('exact counts of the account profile and the summary', () => {
  it("counts the account trail's events in the scope, each once, cut at the scope's edges", async () => {
    for (const scope of [WHOLE, CUT]) {
      const own = trails[A].filter(within(scope));
      const panel = await post('/graph/getEntityProfile', { EntityType: 'AWS_ACCOUNT', EntityId: A, ...scope });
      expect(panel.Calls).toBe(own.length);
      const top = new Map(panel.TopPrincipals.map((p: any) => [p.Principal, p.Calls]));
      expect(top.get('alice')).toBe(own.filter((r) => r.userIdentity.userName === 'alice').length);
      expect(top.get('Audit')).toBe(byKey(own, 'ASIAAUDITBOB00000001').length);
      // bob is B's: inbound, with what A's trail recorded of him.
      expect(panel.InboundCrossAccount.map((p: any) => [p.Principal, p.Calls, p.HomeAccount])).toEqual(
        own.some((r) => r.userIdentity.userName === 'bob') ? [['bob', own.filter((r) => r.userIdentity.userName === 'bob').length, B]] : [],
      );
    }
  });

  it('gives the top users their calls exact to the window, an action in two trails once', async () => {
    for (const scope of [WHOLE, CUT]) {
      const summary = await post('/graph/getSummary', scope);
      const expected = new Map<string, number>();
      for (const r of actions(scope)) if (r.userIdentity.type === 'IAMUser') expected.set(r.userIdentity.userName as string, (expected.get(r.userIdentity.userName as string) ?? 0) + 1);
      expect(new Map(summary.TopUsers.map((u: any) => [u.Principal, u.Calls]))).toEqual(expected);
      const roles = new Map<string, number>();
      for (const r of actions(scope)) if (r.userIdentity.type === 'AssumedRole') roles.set(r.userIdentity.sessionContext?.sessionIssuer?.userName as string, (roles.get(r.userIdentity.sessionContext?.sessionIssuer?.userName as string) ?? 0) + 1);
      expect(new Map(summary.TopRoles.map((u: any) => [u.Principal, u.Calls]))).toEqual(roles);
    }
  });
});

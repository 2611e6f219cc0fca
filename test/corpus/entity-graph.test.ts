/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, each validated against the OpenAPI schemas in post() */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import { buildApiHandler, graphDependenciesFromEnv } from '../../lambdas/api/handler';
import { lambdaContext, toProxyEvent } from '../../local/http/proxy-event';
import { parseCsv } from '../helpers/csv';
import { expectSchema } from '../helpers/openapi-schemas';
import { corpusPipelineWithoutScans } from './corpus-pipeline';
import { isTemporaryKey, rawRecords, type RawRecord } from './raw-corpus';

/**
 * searchEntities and listRelatedEntities on the real corpus, through the local HTTP server (and the Lambda
 * handler once). Every expected value is computed here from the raw records (gunzip + JSON.parse), not by our code.
 */
jest.setTimeout(240_000);

const ACCOUNT = '123837392027';
const BERT_JAN = `arn:aws:iam::${ACCOUNT}:user/bert-jan`;
const FROM = '2023-07-10T11:00:00.000Z';
const TO = '2023-07-10T13:00:00.000Z';
/** A scope that cuts hours: counts must be exact to the millisecond. */
const CUT_FROM = '2023-07-10T11:55:30.500Z';
const CUT_TO = '2023-07-10T12:20:00.000Z';

const corpus = corpusPipelineWithoutScans();

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${corpus().apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (response.status === 200) expectSchema(path === '/graph/searchEntities' ? 'SearchEntitiesResponse' : 'ListRelatedEntitiesResponse', json);
  else expectSchema(response.status === 400 ? 'ValidationExceptionBody' : 'ErrorBody', json);
  return { status: response.status, body: json };
}

/** Every page of a listing. */
async function all(path: string, body: Record<string, unknown>): Promise<any[]> {
  const entities: any[] = [];
  let NextToken: string | undefined;
  do {
    const page = await post(path, { ...body, ...(NextToken ? { NextToken } : {}) });
    expect(page.status).toBe(200);
    entities.push(...page.body.Entities);
    NextToken = page.body.NextToken;
  } while (NextToken);
  return entities;
}

const related = (EntityType: string, EntityId: string, RelatedEntityType: string, from = FROM, to = TO) =>
  all('/graph/listRelatedEntities', { EntityType, EntityId, RelatedEntityType, ScopeStartTime: from, ScopeEndTime: to, MaxResults: 3 });
const search = (EntityType: string, Query: string) => all('/graph/searchEntities', { EntityType, Query, ScopeStartTime: FROM, ScopeEndTime: TO, MaxResults: 2 });

/** The raw records in [from, to), each eventID once. */
function recordsIn(from: string, to: string): RawRecord[] {
  const unique = new Map<string, RawRecord>();
  for (const r of rawRecords()) if (Date.parse(r.eventTime) >= Date.parse(from) && Date.parse(r.eventTime) < Date.parse(to)) unique.set(r.eventID, r);
  return [...unique.values()];
}

const roleOf = (r: RawRecord) => `arn:aws:iam::${ACCOUNT}:role/${(r.userIdentity.sessionContext?.sessionIssuer?.arn ?? '').split('/').pop()}`;
const userOf = (r: RawRecord) => `arn:aws:iam::${ACCOUNT}:user/${r.userIdentity.userName}`;

/** id → [calls, failures, first, last] of the records grouped by `key` (undefined: left out). */
function tally(records: readonly RawRecord[], key: (r: RawRecord) => string | undefined): Record<string, [number, number, string, string]> {
  const out: Record<string, [number, number, string, string]> = {};
  for (const r of [...records].sort((a, b) => a.eventTime.localeCompare(b.eventTime))) {
    const k = key(r);
    if (k === undefined) continue;
    const time = new Date(r.eventTime).toISOString();
    const t = (out[k] ??= [0, 0, time, time]);
    t[0]++;
    if (r.errorCode) t[1]++;
    t[3] = time;
  }
  return out;
}

const asTally = (entities: any[]) => Object.fromEntries(entities.map((e) => [e.EntityId, [e.CallCount, e.FailedCallCount, e.FirstSeenTime, e.LastSeenTime]]));

interface RawSession {
  key: string;
  role: string;
  name: string;
  callerKey?: string;
  callerUser?: string;
}

/** Sessions created by successful AssumeRole calls, from their creating records. */
function rawSessions(): RawSession[] {
  return rawRecords()
    .filter((r) => r.eventName === 'AssumeRole' && !r.errorCode && (r.responseElements?.credentials as any)?.accessKeyId)
    .map((r) => ({
      key: (r.responseElements?.credentials as any).accessKeyId as string,
      role: `arn:aws:iam::${ACCOUNT}:role/${String(r.requestParameters?.roleArn).split('/').pop()}`,
      name: String(r.requestParameters?.roleSessionName),
      ...(r.userIdentity.accessKeyId ? { callerKey: r.userIdentity.accessKeyId } : {}),
      ...(r.userIdentity.type === 'IAMUser' ? { callerUser: userOf(r) } : {}),
    }));
}

/** The IAM user at the root of a session's chain, following creating records up. */
function rootUser(session: RawSession, sessions: readonly RawSession[]): string | undefined {
  let current: RawSession | undefined = session;
  for (let depth = 0; current && depth < 20; depth++) {
    if (current.callerUser) return current.callerUser;
    current = sessions.find((s) => s.key === current?.callerKey);
  }
  return undefined;
}


describe('listRelatedEntities on the real corpus', () => {
  it('names who called from 192.168.10.20, with exact counts, in a whole and in a cut scope', async () => {
    for (const [from, to] of [[FROM, TO], [CUT_FROM, CUT_TO]]) {
      const records = recordsIn(from, to).filter((r) => r.sourceIPAddress === '192.168.10.20');
      expect(asTally(await related('IP_ADDRESS', '192.168.10.20', 'IAM_USER', from, to))).toEqual(tally(records, (r) => (r.userIdentity.type === 'IAMUser' ? userOf(r) : undefined)));
      expect(asTally(await related('IP_ADDRESS', '192.168.10.20', 'IAM_ROLE', from, to))).toEqual(tally(records, (r) => (r.userIdentity.type === 'AssumedRole' ? roleOf(r) : undefined)));
      expect(asTally(await related('IP_ADDRESS', '192.168.10.20', 'ROLE_SESSION', from, to))).toEqual(tally(records, (r) => (r.userIdentity.type === 'AssumedRole' ? r.userIdentity.arn : undefined)));
    }
    const users = await related('IP_ADDRESS', '192.168.10.20', 'IAM_USER');
    expect(users.find((u) => u.EntityId === BERT_JAN)).toMatchObject({ Relationship: 'CALLED_FROM', AccountId: ACCOUNT, EntityType: 'IAM_USER' });
  });

  it("lists bert-jan's sessions and the roles he assumed, directly or through a chain", async () => {
    const sessions = rawSessions();
    const his = sessions.filter((s) => rootUser(s, sessions) === BERT_JAN);
    expect(his.length).toBeGreaterThan(0);
    const roles = await related('IAM_USER', BERT_JAN, 'IAM_ROLE');
    expect(roles.map((r) => r.EntityId).sort()).toEqual([...new Set(his.map((s) => s.role))].sort());
    for (const role of roles) expect(role.Relationship).toBe(his.some((s) => s.role === role.EntityId && s.callerUser === BERT_JAN) ? 'ASSUMED_ROLE' : 'ROOT_PRINCIPAL_OF');
    // Calls made with his sessions, per role, counted from the records that carry their keys.
    const keys = new Map(his.map((s) => [s.key, s.role]));
    const calls = tally(recordsIn(FROM, TO), (r) => keys.get(r.userIdentity.accessKeyId ?? ''));
    for (const role of roles) expect([role.EntityId, role.CallCount, role.FailedCallCount]).toEqual([role.EntityId, calls[role.EntityId]?.[0] ?? 0, calls[role.EntityId]?.[1] ?? 0]);
    const mine = await related('IAM_USER', BERT_JAN, 'ROLE_SESSION');
    const expected = [...new Set(his.map((s) => `arn:aws:sts::${ACCOUNT}:assumed-role/${s.role.split('/').pop()}/${s.name}`))].sort();
    expect(mine.map((s) => s.EntityId).sort()).toEqual(expected);
  });

  it('names the users of each role as the root principals of its sessions (through chains)', async () => {
    const sessions = rawSessions();
    const used = new Set(recordsIn(FROM, TO).map((r) => r.userIdentity.accessKeyId));
    const roles = [...new Set(sessions.map((s) => s.role))].sort();
    expect(roles.length).toBeGreaterThan(1);
    for (const role of roles) {
      const expected = [...new Set(sessions.filter((s) => s.role === role && used.has(s.key)).map((s) => rootUser(s, sessions)).filter((u): u is string => u !== undefined))].sort();
      const users = await related('IAM_ROLE', role, 'IAM_USER');
      expect([role, users.map((u) => u.EntityId).sort()]).toEqual([role, expected]);
    }
  });

  it("names a session's role and root principal, and an instance's profile role and sessions", async () => {
    // The corpus has no role chains (every AssumeRole is by a user or a service): PARENT_SESSION and CHILD_SESSION
    // are not exercised here.
    const sessions = rawSessions();
    const session = sessions.find((s) => s.callerUser === BERT_JAN && recordsIn(FROM, TO).some((r) => r.userIdentity.accessKeyId === s.key)) as RawSession;
    const roleName = session.role.split('/').pop();
    const users = await related('ROLE_SESSION', session.key, 'IAM_USER');
    expect(users.map((u) => [u.EntityId, u.Relationship])).toEqual([[BERT_JAN, 'ROOT_PRINCIPAL_OF']]);
    const calls = recordsIn(FROM, TO).filter((r) => r.userIdentity.accessKeyId === session.key);
    expect(users[0]).toMatchObject({ CallCount: calls.length, FailedCallCount: calls.filter((r) => r.errorCode).length, SessionCount: 1 });
    expect((await related('ROLE_SESSION', `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${session.name}`, 'IAM_ROLE')).map((r) => [r.EntityId, r.Relationship])).toEqual([[session.role, 'SESSION_OF_ROLE']]);
    // EC2 delivers instance credentials with the instance id as the session name.
    const instance = rawRecords().find((r) => r.eventName === 'AssumeRole' && r.userIdentity.type === 'AWSService' && /^i-[0-9a-f]+$/.test(String(r.requestParameters?.roleSessionName))) as RawRecord;
    const instanceId = String(instance.requestParameters?.roleSessionName);
    const instanceRole = `arn:aws:iam::${ACCOUNT}:role/${String(instance.requestParameters?.roleArn).split('/').pop()}`;
    expect((await related('EC2_INSTANCE', instanceId, 'IAM_ROLE')).map((r) => [r.EntityId, r.Relationship])).toEqual([[instanceRole, 'INSTANCE_PROFILE_ROLE']]);
    const instanceSessions = await related('EC2_INSTANCE', instanceId, 'ROLE_SESSION');
    expect(instanceSessions.map((r) => r.EntityId)).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/${instanceRole.split('/').pop()}/${instanceId}`);
    expect(instanceSessions.every((r) => r.Relationship === 'INSTANCE_PROFILE_SESSION')).toBe(true);
  });

  it('refuses relations it does not serve and bad input with a 400, never a 5xx', async () => {
    const base = { EntityType: 'IP_ADDRESS', EntityId: '192.168.10.20', RelatedEntityType: 'IAM_USER', ScopeStartTime: FROM, ScopeEndTime: TO };
    for (const body of [
      { ...base, RelatedEntityType: 'IP_ADDRESS' },
      { ...base, EntityType: 'AWS_ACCOUNT', EntityId: ACCOUNT, RelatedEntityType: 'IP_ADDRESS' },
      { ...base, EntityType: 'AWS_ACCOUNT', EntityId: 'arn:aws:iam::123837392027:root' },
      { ...base, ScopeStartTime: '2023-01-01T00:00:00Z' },
      { ...base, ScopeEndTime: FROM },
      { ...base, NextToken: 'forged.token' },
      { ...base, Bogus: 1 },
    ]) {
      const answer = await post('/graph/listRelatedEntities', body);
      expect([body, answer.status]).toEqual([body, 400]);
    }
  });
});

async function postCsv(path: string, body: unknown): Promise<{ status: number; type: string | null; nextToken: string | null; rows: string[][] }> {
  const response = await fetch(`${corpus().apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/csv' }, body: JSON.stringify(body) });
  return { status: response.status, type: response.headers.get('content-type'), nextToken: response.headers.get('x-next-token'), rows: parseCsv(await response.text()) };
}

describe('listRelatedEntities from an AWS account on the real corpus', () => {
  it("names the account's principals, busiest first, with exact counts in a whole and in a cut scope", async () => {
    for (const [from, to] of [[FROM, TO], [CUT_FROM, CUT_TO]]) {
      const records = recordsIn(from, to);
      const users = await related('AWS_ACCOUNT', ACCOUNT, 'IAM_USER', from, to);
      expect(asTally(users)).toEqual(tally(records, (r) => (r.userIdentity.type === 'IAMUser' ? userOf(r) : undefined)));
      const roles = await related('AWS_ACCOUNT', ACCOUNT, 'IAM_ROLE', from, to);
      expect(asTally(roles)).toEqual(tally(records, (r) => (r.userIdentity.type === 'AssumedRole' ? roleOf(r) : undefined)));
      for (const entity of [...users, ...roles]) expect(entity).toMatchObject({ Relationship: 'PRINCIPAL_OF_ACCOUNT', AccountId: ACCOUNT });
      // Busiest first (then by id): the order pages follow.
      const counts = users.map((u) => u.CallCount);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    }
  });

  it('finds no cross-account role use where the raw records show none', async () => {
    // Independently: every AssumeRole targets a role of this account, and every caller is of this account (or a service).
    const assumes = rawRecords().filter((r) => r.eventName === 'AssumeRole' && typeof r.requestParameters?.roleArn === 'string');
    expect(assumes.length).toBeGreaterThan(0);
    expect(assumes.every((r) => String(r.requestParameters?.roleArn).split(':')[4] === ACCOUNT)).toBe(true);
    expect(new Set(rawRecords().map((r) => (r.userIdentity as { accountId?: string }).accountId ?? ACCOUNT))).toEqual(new Set([ACCOUNT]));
    expect(new Set(rawRecords().map((r) => r.recipientAccountId))).toEqual(new Set([ACCOUNT]));
    expect(await related('AWS_ACCOUNT', ACCOUNT, 'AWS_ACCOUNT')).toEqual([]);
    const roles = await related('AWS_ACCOUNT', ACCOUNT, 'IAM_ROLE');
    expect(roles.filter((r) => r.Relationship !== 'PRINCIPAL_OF_ACCOUNT')).toEqual([]);
  });
});

describe('CSV exports (Accept: text/csv)', () => {
  it('gives searchEntities and listRelatedEntities as CSV, row for row the JSON answer, paged through x-next-token', async () => {
    const searchBody = { EntityType: 'IP_ADDRESS', Query: '*', ScopeStartTime: FROM, ScopeEndTime: TO };
    const relatedBody = { EntityType: 'IP_ADDRESS', EntityId: '192.168.10.20', RelatedEntityType: 'IAM_USER', ScopeStartTime: FROM, ScopeEndTime: TO };
    for (const [path, body, header] of [
      ['/graph/searchEntities', searchBody, ['EntityType', 'EntityId', 'DisplayName', 'FirstObservedTime', 'LastObservedTime', 'Sources']],
      ['/graph/listRelatedEntities', relatedBody, ['EntityType', 'EntityId', 'DisplayName', 'Relationship', 'AccountId', 'CallCount', 'FailedCallCount', 'SessionCount', 'FirstSeenTime', 'LastSeenTime']],
    ] as const) {
      const json = await all(path, body);
      expect(json.length).toBeGreaterThan(1);
      const rows: string[][] = [];
      let NextToken: string | null = null;
      do {
        const page = await postCsv(path, { ...body, MaxResults: 2, ...(NextToken ? { NextToken } : {}) });
        expect([page.status, page.type]).toEqual([200, 'text/csv; charset=utf-8']);
        expect(page.rows[0]).toEqual(header);
        rows.push(...page.rows.slice(1));
        NextToken = page.nextToken;
      } while (NextToken);
      expect(rows).toEqual(json.map((entity) => header.map((column) => (entity[column] === undefined ? '' : String(entity[column])))));
    }
    // The addresses of the corpus, counted from the raw records, one row each.
    const addresses = new Set(recordsIn(FROM, TO).map((r) => r.sourceIPAddress).filter((ip) => /^[\d.]+$|:/.test(ip)));
    expect((await all('/graph/searchEntities', searchBody)).length).toBe(addresses.size);
  });
});

describe('searchEntities on the real corpus', () => {
  it('matches wildcards case-insensitively', async () => {
    const roles = [...new Set(recordsIn(FROM, TO).filter((r) => r.userIdentity.type === 'AssumedRole').map(roleOf))];
    const expected = roles.filter((arn) => arn.split('/').pop()!.startsWith('stratus-red-team-ec2')).sort();
    expect(expected.length).toBeGreaterThan(1);
    const found = await search('IAM_ROLE', 'STRATUS-Red-Team-EC2*');
    expect(found.map((e) => e.EntityId)).toEqual(expected);
    expect(found[0]).toMatchObject({ EntityType: 'IAM_ROLE', FirstObservedTime: expect.any(String) });
    expect((await search('IAM_USER', 'Bert-Ja?')).map((e) => e.EntityId)).toEqual([BERT_JAN]);
    expect(await search('IAM_USER', 'bert-j?')).toEqual([]);
  });

  it('matches IP addresses by CIDR, IPv4 and IPv4-mapped IPv6', async () => {
    const addresses = [...new Set(recordsIn(FROM, TO).map((r) => r.sourceIPAddress))];
    const expected = addresses.filter((ip) => /^192\.168\.10\.\d+$/.test(ip)).sort();
    expect(expected).toContain('192.168.10.20');
    expect((await search('IP_ADDRESS', '192.168.10.0/24')).map((e) => e.EntityId)).toEqual(expected);
    expect((await search('IP_ADDRESS', '::ffff:192.168.10.0/120')).map((e) => e.EntityId)).toEqual(expected);
    expect((await search('IP_ADDRESS', '192.168.10.2?')).map((e) => e.EntityId)).toEqual(expected.filter((ip) => /^192\.168\.10\.2\d$/.test(ip)));
  });

  it('finds a role session by access key id, by session name, and by Detective session id', async () => {
    const session = rawSessions().find((s) => recordsIn(FROM, TO).some((r) => r.userIdentity.accessKeyId === s.key)) as RawSession;
    const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${session.role.split('/').pop()}/${session.name}`;
    // Detective's id: the role's principal id (before the colon of userIdentity.principalId), then the session name.
    const principalIds = new Set(rawRecords().filter((r) => r.userIdentity.accessKeyId === session.key).map((r) => String(r.userIdentity.principalId)));
    expect(principalIds.size).toBe(1);
    const [detectiveId] = [...principalIds];
    expect(detectiveId).toMatch(/^AROA[A-Z0-9]+:/);
    expect(detectiveId.slice(detectiveId.indexOf(':') + 1)).toBe(session.name);
    for (const query of [session.key, session.name.toUpperCase(), detectiveId, detectiveId.toLowerCase()]) expect([query, (await search('ROLE_SESSION', query)).map((e) => e.EntityId)]).toEqual([query, [arn]]);
    expect((await search('ROLE_SESSION', session.role)).map((e) => e.EntityId)).toContain(arn);
    // Another role's principal id with the same session name finds nothing.
    expect(await search('ROLE_SESSION', `AROAEXAMPLEPRINCIPAL:${session.name}`)).toEqual([]);
    // Every role session of the corpus is found by its Detective id, and only it (counted from the raw records).
    const byDetectiveId = new Map<string, Set<string>>();
    for (const r of recordsIn(FROM, TO).filter((r) => r.userIdentity.type === 'AssumedRole' && isTemporaryKey(r.userIdentity.accessKeyId))) {
      const id = String(r.userIdentity.principalId);
      byDetectiveId.set(id, (byDetectiveId.get(id) ?? new Set()).add(String(r.userIdentity.arn)));
    }
    expect(byDetectiveId.size).toBeGreaterThan(5);
    for (const [id, arns] of byDetectiveId) expect([id, (await search('ROLE_SESSION', id)).map((e) => e.EntityId)]).toEqual([id, [...arns].sort()]);
  });

  it('answers through the Lambda handler as through the server', async () => {
    const store = InvestigationStore.fromEnvironment();
    const handler = buildApiHandler({ store, tokenKeys: store, runner: { start: () => Promise.resolve() }, maxScopeDays: 30, graph: () => graphDependenciesFromEnv() });
    const body = JSON.stringify({ EntityType: 'IAM_USER', Query: 'bert-jan', ScopeStartTime: FROM, ScopeEndTime: TO });
    const event = toProxyEvent({ method: 'POST', url: '/graph/searchEntities', headers: { 'content-type': 'application/json' }, body: Buffer.from(body), sourceIp: '127.0.0.1' });
    const result = (await handler(event, lambdaContext('corpus-search'))) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).Entities.map((e: any) => e.EntityId)).toEqual([BERT_JAN]);
  });

  it('refuses bad input with a 400', async () => {
    for (const body of [{ EntityType: 'IAM_USER' }, { EntityType: 'NOPE', Query: 'x' }, { EntityType: 'IAM_USER', Query: 'x'.repeat(600) }, { EntityType: 'IAM_USER', Query: 'x', ScopeStartTime: FROM }]) {
      expect([body, (await post('/graph/searchEntities', body)).status]).toEqual([body, 400]);
    }
  });
});

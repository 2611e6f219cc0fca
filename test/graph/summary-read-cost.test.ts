/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, checked against the OpenAPI document in post() */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { MiddlewareStack } from '@smithy/types';
import { dynamoDocumentClient, s3 } from '../../lambdas/adapters/aws-clients';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { setLogSink } from '../../lambdas/shared/log';
import { startApiServer } from '../../local/http/server';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { openApiViolations } from '../helpers/openapi';
import { ACCOUNT, OTHER_ACCOUNT, assumedRole, iamUser, record } from '../helpers/records';

/**
 * getSummary reads in proportion to what it shows, never to the volume: the same organization is ingested
 * twice, the second time with account B's calls ×10 in the same hour (same principals, sessions, instance),
 * and the summary of a window must make the same DynamoDB and S3 calls both times (counted on the handlers'
 * own SDK clients), while its counts follow the volume (checked against the records written here).
 */
jest.setTimeout(240_000);

const A = ACCOUNT;
const B = OTHER_ACCOUNT;
const HOUR = '2026-10-22T10';
const ALIGNED = { ScopeStartTime: '2026-10-22T00:00:00.000Z', ScopeEndTime: '2026-10-23T00:00:00.000Z' };
/** Cuts the data's hour: the top principals' counts come from their events there. */
const CUT = { ScopeStartTime: `${HOUR}:30:00.000Z`, ScopeEndTime: '2026-10-23T10:30:00.000Z' };
/** B's EC2 instances, all with the Web role's instance profile. */
const INSTANCES = ['i-0abc1234def567890', 'i-0abc1234def567891', 'i-0abc1234def567892', 'i-0abc1234def567893'];

const at = (second: number) => `${HOUR}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z`;

/** The two trails; account B's principals call `factor` times as often, spread over the hour. */
function trails(factor: number): Record<string, CloudTrailRecord[]> {
  const calls = (identity: CloudTrailRecord['userIdentity'], n: number, account: string, offset: number) =>
    Array.from({ length: n }, (_, i) => record({ userIdentity: identity, eventTime: at((offset + Math.floor((i * 3600) / n)) % 3600), recipientAccountId: account, ...(i % 7 === 3 ? { errorCode: 'AccessDenied' } : {}) }));
  const a = [...calls(iamUser('alice', 'AKIAALICE00000000001', A), 5, A, 10), ...calls(assumedRole('Ops', 'alice', 'ASIAOPSALICE00000001', { account: A, creationDate: `${HOUR}:00:00Z` }), 3, A, 20)];
  const b = [
    // Twelve users: more than the ten the summary shows.
    ...Array.from({ length: 12 }, (_, u) => calls(iamUser(`user${u}`, `AKIAUSER${String(u).padStart(12, '0')}`, B), (u + 1) * 2 * factor, B, u)).flat(),
    ...calls(assumedRole('App', 'deploy', 'ASIAAPPDEPLOY0000001', { account: B, creationDate: `${HOUR}:00:00Z` }), 8 * factor, B, 5),
    ...INSTANCES.flatMap((id, i) => calls(assumedRole('Web', id, `ASIAWEBINSTANCE0000${i}`, { account: B, ec2: true, creationDate: `${HOUR}:00:00Z` }), (6 + i) * factor, B, 7 + i)),
  ];
  return { [A]: a, [B]: b };
}

interface Run {
  /** SDK calls per getSummary request, by scope name, e.g. `DynamoDB QueryCommand`: n. */
  reads: Record<string, Record<string, number>>;
  answers: Record<string, any>;
}

const counted = new Map<string, number>();

function countCommands(stack: MiddlewareStack<object, object>, label: string): void {
  stack.add(
    (next, context) => async (args) => {
      // By kind of key read: `index#` (an account's hour indexes), `role#`, `parent#`… (not the key itself).
      const values = (args as { input?: { ExpressionAttributeValues?: Record<string, unknown> } }).input?.ExpressionAttributeValues ?? {};
      const kind = String(values[':s'] ?? values[':pk'] ?? '').replace(/#.*/, '#');
      const key = `${label} ${(context as { commandName?: string }).commandName ?? '?'}${kind ? ` ${kind}` : ''}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'summaryReadCostCounter', override: true },
  );
}

/** Ingests the organization with B's volume × factor, then asks for the summary of each scope. */
async function run(factor: number): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trailhound-summary-cost-'));
  const stack = await LocalStack.start({ dataDir: join(dataDir, 'data'), inMemory: true });
  try {
    const logs = join(dataDir, 'logs');
    for (const [account, records] of Object.entries(trails(factor))) {
      const folder = join(logs, 'AWSLogs', account, 'CloudTrail', 'us-east-1', '2026', '10', '22');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${account}_CloudTrail_us-east-1_20261022T1005Z_x.json.gz`), gzipSync(JSON.stringify({ Records: records })));
    }
    await stack.upload(listLogFiles(logs));
    await stack.drain();
    const api = await startApiServer({ port: 0, runner: { start: () => Promise.resolve() } });
    // The clients the handlers use (LocalStack.start built them afresh for this stack).
    countCommands(dynamoDocumentClient().middlewareStack as never, 'DynamoDB');
    countCommands(s3().middlewareStack as never, 'S3');
    try {
      const result: Run = { reads: {}, answers: {} };
      for (const [name, scope] of Object.entries({ ALIGNED, CUT })) {
        counted.clear();
        const response = await fetch(`${api.url}/graph/getSummary`, { method: 'POST', body: JSON.stringify(scope) });
        const body = await response.json();
        expect(openApiViolations('/graph/getSummary', response.status, body)).toBeUndefined();
        expect(response.status).toBe(200);
        result.reads[name] = Object.fromEntries([...counted].sort());
        result.answers[name] = body;
      }
      return result;
    } finally {
      await api.close();
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

let small: Run;
let large: Run;

beforeAll(async () => {
  setLogSink(() => undefined);
  small = await run(1);
  large = await run(10);
});

/** Independent count: the top users by calls in the scope, from the records written above. */
function expectedTopUsers(factor: number, scope: typeof ALIGNED): [string, number, number][] {
  const inScope = Object.values(trails(factor))
    .flat()
    .filter((r) => Date.parse(r.eventTime) >= Date.parse(scope.ScopeStartTime) && Date.parse(r.eventTime) < Date.parse(scope.ScopeEndTime) && r.userIdentity.type === 'IAMUser');
  const byUser = new Map<string, [number, number]>();
  for (const r of inScope) {
    const entry = byUser.get(r.userIdentity.arn as string) ?? [0, 0];
    entry[0]++;
    if (r.errorCode) entry[1]++;
    byUser.set(r.userIdentity.arn as string, entry);
  }
  return [...byUser]
    .map(([arn, [calls, failed]]) => [arn, calls, failed] as [string, number, number])
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .slice(0, 10);
}

/** Independent count: each instance's calls and failed calls in the scope (its session's records), busiest first. */
function expectedInstances(factor: number, scope: typeof ALIGNED): [string, number, number][] {
  const inScope = trails(factor)[B].filter((r) => Date.parse(r.eventTime) >= Date.parse(scope.ScopeStartTime) && Date.parse(r.eventTime) < Date.parse(scope.ScopeEndTime));
  return INSTANCES.map((id): [string, number, number] => {
    const own = inScope.filter((r) => r.userIdentity.arn?.endsWith(`/Web/${id}`));
    return [id, own.length, own.filter((r) => r.errorCode).length];
  })
    .filter(([, calls]) => calls > 0)
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
}

describe('getSummary read cost', () => {
  it('counts what the records hold, at both volumes', () => {
    for (const [run, factor] of [[small, 1], [large, 10]] as const) {
      for (const [name, scope] of Object.entries({ ALIGNED, CUT })) {
        const users = run.answers[name].TopUsers.map((u: any) => [u.PrincipalArn, u.Calls, u.FailedCalls]);
        expect([name, factor, users]).toEqual([name, factor, expectedTopUsers(factor, scope)]);
      }
      // B's instances are found through their instance-profile role, each with its calls ((6 + i) × factor in the hour).
      const instances = run.answers.ALIGNED.TopInstances.map((t: any) => [t.InstanceId, t.Calls, t.Roles]);
      expect(instances).toEqual(INSTANCES.map((id, i) => [id, (6 + i) * factor, [`arn:aws:iam::${B}:role/Web`]]).reverse());
      for (const [name, scope] of Object.entries({ ALIGNED, CUT })) {
        const shown = run.answers[name].TopInstances.map((t: any) => [t.InstanceId, t.Calls, t.FailedCalls]);
        expect([name, factor, shown]).toEqual([name, factor, expectedInstances(factor, scope)]);
      }
    }
  });

  it('counts the instances of a whole hour from their role\'s items, without reading its events', () => {
    // The Web role's hour holds every instance's calls; its item itemises each session's calls and failures.
    for (const run of [small, large]) expect(run.reads.ALIGNED['S3 GetObjectCommand']).toBeUndefined();
  });

  it("makes the same DynamoDB and S3 calls when account B's volume is ten times larger", () => {
    for (const name of ['ALIGNED', 'CUT']) {
      const total = Object.values(small.reads[name]).reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(0);
      expect([name, large.reads[name]]).toEqual([name, small.reads[name]]);
    }
  });

  it('reads each hour index once per request, however many instances and principals it looks at', () => {
    for (const name of ['ALIGNED', 'CUT']) {
      const reads = small.reads[name];
      // The accounts registry once; each account's hour indexes twice: for the window, and for the window
      // widened by the longest session (the instances' sessions may start before it), shared by all instances.
      expect([name, reads['DynamoDB QueryCommand accounts'], reads['DynamoDB QueryCommand index#']]).toEqual([name, 1, 2 * 2]);
    }
  });
});

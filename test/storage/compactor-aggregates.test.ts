import { gzipSync } from 'node:zlib';
import { readLogRecords } from '../../lambdas/core/cloudtrail/read-log';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { fitToSize } from '../../lambdas/core/storage/hour-aggregate';
import { HourCompactor, type CompactedHour } from '../../lambdas/core/storage/hour-compactor';
import { itemSize } from '../../lambdas/core/storage/item-size';
import { ObjectScan } from '../../lambdas/core/storage/object-scan';
import { sessionItems } from '../../lambdas/core/storage/scope-cut';
import type { SessionView } from '../../lambdas/core/queries/session-view';
import { ACCOUNT, assumedRole, iamUser, record } from '../helpers/records';

/**
 * The hour aggregates compaction stores, checked against an independent count of the raw records of a day's
 * random log: per principal and hour, per session and hour, per account and hour.
 */

/** A seeded generator, so the random mix is the same on every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function randomRecords(count: number, seed: number): CloudTrailRecord[] {
  const random = prng(seed);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
  const identities = [iamUser('alice'), iamUser('ci', 'AKIACI'), assumedRole('Admin', 'alice', 'ASIA1'), assumedRole('Admin', 'bob', 'ASIA2'), assumedRole('ReadOnly', 'carol', 'ASIA3')];
  return Array.from({ length: count }, () =>
    record({
      userIdentity: pick(identities),
      eventTime: `2026-10-22T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00Z`,
      eventSource: pick(['s3.amazonaws.com', 'ec2.amazonaws.com', 'iam.amazonaws.com']),
      eventName: pick(['List', 'Get', 'Describe']),
      sourceIPAddress: pick(['198.18.0.1', '198.18.0.2', '203.0.113.9']),
      ...(random() < 0.2 ? { errorCode: pick(['AccessDenied', 'ThrottlingException']) } : {}),
    }),
  );
}

async function* chunks(bytes: Buffer, size = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** One log object through the production path: scanned for its account-hours, then each hour compacted from a re-read. */
async function compactObject(records: readonly CloudTrailRecord[]): Promise<CompactedHour[]> {
  const bytes = gzipSync(JSON.stringify({ Records: records }));
  const scan = new ObjectScan();
  await readLogRecords(chunks(bytes), scan);
  const hours: CompactedHour[] = [];
  for (const share of scan.shares()) {
    const compactor = new HourCompactor(share.accountId, share.hour);
    await readLogRecords(chunks(bytes), compactor.sinkFor(0));
    hours.push(compactor.finish());
  }
  return hours;
}

interface Expected {
  total: number;
  failures: number;
  api: Map<string, number>;
}

describe('compacted hour aggregates', () => {
  it('match an independent count of the raw records, per principal, session and account and hour', async () => {
    const records = randomRecords(3000, 42);
    const hours = await compactObject(records);

    // Independent count straight from the raw fields.
    const expected = new Map<string, Expected>();
    const count = (subject: string, r: CloudTrailRecord) => {
      const key = `${subject}|${r.eventTime.slice(0, 13)}`;
      const entry = expected.get(key) ?? { total: 0, failures: 0, api: new Map<string, number>() };
      entry.total++;
      if (r.errorCode) entry.failures++;
      const api = `${r.eventSource.split('.')[0]}:${r.eventName}`;
      entry.api.set(api, (entry.api.get(api) ?? 0) + 1);
      expected.set(key, entry);
    };
    for (const r of records) {
      const identity = r.userIdentity;
      const principal = identity.type === 'IAMUser' ? `iam-user#${identity.arn}` : `role#${identity.sessionContext?.sessionIssuer?.arn}`;
      count(principal, r);
      if (identity.accessKeyId?.startsWith('ASIA')) count(`session#${identity.accessKeyId}`, r);
      count(`account#${ACCOUNT}`, r);
    }
    const shape = (total: number, failures: number, apis: Record<string, { calls: number }>) => ({ total, failures, api: Object.fromEntries(Object.entries(apis).map(([api, c]) => [api, c.calls])) });

    const got = new Map<string, ReturnType<typeof shape>>();
    for (const hour of hours) {
      got.set(`${hour.account.subject}|${hour.hour}`, shape(hour.account.total, hour.account.failures, hour.account.apis));
      const views = new Map(hour.sessionsObserved.map((s) => [s.sessionId, { sessionId: s.sessionId, issuerArn: s.issuerArn } as SessionView]));
      for (const { aggregate, events } of hour.principals) {
        got.set(`${aggregate.subject}|${aggregate.hour}`, shape(aggregate.total, aggregate.failures, aggregate.apis));
        // A session's activity is read from its principal's events, as investigations read it.
        const item = { ...aggregate, slot: `${aggregate.hour}#${ACCOUNT}`, accountId: ACCOUNT, expiresAt: 0 };
        const perSession = sessionItems(item, events, views, -Infinity, Infinity);
        for (const session of perSession) got.set(`${session.subject}|${session.hour}`, shape(session.total, session.failures, session.apis));
        // The stored breakdown by session says the same calls and failures.
        expect(aggregate.sessions).toEqual(Object.fromEntries(perSession.map((s) => [s.subject.replace(/^session#/, ''), [s.total, s.failures]])));
      }
    }
    expect(hours).toHaveLength(24);
    expect(new Set(got.keys())).toEqual(new Set(expected.keys()));
    for (const [key, want] of expected) expect([key, got.get(key)]).toEqual([key, { total: want.total, failures: want.failures, api: Object.fromEntries(want.api) }]);
    const sum = hours.flatMap((hour) => hour.principals).reduce((n, p) => n + p.aggregate.total, 0);
    expect(sum).toBe(records.length);
  });

  it('do not depend on record order', async () => {
    const records = randomRecords(500, 7);
    const forward = await compactObject(records);
    const backward = await compactObject([...records].reverse());
    // What is stored apart from where each event lies in its object.
    const normalize = (hours: CompactedHour[]) =>
      hours.map((hour) => ({
        ...hour,
        principals: hour.principals.map((p) => ({ meta: p.meta, aggregate: p.aggregate, events: p.events.map(({ o: _o, n: _n, ...event }) => event) })),
      }));
    expect(normalize(backward)).toEqual(normalize(forward));
  });

  it('keep every distinct value at compaction; trimming to an item budget keeps totals exact and counts what it dropped', async () => {
    const extra = 25;
    const distinct = 300 + extra;
    const [hour] = await compactObject(Array.from({ length: distinct }, (_, i) => record({ userIdentity: iamUser('alice'), sourceIPAddress: `198.18.${Math.floor(i / 250)}.${i % 250}` })));
    const [alice] = hour.principals;
    expect(alice.aggregate.total).toBe(distinct);
    expect(Object.keys(alice.aggregate.sourceIps)).toHaveLength(distinct);
    expect(alice.aggregate.overflow).toEqual({});

    const budget = 3 * 1024;
    const fitted = fitToSize(alice.aggregate, budget);
    expect(itemSize(fitted)).toBeLessThanOrEqual(budget);
    expect(fitted.total).toBe(distinct);
    expect(Object.keys(fitted.sourceIps).length).toBeLessThan(distinct);
    expect(Object.values(fitted.sourceIps).reduce((n, c) => n + c, 0) + (fitted.overflow.sourceIps ?? 0)).toBe(distinct);
  });
});

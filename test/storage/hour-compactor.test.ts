import fc from 'fast-check';
import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { sessionCreatedBy } from '../../lambdas/core/cloudtrail/sessions';
import { createdSessionItem } from '../../lambdas/core/model/items';
import { fitToSize } from '../../lambdas/core/storage/hour-aggregate';
import { hoursOverlapping, hourWithin, hourStartMs } from '../../lambdas/core/storage/hours';
import { itemSize, truncateUtf8, utf8Length } from '../../lambdas/core/storage/item-size';
import { cutItem } from '../../lambdas/core/storage/scope-cut';
import { validateRecord } from '../../lambdas/core/cloudtrail/validate-record';
import { ACCOUNT, assumedRole, assumeRole, iamUser, record } from '../helpers/records';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';

const HOUR = '2026-10-22T10';
const at = (minute: number, second = 0) => `2026-10-22T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}Z`;

function compact(objects: CloudTrailRecord[][]) {
  const compactor = new HourCompactor(ACCOUNT, HOUR);
  objects.forEach((records, o) => records.forEach((r, n) => compactor.add(r, o, n)));
  return compactor.finish();
}

describe('HourCompactor', () => {
  const alice = iamUser('alice');
  const calls = [
    record({ userIdentity: alice, eventTime: at(1), eventName: 'ListBuckets', eventSource: 's3.amazonaws.com' }),
    record({ userIdentity: alice, eventTime: at(7), errorCode: 'AccessDenied' }),
    record({ userIdentity: alice, eventTime: at(59, 59), sourceIPAddress: '203.0.113.9' }),
    assumeRole(alice, `arn:aws:iam::${ACCOUNT}:role/Admin`, 'alice', 'ASIAADMINSESSION0001', { eventTime: at(30) }),
    record({ userIdentity: assumedRole('Admin', 'alice', 'ASIAADMINSESSION0001'), eventTime: at(31), eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' }),
  ];

  it('counts each event once, whatever object or copy it arrived in', () => {
    const once = compact([calls]);
    // The same records under a second key (a copied bucket, an organization trail beside an account trail).
    const twice = compact([calls, calls, calls.slice(1, 3)]);
    expect(twice.counts).toEqual({ events: 5, duplicates: 7 });
    expect(twice.principals.map((p) => [p.meta.subject, p.aggregate.total])).toEqual(once.principals.map((p) => [p.meta.subject, p.aggregate.total]));
    expect(twice.account.total).toBe(5);
  });

  it('does not depend on the order of records or objects', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(calls, { minLength: calls.length, maxLength: calls.length }), (shuffled) => {
        const a = compact([shuffled]);
        const b = compact([calls]);
        expect(a.principals.map((p) => p.aggregate)).toEqual(b.principals.map((p) => p.aggregate));
        expect(a.principals.map((p) => p.events.map((e) => e.id))).toEqual(b.principals.map((p) => p.events.map((e) => e.id)));
      }),
      { numRuns: 30 },
    );
  });

  it('keeps per-minute counts, sessions, and where each event came from', () => {
    const { principals, sessionsCreated, sessionsObserved } = compact([calls]);
    const user = principals.find((p) => p.meta.subject === `iam-user#arn:aws:iam::${ACCOUNT}:user/alice`);
    expect(user?.aggregate.minutes).toEqual({ '01': [1, 0], '07': [1, 1], '30': [1, 0], '59': [1, 0] });
    expect(user?.events.map((e) => [e.o, e.n])).toEqual([[0, 0], [0, 1], [0, 3], [0, 2]]);
    const role = principals.find((p) => p.meta.subject === `role#arn:aws:iam::${ACCOUNT}:role/Admin`);
    expect(role?.aggregate.sessions).toEqual({ ASIAADMINSESSION0001: [1, 0] });
    expect(sessionsCreated.map((s) => s.sessionId)).toEqual(['ASIAADMINSESSION0001']);
    expect(sessionsObserved.map((s) => s.sessionId)).toEqual(['ASIAADMINSESSION0001']);
  });

  it('cuts an hour exactly at a scope edge', () => {
    const { principals } = compact([calls]);
    const user = principals[0].meta.subject.startsWith('iam-user') ? principals[0] : principals[1];
    const item = { ...user.aggregate, slot: `${user.aggregate.hour}#${ACCOUNT}`, accountId: ACCOUNT, expiresAt: 0 };
    const cut = cutItem(item, user.events, Date.parse(at(5)), Date.parse(at(59, 59)));
    expect([cut.total, cut.failures]).toEqual([2, 1]);
    expect(cut.firstEvent).toBe('2026-10-22T10:07:00.000Z');
  });
});

describe('item size and caps', () => {
  it('measures strings in UTF-8 bytes, as DynamoDB does (dynalite counts UTF-16 units)', () => {
    expect(itemSize({ a: 'é' })).toBe(1 + 2);
    expect(itemSize({ a: '😀' })).toBe(1 + 4);
    expect('😀'.length).toBe(2);
  });

  it('cuts strings by bytes without splitting a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 0, max: 300 }), (text, max) => {
        const cut = truncateUtf8(text, max);
        expect(utf8Length(cut)).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
        expect(cut).not.toContain('\uFFFD');
      }),
    );
  });

  it('trims breakdowns of an oversized aggregate until it fits, counting what it dropped, never the totals', () => {
    const records = Array.from({ length: 3000 }, (_, i) =>
      record({ userIdentity: iamUser('bob'), eventTime: at(i % 60), userAgent: `agent-${i}-${'ü'.repeat(300)}`, sourceIPAddress: `198.51.${i % 250}.${i % 200}` }),
    );
    const { principals } = compact([records]);
    const big = { ...principals[0].aggregate, accountId: ACCOUNT, expiresAt: 0 };
    expect(itemSize(big)).toBeGreaterThan(400 * 1024);
    const fitted = fitToSize(big, 24 * 1024);
    expect(itemSize(fitted)).toBeLessThanOrEqual(24 * 1024);
    expect(fitted.total).toBe(3000);
    expect(Object.values(fitted.minutes).reduce((n, [c]) => n + c, 0)).toBe(3000);
    expect(fitted.overflow.userAgents).toBeGreaterThan(0);
  });

  it('trims the resources of a busy instance role before its sessions, so its sessions still count alone', () => {
    // Twelve instances' sessions, each reading thousands of distinct objects, a seventh of the calls failing.
    const records = Array.from({ length: 3000 }, (_, i) =>
      record({
        userIdentity: assumedRole('Web', `i-${i % 12}`, `ASIAWEB${String(i % 12).padStart(13, '0')}`),
        eventTime: at(i % 60),
        resources: [{ ARN: `arn:aws:s3:::data/objects/${i}-${'x'.repeat(80)}`, type: 'AWS::S3::Object' }],
        ...(i % 7 === 3 ? { errorCode: 'AccessDenied' } : {}),
      }),
    );
    const { principals } = compact([records]);
    const fitted = fitToSize({ ...principals[0].aggregate, accountId: ACCOUNT, expiresAt: 0 }, 16 * 1024);
    expect(itemSize(fitted)).toBeLessThanOrEqual(16 * 1024);
    expect(fitted.overflow.resources).toBeGreaterThan(0);
    expect(fitted.overflow.sessions).toBeUndefined();
    // Independent count per access key id from the records.
    const tallies: Record<string, [number, number]> = {};
    for (const r of records) {
      const tally = (tallies[r.userIdentity.accessKeyId as string] ??= [0, 0]);
      tally[0]++;
      if (r.errorCode) tally[1]++;
    }
    expect(fitted.sessions).toEqual(tallies);
    expect(fitted.sessionFailures).toBeUndefined();
  });
});

describe('hours', () => {
  it('lists the hours a half-open range overlaps, and which lie wholly inside', () => {
    const from = Date.parse('2026-10-22T10:30:00Z');
    const to = Date.parse('2026-10-22T13:00:00Z');
    expect(hoursOverlapping(from, to)).toEqual(['2026-10-22T10', '2026-10-22T11', '2026-10-22T12']);
    expect(['2026-10-22T10', '2026-10-22T11', '2026-10-22T12'].map((h) => hourWithin(h, from, to))).toEqual([false, true, true]);
    expect(hourStartMs('2026-10-22T11')).toBe(Date.parse('2026-10-22T11:00:00Z'));
  });
});

describe('validateRecord', () => {
  it('rejects times that match the pattern but name no instant', () => {
    const base = record({ userIdentity: iamUser('eve') });
    expect(validateRecord({ ...base, eventTime: '2026-11-02T25:61:61Z' })).toEqual({ ok: false, reason: 'eventTime is not a real instant' });
    expect(validateRecord({ ...base, eventTime: '2026-02-30T10:00:00Z' })).toEqual({ ok: false, reason: 'eventTime is not a real instant' });
    expect(validateRecord({ ...base, eventTime: '2026-02-28T23:59:59Z' }).ok).toBe(true);
  });

  it('quotes a bad eventVersion at bounded length', () => {
    const check = validateRecord({ ...record({ userIdentity: iamUser('eve') }), eventVersion: `9.${'x'.repeat(100_000)}` });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason.length).toBeLessThan(60);
  });
});

describe('session items and the byOrigin index', () => {
  it('index the sessions of users and instances by origin, not those AWS services start for themselves', () => {
    const byUser = sessionCreatedBy(assumeRole(iamUser('alice'), `arn:aws:iam::${ACCOUNT}:role/Admin`, 'alice', 'ASIAUSERSTARTED00001'));
    const byLambda = sessionCreatedBy(
      assumeRole({ type: 'AWSService', invokedBy: 'lambda.amazonaws.com' }, `arn:aws:iam::${ACCOUNT}:role/fn-role`, 'fn', 'ASIALAMBDASTARTED001', { eventType: 'AwsServiceEvent', sourceIPAddress: 'lambda.amazonaws.com' }),
    );
    expect(byUser?.origin?.type).toBe('iam-user');
    expect(createdSessionItem(byUser!, 365).originKey).toBe(byUser?.origin?.key);
    expect(byLambda?.origin?.type).toBe('aws-service');
    const lambdaItem = createdSessionItem(byLambda!, 365);
    expect(lambdaItem).not.toHaveProperty('originKey');
    // The origin itself is kept: the session still says who started it.
    expect(lambdaItem.origin?.key).toBe('aws-service#lambda.amazonaws.com');
  });
});

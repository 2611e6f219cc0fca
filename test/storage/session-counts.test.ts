import fc from 'fast-check';
import { packActivity, unpackActivity } from '../../lambdas/core/storage/activity-body';
import { aggregateEvents, fitToSize, sessionCountsOf } from '../../lambdas/core/storage/hour-aggregate';
import { addSessionCounts, countsSessionsAlone, type SessionCounts } from '../../lambdas/core/storage/scope-cut';
import { itemSize } from '../../lambdas/core/storage/item-size';
import type { ActivityItem } from '../../lambdas/core/model/items';
import type { CompactEvent } from '../../lambdas/core/storage/compact-event';

/**
 * An hour item counts each session's calls and failed calls alone (one [calls, failures] entry per session),
 * as its events count them; items written by earlier versions stay readable: with `sessionFailures` beside
 * calls-only `sessions` they still count alone, without either they send the reader to the events.
 */
const HOUR = '2026-10-22T10';
const HOUR_START = Date.parse(`${HOUR}:00:00Z`);
const WHOLE_DAY = [Date.parse('2026-10-22T00:00:00Z'), Date.parse('2026-10-23T00:00:00Z')] as const;
const SESSIONS = ['ASIAAAAAAAAAAAAAAAA1', 'ASIAAAAAAAAAAAAAAAA2', 'ASIAAAAAAAAAAAAAAAA3', 'ASIAAAAAAAAAAAAAAAA4'];

const event: fc.Arbitrary<CompactEvent> = fc.record(
  {
    t: fc.integer({ min: 0, max: 3_599_999 }),
    id: fc.uuid(),
    a: fc.constantFrom('s3:GetObject', 'ec2:DescribeInstances'),
    e: fc.constantFrom('AccessDenied', 'Throttling'),
    s: fc.constantFrom(...SESSIONS),
    o: fc.constant(0),
    n: fc.nat(1000),
  },
  { requiredKeys: ['t', 'id', 'a', 'o', 'n'] },
);

function itemOf(events: readonly CompactEvent[]): ActivityItem {
  const aggregate = aggregateEvents({ subject: 'role#arn:aws:iam::111122223333:role/Web', principalType: 'role', principalName: 'Web' }, HOUR, events);
  return { ...aggregate, slot: `${HOUR}#111122223333`, accountId: '111122223333', expiresAt: 1_900_000_000 };
}

/** Counted here from the events themselves, not through the code under test. */
function independentCounts(events: readonly CompactEvent[], fromMs = WHOLE_DAY[0], toMs = WHOLE_DAY[1]): Map<string, SessionCounts> {
  const counts = new Map<string, SessionCounts>();
  for (const e of events) {
    if (e.s === undefined || HOUR_START + e.t < fromMs || HOUR_START + e.t >= toMs) continue;
    const c = counts.get(e.s) ?? { calls: 0, failures: 0 };
    c.calls += 1;
    c.failures += e.e === undefined ? 0 : 1;
    counts.set(e.s, c);
  }
  return counts;
}

/** The same item as the previous version wrote it: calls per session, failures in a second map. */
function previousFormat(item: ActivityItem): ActivityItem {
  const sessions: Record<string, number> = {};
  const sessionFailures: Record<string, number> = {};
  for (const [id, value] of Object.entries(item.sessions)) {
    const [calls, failures] = value as [number, number];
    sessions[id] = calls;
    if (failures > 0) sessionFailures[id] = failures;
  }
  return { ...item, sessions, sessionFailures };
}

/** As written before failures were kept per session. */
function oldestFormat(item: ActivityItem): ActivityItem {
  const previous = previousFormat(item);
  delete previous.sessionFailures;
  return previous;
}

const read = (item: ActivityItem, events?: readonly CompactEvent[], from = WHOLE_DAY[0], to = WHOLE_DAY[1]) => {
  const into = new Map<string, SessionCounts>();
  addSessionCounts(into, item, events, new Set(SESSIONS), from, to);
  return into;
};

describe('session counts of an hour item', () => {
  it('a stored item counts every session alone as its events do, and so does an item of the previous version (property)', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 300 }), (events) => {
        const stored = unpackActivity<ActivityItem>(packActivity(itemOf(events)) as unknown as Record<string, unknown>);
        const expected = independentCounts(events);
        expect(countsSessionsAlone(stored, ...WHOLE_DAY)).toBe(true);
        expect(read(stored)).toEqual(expected);
        expect(read(stored, events)).toEqual(expected);
        const previous = previousFormat(stored);
        expect(countsSessionsAlone(previous, ...WHOLE_DAY)).toBe(true);
        expect(read(previous)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('an item written before failures were kept needs its events, and then counts them', () => {
    const events: CompactEvent[] = [
      { t: 1_000, id: 'a', a: 's3:GetObject', s: SESSIONS[0], o: 0, n: 0 },
      { t: 2_000, id: 'b', a: 's3:GetObject', s: SESSIONS[0], e: 'AccessDenied', o: 0, n: 1 },
      { t: 3_000, id: 'c', a: 's3:GetObject', s: SESSIONS[1], o: 0, n: 2 },
    ];
    const oldest = oldestFormat(itemOf(events));
    expect(oldest.sessions).toEqual({ [SESSIONS[0]]: 2, [SESSIONS[1]]: 1 });
    expect(sessionCountsOf(oldest)).toBeUndefined();
    expect(countsSessionsAlone(oldest, ...WHOLE_DAY)).toBe(false);
    expect(() => read(oldest)).toThrow(/need its events/);
    expect(read(oldest, events)).toEqual(
      new Map([
        [SESSIONS[0], { calls: 2, failures: 1 }],
        [SESSIONS[1], { calls: 1, failures: 0 }],
      ]),
    );
    // An item without sessions says the same in every version: none.
    expect(sessionCountsOf(oldestFormat(itemOf([])))).toEqual(new Map());
  });

  it('an hour cut by the scope, or whose sessions were trimmed, is counted from its events', () => {
    const events: CompactEvent[] = SESSIONS.flatMap((s, i) => Array.from({ length: 40 * (i + 1) }, (_, n) => ({ t: n * 20_000, id: `${s}-${n}`, a: 's3:GetObject', s, o: 0, n, ...(n % 5 === 0 ? { e: 'AccessDenied' } : {}) })));
    const item = itemOf(events);
    const cut = [HOUR_START + 30 * 60_000, WHOLE_DAY[1]] as const;
    expect(countsSessionsAlone(item, ...cut)).toBe(false);
    expect(read(item, events, ...cut)).toEqual(independentCounts(events, ...cut));

    // A budget one byte short: the lightest session goes (there are no resources to trim first), and the overflow says so.
    const trimmed = fitToSize(item, itemSize(item) - 1);
    expect(Object.keys(trimmed.sessions)).toEqual(SESSIONS.slice(1));
    expect(trimmed.overflow.sessions).toBe(40);
    expect(countsSessionsAlone(trimmed, ...WHOLE_DAY)).toBe(false);
    expect(read(trimmed, events)).toEqual(independentCounts(events));
  });
});

import fc from 'fast-check';
import { aggregateEvents, fitToSize } from '../../lambdas/core/storage/hour-aggregate';
import type { CompactEvent } from '../../lambdas/core/storage/compact-event';
import { itemSize } from '../../lambdas/core/storage/item-size';

/**
 * fitToSize keeps an aggregate within its byte budget by DynamoDB's size rule, trims only breakdowns, and
 * counts every call it no longer itemises: for random hours of events (long and multi-byte values included).
 */
const value = fc.oneof(fc.string({ minLength: 1, maxLength: 120 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }));
const event: fc.Arbitrary<CompactEvent> = fc.record(
  {
    t: fc.integer({ min: 0, max: 3_599_999 }),
    a: fc.constantFrom('s3:GetObject', 'kms:Decrypt', 'ec2:DescribeInstances'),
    e: fc.constantFrom('AccessDenied', 'Throttling'),
    i: value,
    u: value,
    g: fc.constantFrom('us-east-1', 'eu-west-1'),
    s: fc.string({ minLength: 16, maxLength: 20 }),
    x: fc.array(value, { maxLength: 3 }),
  },
  { requiredKeys: ['t', 'a'] },
) as fc.Arbitrary<CompactEvent>;

const breakdowns = ['resources', 'sessions', 'userAgents', 'sourceIps', 'errorCodes', 'regions', 'apis'] as const;
/** Calls an entry stands for: a count, a session's [calls, failures], or an API's counts. */
const callsOf = (v: number | [number, number] | { calls: number }) => (typeof v === 'number' ? v : Array.isArray(v) ? v[0] : v.calls);
const calls = (map: Record<string, number | [number, number] | { calls: number }> | undefined) => Object.values(map ?? {}).reduce<number>((n, v) => n + callsOf(v), 0);

describe('fitToSize', () => {
  it('fits the budget and no more, keeps totals and minutes, and counts what each trimmed breakdown lost', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 1500, size: 'max' }), fc.integer({ min: 2_048, max: 32_768 }), (events, budget) => {
        const aggregate = { ...aggregateEvents({ subject: 'role#arn:aws:iam::111122223333:role/Web', principalType: 'AssumedRole', principalName: 'Web' }, '2026-10-22T10', events), accountId: '111122223333', expiresAt: 0 };
        const fitted = fitToSize(aggregate, budget);
        expect(itemSize(fitted)).toBeLessThanOrEqual(budget);
        // Trimmed no further than needed: the last entry dropped took it under the budget (an entry here is under 600 bytes).
        if (fitted !== aggregate) expect(itemSize(fitted)).toBeGreaterThan(budget - 600);
        expect([fitted.total, fitted.failures, fitted.minutes]).toEqual([aggregate.total, aggregate.failures, aggregate.minutes]);
        for (const name of breakdowns) {
          const before = calls(aggregate[name] as Record<string, number>);
          const after = calls(fitted[name] as Record<string, number>);
          expect([name, after + (fitted.overflow[name] ?? 0)]).toEqual([name, before]);
          // What is kept is kept whole: a kept session keeps both its calls and its failures.
          for (const [key, kept] of Object.entries(fitted[name] ?? {})) expect([name, key, kept]).toEqual([name, key, (aggregate[name] as Record<string, unknown>)[key]]);
        }
      }),
      { numRuns: 30 },
    );
  });
});

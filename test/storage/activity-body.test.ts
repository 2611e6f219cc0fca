import fc from 'fast-check';
import { packActivity, unpackActivity, BODY_FIELDS } from '../../lambdas/core/storage/activity-body';
import { itemSize } from '../../lambdas/core/storage/item-size';
import { aggregateEvents } from '../../lambdas/core/storage/hour-aggregate';
import type { ActivityItem } from '../../lambdas/core/model/items';
import type { CompactEvent } from '../../lambdas/core/storage/compact-event';

/** Activity items are stored with their breakdown maps gzip-compressed: the round trip must be exact, and smaller. */
const HOUR = '2026-10-22T10';
const event = fc.record({
  t: fc.integer({ min: 0, max: 3_599_999 }),
  id: fc.uuid(),
  a: fc.constantFrom('ec2:DescribeInstances', 's3:GetObject', 'sts:AssumeRole', 'iam:ListRoles'),
  e: fc.option(fc.constantFrom('AccessDenied', 'Throttling'), { nil: undefined }),
  i: fc.option(fc.ipV4(), { nil: undefined }),
  u: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  g: fc.constantFrom('us-east-1', 'eu-west-1'),
  s: fc.option(fc.stringMatching(/^ASIA[A-Z0-9]{16}$/), { nil: undefined }),
  o: fc.nat(20),
  n: fc.nat(100),
});

function itemOf(events: CompactEvent[]): ActivityItem {
  const clean = events.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as CompactEvent);
  const aggregate = aggregateEvents({ subject: 'role#arn:aws:iam::111122223333:role/Web', principalType: 'role', principalName: 'Web' }, HOUR, clean);
  return { ...aggregate, slot: `${HOUR}#111122223333`, accountId: '111122223333', expiresAt: 1_900_000_000 };
}

it('unpacks exactly what was packed (property)', () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 200 }), (events) => {
      const item = itemOf(events as CompactEvent[]);
      const stored = packActivity(item);
      for (const field of BODY_FIELDS) expect(field in stored).toBe(false);
      expect(unpackActivity<ActivityItem>(stored as unknown as Record<string, unknown>)).toEqual(item);
    }),
    { numRuns: 50 },
  );
});

it('stores a busy hour in a fraction of its plain size', () => {
  const events: CompactEvent[] = Array.from({ length: 3000 }, (_, n) => ({ t: n * 1000, id: `e${n}`, a: ['ec2:DescribeInstances', 's3:GetObject', 'kms:Decrypt'][n % 3], i: `10.0.${n % 40}.${n % 7}`, u: 'aws-sdk-java/1.12.500 Linux/5.10 OpenJDK_64-Bit_Server_VM/17', g: 'us-east-1', s: `ASIA${String(n % 90).padStart(16, '0')}`, o: 0, n }));
  const item = itemOf(events);
  expect(itemSize(packActivity(item))).toBeLessThan(itemSize(item) / 2);
});

it('reads an item stored without a body as it is', () => {
  const item = itemOf([]);
  expect(unpackActivity<ActivityItem>(item as unknown as Record<string, unknown>)).toEqual(item);
});

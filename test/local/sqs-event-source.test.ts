import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LocalSqsEventSource } from '../../local/sqs-event-source';

/**
 * The local stand-in for an SQS event source mapping: batches of batchSize, several in flight, redelivery of
 * what the handler reports failed and a dead-letter list after maxReceiveCount; with message groups (FIFO),
 * never two batches of one group in flight and a group's messages in order.
 */
const ARN = 'arn:aws:sqs:us-east-1:000000000000:test';
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LocalSqsEventSource', () => {
  it('keeps at most `concurrency` batches of at most `batchSize` in flight, and delivers every message once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: string[] = [];
    const source = new LocalSqsEventSource(
      async (event: SQSEvent) => {
        inFlight++;
        most = Math.max(most, inFlight);
        expect(event.Records.length).toBeLessThanOrEqual(5);
        for (const record of event.Records) seen.push(record.body);
        await tick();
        inFlight--;
      },
      { batchSize: 5, maxReceiveCount: 3, queueArn: ARN, concurrency: 3 },
    );
    for (let i = 0; i < 42; i++) source.send(`m${i}`);
    expect(source.pending).toBe(42);
    const progress: number[] = [];
    await source.drain((p) => progress.push(p.delivered + p.pending + p.deadLettered));
    expect(most).toBe(3);
    expect(seen.sort()).toEqual(Array.from({ length: 42 }, (_, i) => `m${i}`).sort());
    // In-flight messages count as pending: the total the progress shows never changes.
    expect(new Set(progress)).toEqual(new Set([42]));
    expect(source.pending).toBe(0);
  });

  it('redelivers the messages a handler reports failed, or all of a batch that throws, and dead-letters them after maxReceiveCount', async () => {
    const receives = new Map<string, number>();
    const source = new LocalSqsEventSource(
      async (event: SQSEvent): Promise<SQSBatchResponse> => {
        for (const record of event.Records) receives.set(record.body, Number(record.attributes.ApproximateReceiveCount));
        if (event.Records.some((r) => r.body === 'throws')) throw new Error('the whole batch fails');
        return { batchItemFailures: event.Records.filter((r) => r.body.startsWith('bad') || (r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1')).map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { batchSize: 1, maxReceiveCount: 3, queueArn: ARN, concurrency: 2 },
    );
    for (const body of ['good', 'bad', 'flaky', 'throws']) source.send(body);
    await source.drain();
    expect(Object.fromEntries(receives)).toEqual({ good: 1, bad: 3, flaky: 2, throws: 3 });
    expect(source.deadLetters.map((m) => m.body).sort()).toEqual(['bad', 'throws']);
  });

  it('with message groups, never has two batches of one group in flight, and delivers a group in order', async () => {
    const busy = new Set<string>();
    const order = new Map<string, number[]>();
    let most = 0;
    const source = new LocalSqsEventSource(
      async (event: SQSEvent) => {
        const groups = new Set(event.Records.map((r) => r.attributes.MessageGroupId as string));
        for (const group of groups) {
          expect(busy.has(group)).toBe(false);
          busy.add(group);
        }
        most = Math.max(most, busy.size);
        for (const record of event.Records) {
          const [group, n] = record.body.split(':');
          order.set(group, [...(order.get(group) ?? []), Number(n)]);
        }
        await tick();
        for (const group of groups) busy.delete(group);
      },
      { batchSize: 3, maxReceiveCount: 3, queueArn: ARN, concurrency: 4, messageGroup: (body) => body.split(':')[0] },
    );
    // Mostly one hot group, as when many objects of one account-hour ask for its compaction.
    for (let n = 0; n < 30; n++) source.send(`${n % 3 === 0 ? `g${n % 4}` : 'hot'}:${n}`);
    await source.drain();
    for (const numbers of order.values()) expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect([...order.values()].flat()).toHaveLength(30);
    expect(most).toBeGreaterThan(1);
  });

  it('starts no batch once its signal aborts, waits for those in flight, and rejects with the reason', async () => {
    const controller = new AbortController();
    let batches = 0;
    const source = new LocalSqsEventSource(
      async () => {
        batches++;
        if (batches === 2) controller.abort(new Error('the servers failed'));
        await tick();
      },
      { batchSize: 1, maxReceiveCount: 3, queueArn: ARN, concurrency: 2 },
    );
    for (let i = 0; i < 10; i++) source.send(`m${i}`);
    await expect(source.drain(undefined, controller.signal)).rejects.toThrow('the servers failed');
    expect(batches).toBe(2);
  });
});

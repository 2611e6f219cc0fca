import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { batchPut, batchWriteTables, UnprocessedItemsError } from '../../lambdas/adapters/batch-writer';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(DynamoDBDocumentClient);
const noSleep = async () => undefined;
const items = Array.from({ length: 60 }, (_, i) => ({ pk: `item-${i}` }));

beforeEach(() => dynamo.reset());

describe('batchPut', () => {
  it('writes 25 items per request', async () => {
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const stats = await batchPut(documents, 'T', items, { sleep: noSleep });
    const sizes = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.T.length);
    expect(sizes.sort()).toEqual([10, 25, 25]);
    expect(stats).toEqual({ requests: 3, items: 60, retries: 0 });
  });

  it('retries UnprocessedItems (throttling) until all are written', async () => {
    let throttled = 2;
    dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
      const requests = input.RequestItems.T;
      if (throttled-- > 0) return { UnprocessedItems: { T: requests.slice(0, 5) } };
      return { UnprocessedItems: {} };
    });
    const delays: number[] = [];
    const stats = await batchPut(documents, 'T', items.slice(0, 25), { sleep: async (ms) => void delays.push(ms) });
    expect(stats.retries).toBe(2);
    const calls = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.T.length);
    expect(calls).toEqual([25, 5, 5]);
    expect(delays).toHaveLength(2);
  });

  it('gives up with a clear error when items stay unprocessed', async () => {
    dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: { T: input.RequestItems.T } }));
    await expect(batchPut(documents, 'T', items.slice(0, 3), { sleep: noSleep, maxAttempts: 4 })).rejects.toThrow(UnprocessedItemsError);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });
});

describe('batchWriteTables', () => {
  it('packs puts and deletes of several tables into requests of 25, whatever their table', async () => {
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const writes = [
      ...items.slice(0, 20).map((put) => ({ table: 'A', put })),
      { table: 'A', delete: { pk: 'gone' } },
      ...items.slice(20, 30).map((put) => ({ table: 'B', put })),
    ];
    const stats = await batchWriteTables(documents, writes, { sleep: noSleep, concurrency: 1 });
    const requests = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems ?? {});
    expect(requests.map((r) => Object.fromEntries(Object.entries(r).map(([table, list]) => [table, list.length])))).toEqual([{ A: 21, B: 4 }, { B: 6 }]);
    expect(requests[0].A[20]).toEqual({ DeleteRequest: { Key: { pk: 'gone' } } });
    expect(stats).toEqual({ requests: 2, items: 31, retries: 0 });
  });

  it('retries what each table left unprocessed, and only that', async () => {
    let throttled = true;
    dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
      if (!throttled) return { UnprocessedItems: {} };
      throttled = false;
      return { UnprocessedItems: { A: input.RequestItems.A.slice(0, 1), B: [] } };
    });
    const stats = await batchWriteTables(documents, [{ table: 'A', put: { pk: 'a1' } }, { table: 'A', put: { pk: 'a2' } }, { table: 'B', put: { pk: 'b1' } }], { sleep: noSleep });
    const requests = dynamo.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems);
    expect(requests[1]).toEqual({ A: [{ PutRequest: { Item: { pk: 'a1' } } }] });
    expect(stats.retries).toBe(1);
  });
});

describe('item size by DynamoDB\'s UTF-8 rule', () => {
  it('refuses an item over 400 KB in UTF-8 bytes before writing, though it is under 400 K UTF-16 units', async () => {
    const { batchPut, ItemTooLargeError } = await import('../../lambdas/adapters/batch-writer');
    const sent: unknown[] = [];
    const client = { send: async (command: unknown) => void sent.push(command) } as never;
    // 150,000 three-byte characters: 150,000 UTF-16 units (dynalite's measure), 450,000 UTF-8 bytes (DynamoDB's).
    const item = { pk: 'k', text: '€'.repeat(150_000) };
    await expect(batchPut(client, 'T', [item])).rejects.toBeInstanceOf(ItemTooLargeError);
    expect(sent).toHaveLength(0);
  });
});

import { BatchWriteCommand, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../shared/concurrency';
import { DYNAMODB_ITEM_LIMIT, itemSize } from '../core/storage/item-size';

/**
 * Writes items with BatchWriteItem, 25 per request (the API's limit), a few requests in flight, and
 * UnprocessedItems (what DynamoDB returns under throttling) retried with exponential backoff and jitter.
 * Puts are idempotent, so a retry after a partial failure cannot double count.
 */
export interface BatchWriteStats {
  requests: number;
  items: number;
  retries: number;
}

export interface BatchWriteOptions {
  concurrency?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_BATCH = 25;

type WriteRequest = NonNullable<BatchWriteCommandOutput['UnprocessedItems']>[string][number];

export class UnprocessedItemsError extends Error {
  constructor(table: string, remaining: number, attempts: number) {
    super(`${remaining} item(s) still unprocessed for table ${table} after ${attempts} attempts (throttled)`);
    this.name = 'UnprocessedItemsError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function batchPut(
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
  options: BatchWriteOptions = {},
): Promise<BatchWriteStats> {
  // DynamoDB measures items in UTF-8 bytes and refuses those over 400 KB; dynalite counts UTF-16 units and
  // would accept some of them. Checked here, so that local mode fails where AWS would, naming the item.
  for (const item of items) {
    const size = itemSize(item);
    if (size > DYNAMODB_ITEM_LIMIT) throw new ItemTooLargeError(table, item, size);
  }
  return batchWrite(client, items.map((item) => ({ table, request: { PutRequest: { Item: item } } })), options);
}

export class ItemTooLargeError extends Error {
  constructor(table: string, item: Record<string, unknown>, size: number) {
    const key = Object.entries(item)
      .slice(0, 2)
      .map(([name, value]) => `${name}=${String(value).slice(0, 80)}`)
      .join(', ');
    super(`an item of ${size} bytes (DynamoDB's limit is ${DYNAMODB_ITEM_LIMIT}) for table ${table}: ${key}`);
    this.name = 'ItemTooLargeError';
  }
}

/** Deletes items by key, with the same batching and retries as batchPut. */
export async function batchDelete(
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: BatchWriteOptions = {},
): Promise<BatchWriteStats> {
  return batchWrite(client, keys.map((key) => ({ table, request: { DeleteRequest: { Key: key } } })), options);
}

/** One put or delete, and the table it goes to. */
export type TableWrite = { table: string; put: Record<string, unknown> } | { table: string; delete: Record<string, unknown> };

/**
 * Puts and deletes in several tables, packed 25 to a request whatever their table (BatchWriteItem takes up to
 * 25 requests across tables): a compaction's few items of three kinds cost one round trip, not three. No two
 * writes may name the same key (DynamoDB refuses such a batch).
 */
export async function batchWriteTables(client: DynamoDBDocumentClient, writes: readonly TableWrite[], options: BatchWriteOptions = {}): Promise<BatchWriteStats> {
  for (const write of writes) {
    if (!('put' in write)) continue;
    const size = itemSize(write.put);
    if (size > DYNAMODB_ITEM_LIMIT) throw new ItemTooLargeError(write.table, write.put, size);
  }
  return batchWrite(
    client,
    writes.map((write) => ({ table: write.table, request: 'put' in write ? { PutRequest: { Item: write.put } } : { DeleteRequest: { Key: write.delete } } })),
    options,
  );
}

interface TableRequest {
  table: string;
  request: WriteRequest;
}

function requestItems(batch: readonly TableRequest[]): Record<string, WriteRequest[]> {
  const byTable: Record<string, WriteRequest[]> = {};
  for (const { table, request } of batch) (byTable[table] ??= []).push(request);
  return byTable;
}

async function batchWrite(client: DynamoDBDocumentClient, requests: readonly TableRequest[], options: BatchWriteOptions): Promise<BatchWriteStats> {
  const { concurrency = 4, maxAttempts = 10, baseDelayMs = 50, maxDelayMs = 5000, sleep = defaultSleep } = options;
  const stats: BatchWriteStats = { requests: 0, items: requests.length, retries: 0 };
  const batches: TableRequest[][] = [];
  for (let i = 0; i < requests.length; i += MAX_BATCH) {
    batches.push(requests.slice(i, i + MAX_BATCH));
  }

  const writeBatch = async (batch: TableRequest[]): Promise<void> => {
    let pending = requestItems(batch);
    for (let attempt = 1; ; attempt++) {
      stats.requests++;
      const output = await client.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = Object.fromEntries(Object.entries(output.UnprocessedItems ?? {}).filter(([, left]) => left.length > 0));
      const remaining = Object.values(pending).reduce((sum, left) => sum + left.length, 0);
      if (remaining === 0) return;
      if (attempt >= maxAttempts) throw new UnprocessedItemsError(Object.keys(pending).join(', '), remaining, attempt);
      stats.retries++;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * cap);
    }
  };

  await mapWithConcurrency(batches, concurrency, writeBatch);
  return stats;
}

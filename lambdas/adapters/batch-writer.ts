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
  return batchWrite(client, table, items.map((item) => ({ PutRequest: { Item: item } })), options);
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
  return batchWrite(client, table, keys.map((key) => ({ DeleteRequest: { Key: key } })), options);
}

async function batchWrite(client: DynamoDBDocumentClient, table: string, requests: readonly WriteRequest[], options: BatchWriteOptions): Promise<BatchWriteStats> {
  const items = requests;
  const { concurrency = 4, maxAttempts = 10, baseDelayMs = 50, maxDelayMs = 5000, sleep = defaultSleep } = options;
  const stats: BatchWriteStats = { requests: 0, items: items.length, retries: 0 };
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH) {
    batches.push(items.slice(i, i + MAX_BATCH));
  }

  const writeBatch = async (batch: WriteRequest[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      stats.requests++;
      const output = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = output.UnprocessedItems?.[table] ?? [];
      if (pending.length === 0) return;
      if (attempt >= maxAttempts) throw new UnprocessedItemsError(table, pending.length, attempt);
      stats.retries++;
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * cap);
    }
  };

  await mapWithConcurrency(batches, concurrency, writeBatch);
  return stats;
}

import type { InitializeHandlerArguments, InitializeHandlerOutput, MiddlewareStack } from '@smithy/types';
import { itemSize, writeUnits } from '../lambdas/core/storage/item-size';
import type { IndexDesign, TableDesign } from '../lambdas/shared/table-design';

/**
 * Meters what the pipeline asks of DynamoDB and S3 the way AWS bills it, from middleware on the SDK clients
 * the code under test really uses (nothing is estimated from the code's own counters).
 *
 * DynamoDB writes (on-demand write request units): each item write costs ceil(size / 1 KB) by DynamoDB's size
 * rule (lambdas/core/storage/item-size.ts), where an overwrite or delete is billed on the larger of the old
 * and the new item. The meter keeps an image of every item written through it, so it knows the old item.
 * Each global secondary index adds the write of its copy: a put into the index when the new item has the
 * index's key attributes, a delete when the old one had them and the new one has not, both when the index
 * key changed, and nothing when the keys are unchanged (a KEYS_ONLY copy is then identical; an ALL copy is
 * rewritten, one write). A KEYS_ONLY copy is the table's and the index's key attributes.
 * UpdateItem is counted on the old item's size (no update expression is evaluated): ingestion issues none.
 *
 * DynamoDB reads (read request units): GetItem and each BatchGetItem key cost ceil(size / 4 KB) of the
 * whole stored item (a projection does not make a read cheaper), halved when eventually consistent; a
 * missing item still costs the minimum. A Query costs the sum of the sizes of the items (or index copies)
 * it returns, rounded up to 4 KB, halved when eventually consistent.
 *
 * S3: requests by kind. PUT, COPY, POST and LIST are billed alike; GET and HEAD alike; DELETE is free.
 */
export interface DynamoCounts {
  requests: Record<string, number>;
  itemWrites: number;
  writeUnits: number;
  gsiWriteUnits: number;
  itemReads: number;
  readUnits: number;
  /** Write units (table + index copies) by table design id. */
  writeUnitsByTable: Record<string, number>;
  /** Write units of the hour index items and account registrations (Activity table): the reverse lookups' price. */
  hourIndexWriteUnits: number;
}

export interface S3Counts {
  put: number;
  get: number;
  list: number;
  delete: number;
  other: number;
  putBytes: number;
}

type Item = Record<string, unknown>;

/** Items of the Activity table that serve reverse lookups rather than a principal's activity. */
export function isHourIndexKey(key: Item): boolean {
  const subject = key.subject;
  return typeof subject === 'string' && (subject.startsWith('index#') || subject === 'accounts');
}

function emptyDynamo(): DynamoCounts {
  return { requests: {}, itemWrites: 0, writeUnits: 0, gsiWriteUnits: 0, itemReads: 0, readUnits: 0, writeUnitsByTable: {}, hourIndexWriteUnits: 0 };
}

function emptyS3(): S3Counts {
  return { put: 0, get: 0, list: 0, delete: 0, other: 0, putBytes: 0 };
}

/** The attributes a KEYS_ONLY index copy holds. */
export function indexCopy(design: TableDesign, index: IndexDesign, item: Item): Item | undefined {
  if (item[index.partitionKey.name] === undefined || (index.sortKey && item[index.sortKey.name] === undefined)) return undefined;
  if (index.projection !== 'KEYS_ONLY') return item;
  const names = [design.partitionKey.name, design.sortKey?.name, index.partitionKey.name, index.sortKey?.name].filter((n): n is string => n !== undefined);
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

function sameIndexKeys(index: IndexDesign, a: Item, b: Item): boolean {
  return a[index.partitionKey.name] === b[index.partitionKey.name] && (!index.sortKey || a[index.sortKey.name] === b[index.sortKey.name]);
}

/** Write units a table write costs in one index, given the item before and after. */
export function indexWriteUnits(design: TableDesign, index: IndexDesign, before: Item | undefined, after: Item | undefined): number {
  const oldCopy = before ? indexCopy(design, index, before) : undefined;
  const newCopy = after ? indexCopy(design, index, after) : undefined;
  if (!oldCopy && !newCopy) return 0;
  if (oldCopy && !newCopy) return writeUnits(itemSize(oldCopy));
  if (!oldCopy && newCopy) return writeUnits(itemSize(newCopy));
  if (oldCopy && newCopy && before && after && sameIndexKeys(index, before, after)) {
    // Keys unchanged: a KEYS_ONLY copy is the same; an ALL copy is rewritten when anything changed.
    return index.projection === 'KEYS_ONLY' || JSON.stringify(oldCopy) === JSON.stringify(newCopy) ? 0 : writeUnits(Math.max(itemSize(oldCopy), itemSize(newCopy)));
  }
  return writeUnits(itemSize(oldCopy as Item)) + writeUnits(itemSize(newCopy as Item));
}

export class Meter {
  dynamo = emptyDynamo();
  /** S3 requests by client label (e.g. `pipeline` for the Lambda handlers' client). */
  s3: Record<string, S3Counts> = {};
  /** Commands the meter saw but does not price (for the record). */
  readonly unpriced = new Map<string, number>();
  private readonly images = new Map<string, Map<string, Item>>();

  /** @param tables local table name → its design */
  constructor(private readonly tables: ReadonlyMap<string, TableDesign>) {}

  reset(): void {
    this.dynamo = emptyDynamo();
    this.s3 = {};
  }

  attachDynamo(stack: MiddlewareStack<object, object>): void {
    stack.add(
      (next, context) => async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<object>> => {
        const command = (context as { commandName?: string }).commandName ?? 'unknown';
        const input = args.input as Record<string, unknown>;
        const result = await next(args);
        this.meterDynamo(command, input, result.output as Record<string, unknown>);
        return result;
      },
      { step: 'initialize', name: 'trailhoundBenchDynamoMeter', override: true },
    );
  }

  attachS3(stack: MiddlewareStack<object, object>, label: string): void {
    stack.add(
      (next, context) => async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<object>> => {
        const command = (context as { commandName?: string }).commandName ?? 'unknown';
        const counts = (this.s3[label] ??= emptyS3());
        const input = args.input as { Body?: unknown };
        if (command === 'PutObjectCommand') {
          counts.put++;
          if (Buffer.isBuffer(input.Body) || input.Body instanceof Uint8Array) counts.putBytes += input.Body.byteLength;
          else if (typeof input.Body === 'string') counts.putBytes += Buffer.byteLength(input.Body);
        } else if (command === 'GetObjectCommand' || command === 'HeadObjectCommand') counts.get++;
        else if (command === 'ListObjectsV2Command' || command === 'ListObjectsCommand') counts.list++;
        else if (command === 'DeleteObjectsCommand' || command === 'DeleteObjectCommand') counts.delete++;
        else counts.other++;
        return next(args);
      },
      { step: 'initialize', name: 'trailhoundBenchS3Meter', override: true },
    );
  }

  /** Items currently in a table, as written through the meter. */
  image(table: string): Map<string, Item> {
    let image = this.images.get(table);
    if (!image) this.images.set(table, (image = new Map()));
    return image;
  }

  private keyOf(design: TableDesign, item: Item): string {
    return JSON.stringify([item[design.partitionKey.name], design.sortKey ? item[design.sortKey.name] : null]);
  }

  private write(table: string, key: Item, after: Item | undefined): void {
    const design = this.tables.get(table);
    if (!design) {
      this.unpriced.set(`write to unknown table ${table}`, (this.unpriced.get(`write to unknown table ${table}`) ?? 0) + 1);
      return;
    }
    const image = this.image(table);
    const id = this.keyOf(design, key);
    const before = image.get(id);
    const size = Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0);
    this.dynamo.itemWrites++;
    const units = writeUnits(size);
    let indexUnits = 0;
    for (const index of design.globalSecondaryIndexes) indexUnits += indexWriteUnits(design, index, before, after);
    this.dynamo.writeUnits += units;
    this.dynamo.gsiWriteUnits += indexUnits;
    this.dynamo.writeUnitsByTable[design.id] = (this.dynamo.writeUnitsByTable[design.id] ?? 0) + units + indexUnits;
    if (design.id === 'Activity' && isHourIndexKey(key)) this.dynamo.hourIndexWriteUnits += units;
    if (after) image.set(id, after);
    else image.delete(id);
  }

  private read(table: string, items: readonly Item[], consistent: boolean, perItem: boolean, indexName?: string): void {
    const design = this.tables.get(table);
    const image = this.image(table);
    // Billed on the stored item (or index copy), whatever the projection returned.
    const sizes = items.map((item) => {
      const stored = design && !indexName ? image.get(this.keyOf(design, item)) : undefined;
      return itemSize(stored ?? item);
    });
    const factor = consistent ? 1 : 0.5;
    this.dynamo.itemReads += items.length;
    if (perItem) for (const size of sizes) this.dynamo.readUnits += Math.max(1, Math.ceil(size / 4096)) * factor;
    else this.dynamo.readUnits += Math.max(1, Math.ceil(sizes.reduce((a, b) => a + b, 0) / 4096)) * factor;
  }

  private meterDynamo(command: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    this.dynamo.requests[command] = (this.dynamo.requests[command] ?? 0) + 1;
    const table = input.TableName as string;
    switch (command) {
      case 'PutItemCommand':
        return this.write(table, input.Item as Item, input.Item as Item);
      case 'DeleteItemCommand':
        return this.write(table, input.Key as Item, undefined);
      case 'UpdateItemCommand': {
        const design = this.tables.get(table);
        const before = design ? this.image(table).get(this.keyOf(design, input.Key as Item)) : undefined;
        return this.write(table, input.Key as Item, before ?? (input.Key as Item));
      }
      case 'BatchWriteItemCommand': {
        for (const [name, requests] of Object.entries(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>)) {
          const unprocessed = ((output.UnprocessedItems as Record<string, unknown[]> | undefined)?.[name] ?? []).length;
          for (const request of requests.slice(0, requests.length - unprocessed)) {
            if (request.PutRequest) this.write(name, request.PutRequest.Item, request.PutRequest.Item);
            else if (request.DeleteRequest) this.write(name, request.DeleteRequest.Key, undefined);
          }
        }
        return;
      }
      case 'GetItemCommand':
        return this.read(table, output.Item ? [output.Item as Item] : [{}], input.ConsistentRead === true, true);
      case 'BatchGetItemCommand': {
        for (const [name, request] of Object.entries(input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>)) {
          const found = ((output.Responses as Record<string, Item[]> | undefined)?.[name] ?? []) as Item[];
          const missing = Math.max(0, request.Keys.length - found.length - (((output.UnprocessedKeys as Record<string, { Keys: unknown[] }> | undefined)?.[name]?.Keys.length) ?? 0));
          this.read(name, [...found, ...Array.from({ length: missing }, () => ({}))], request.ConsistentRead === true, true);
        }
        return;
      }
      case 'QueryCommand':
        return this.read(table, (output.Items as Item[] | undefined) ?? [], input.ConsistentRead === true, false, input.IndexName as string | undefined);
      default:
        this.unpriced.set(command, (this.unpriced.get(command) ?? 0) + 1);
    }
  }
}

export function addS3(a: S3Counts, b: S3Counts | undefined): S3Counts {
  if (!b) return a;
  return { put: a.put + b.put, get: a.get + b.get, list: a.list + b.list, delete: a.delete + b.delete, other: a.other + b.other, putBytes: a.putBytes + b.putBytes };
}

export const noS3 = emptyS3;

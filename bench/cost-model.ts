import { ALL_TABLES, type TableDesign } from '../lambdas/shared/table-design';
import type { DynamoCounts, S3Counts } from './meter';

/**
 * What a measured run would cost in AWS (us-east-1 list prices, on-demand DynamoDB, ARM Lambda), for the
 * first year of the data it produced: every request once, and what it stores kept for 12 months.
 *
 * SQS and Lambda follow the deployed design rather than the local event sources (which batch freely and
 * compact without waiting): per log object one S3 notification message on the ingest queue (send, receive,
 * delete) and one ingest invocation; per compaction message (one per object and account-hour) on the FIFO
 * queue its share of the object's SendMessageBatch, a first receive before the hour settles, one
 * ChangeMessageVisibility to hide it until then, a second receive and a delete, and two compaction
 * invocations. Batching would make both cheaper; these are the unbatched upper bounds.
 */
export const PRICES = {
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  dynamoStorageGbMonth: 0.25,
  // Standard-IA table class: requests 25% dearer, storage 60% cheaper.
  dynamoIaWritePerMillion: 0.78125,
  dynamoIaStorageGbMonth: 0.1,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  s3StorageGbMonth: 0.023,
  sqsStandardPerMillion: 0.4,
  sqsFifoPerMillion: 0.5,
  lambdaPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  stepFunctionsPer1000: 0.025,
  months: 12,
} as const;

export const GB = 2 ** 30;

export interface RunUsage {
  rawBytes: number;
  records: number;
  objects: number;
  accountHours: number;
  compactionMessages: number;
  dynamo: DynamoCounts;
  s3: S3Counts;
  /** Bytes DynamoDB bills as stored (items + 100 bytes each, index copies + 100 bytes each). */
  dynamoStoredBytes: number;
  /** The same, by table design id. */
  dynamoStoredBytesByTable: Record<string, number>;
  s3StoredBytes: number;
  lambdaGbSeconds: number;
  stepFunctionTransitions: number;
}

export interface CostLine {
  service: string;
  dollars: number;
  detail: string;
}

export function sqsRequests(usage: Pick<RunUsage, 'objects' | 'compactionMessages'>): { ingest: number; compaction: number } {
  return { ingest: usage.objects * 3, compaction: usage.objects + usage.compactionMessages * 4 };
}

export function lambdaInvocations(usage: Pick<RunUsage, 'objects' | 'compactionMessages'>): number {
  return usage.objects + usage.compactionMessages * 2;
}

/** Dollars of the run, by service. */
function designOf(id: string): TableDesign | undefined {
  return ALL_TABLES.find((design) => design.id === id);
}

/** What `units` write units cost on a table, by its class. */
export function tableWriteDollars(id: string, units: number): number {
  const ia = designOf(id)?.tableClass === 'STANDARD_INFREQUENT_ACCESS';
  return (units / 1e6) * (ia ? PRICES.dynamoIaWritePerMillion : PRICES.dynamoWritePerMillion);
}

/** What storing `bytes` on a table costs in the first year, by its class and how long its items live. */
export function tableStorageDollars(id: string, bytes: number): number {
  const design = designOf(id);
  const ia = design?.tableClass === 'STANDARD_INFREQUENT_ACCESS';
  const months = design?.keptDays !== undefined ? Math.min(PRICES.months, design.keptDays / DAYS_PER_MONTH) : PRICES.months;
  return (bytes / GB) * (ia ? PRICES.dynamoIaStorageGbMonth : PRICES.dynamoStorageGbMonth) * months;
}

/** Each table's class prices its writes and storage; bookkeeping tables keep their items `keptDays` only. */
function dynamoCosts(usage: RunUsage): { writes: number; storage: number } {
  let writes = 0;
  let storage = 0;
  for (const design of ALL_TABLES) {
    writes += tableWriteDollars(design.id, usage.dynamo.writeUnitsByTable[design.id] ?? 0);
    storage += tableStorageDollars(design.id, usage.dynamoStoredBytesByTable[design.id] ?? 0);
  }
  return { writes, storage };
}

const DAYS_PER_MONTH = 365 / 12;

export function costOf(usage: RunUsage): CostLine[] {
  const { dynamo, s3 } = usage;
  const sqs = sqsRequests(usage);
  const invocations = lambdaInvocations(usage);
  const tables = dynamoCosts(usage);
  return [
    { service: 'DynamoDB writes', dollars: tables.writes, detail: `${dynamo.writeUnits + dynamo.gsiWriteUnits} WRU` },
    { service: 'DynamoDB reads', dollars: (dynamo.readUnits / 1e6) * PRICES.dynamoReadPerMillion, detail: `${dynamo.readUnits} RRU` },
    { service: 'DynamoDB storage', dollars: tables.storage, detail: `${usage.dynamoStoredBytes} B, each table for its class and lifetime` },
    { service: 'S3 requests', dollars: ((s3.put + s3.list) / 1000) * PRICES.s3PutPer1000 + (s3.get / 1000) * PRICES.s3GetPer1000, detail: `${s3.put} PUT, ${s3.list} LIST, ${s3.get} GET` },
    { service: 'S3 storage', dollars: (usage.s3StoredBytes / GB) * PRICES.s3StorageGbMonth * PRICES.months, detail: `${usage.s3StoredBytes} B × 12 months` },
    { service: 'SQS', dollars: (sqs.ingest / 1e6) * PRICES.sqsStandardPerMillion + (sqs.compaction / 1e6) * PRICES.sqsFifoPerMillion, detail: `${sqs.ingest} standard + ${sqs.compaction} FIFO requests` },
    { service: 'Lambda', dollars: (invocations / 1e6) * PRICES.lambdaPerMillion + usage.lambdaGbSeconds * PRICES.lambdaGbSecond, detail: `${invocations} invocations, ${usage.lambdaGbSeconds.toFixed(1)} GB-s` },
    { service: 'Step Functions', dollars: (usage.stepFunctionTransitions / 1000) * PRICES.stepFunctionsPer1000, detail: `${usage.stepFunctionTransitions} transitions` },
  ];
}

/** The same lines scaled to one GB of raw (uncompressed) CloudTrail JSON. */
export function perGb(lines: readonly CostLine[], rawBytes: number): CostLine[] {
  return lines.map((line) => ({ ...line, dollars: (line.dollars * GB) / rawBytes }));
}

import { ingestObject, type IngestDependencies, type IngestResult } from '../ingest-cloudtrail/ingest-object';
import { keyInDays } from '../core/cloudtrail/log-key-date';

/**
 * One batch of a backfill's Distributed Map: keys listed by the S3 ItemReader, and the run's bucket and days.
 * Each object in the days is ingested exactly as a new one is (same checks, same idempotency): one already
 * ingested with the same ETag is skipped, so a rerun or an overlap with live ingestion costs a read each.
 */
export interface BackfillBatch {
  Items: { Key: string; ETag?: string; Size?: number }[];
  BatchInput: { bucket: string; from: string; to: string };
}

export interface BackfillBatchResult {
  counts: Record<string, number>;
}

export async function ingestBatch(batch: BackfillBatch, deps: IngestDependencies): Promise<BackfillBatchResult> {
  const counts: Record<string, number> = {};
  const { bucket, from, to } = batch.BatchInput;
  for (const item of batch.Items ?? []) {
    if (!keyInDays(item.Key, from, to)) {
      counts.OUTSIDE_DAYS = (counts.OUTSIDE_DAYS ?? 0) + 1;
      continue;
    }
    const result: IngestResult = await ingestObject({ bucket, key: item.Key, ...(item.ETag ? { etag: item.ETag } : {}), ...(item.Size !== undefined ? { size: item.Size } : {}) }, deps);
    counts[result.status] = (counts[result.status] ?? 0) + 1;
  }
  return { counts };
}

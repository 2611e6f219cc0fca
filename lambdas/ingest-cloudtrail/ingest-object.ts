import { classifyLogKey } from '../core/cloudtrail/log-key';
import { objectIdOf, readLogRecords } from '../core/cloudtrail/read-log';
import { hourKeyOf } from '../core/storage/hours';
import { ObjectScan } from '../core/storage/object-scan';
import { expiryFrom, PARSER_VERSION, retainedFrom, s3ObjectKey, type HourObjectItem, type IngestedObjectItem, type IngestStatus } from '../core/model/items';
import type { CompactionRequest } from '../adapters/compaction-queue';
import type { LogObjectStream } from '../adapters/s3-objects';
import { ObjectGoneError, normalizeEtag } from '../adapters/s3-objects';
import { log } from '../shared/log';

/**
 * Ingests one S3 object: classify, skip what is not a CloudTrail log or was already ingested, stream-parse and
 * check every record, register the object under each account-hour its events belong to, ask for those hours
 * to be compacted, and record the outcome. Ingestion writes a few small items per object whatever its size;
 * the events themselves are merged per hour by the compactor (lambdas/compact-hour). The I/O is injected so
 * the same orchestration runs against AWS, the embedded local servers, or test doubles.
 */
export interface IngestDependencies {
  openObject(bucket: string, key: string): Promise<LogObjectStream>;
  getIngested(objectKey: string): Promise<IngestedObjectItem | undefined>;
  putIngested(item: IngestedObjectItem): Promise<void>;
  registerHours(items: readonly HourObjectItem[]): Promise<void>;
  requestCompaction(requests: readonly CompactionRequest[]): Promise<void>;
  retentionDays: number;
  now?: () => Date;
}

export interface S3ObjectRef {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
}

export type IngestResult = { status: IngestStatus | 'DUPLICATE'; objectKey: string } & Omit<Partial<IngestedObjectItem>, 'status' | 'objectKey'>;

export async function ingestObject(ref: S3ObjectRef, deps: IngestDependencies): Promise<IngestResult> {
  const now = deps.now ?? (() => new Date());
  const objectKey = s3ObjectKey(ref.bucket, ref.key);
  const info = classifyLogKey(ref.key);
  const startedAt = now().toISOString();
  const base = { objectKey, kind: info.kind, parserVersion: PARSER_VERSION, startedAt, expiresAt: expiryFrom(startedAt, deps.retentionDays) };

  if (info.kind !== 'cloudtrail-log') {
    log.info('skipped object', { objectKey, reason: info.reason });
    const item: IngestedObjectItem = { ...base, status: 'SKIPPED', attempts: 1, reason: info.reason as string, finishedAt: startedAt };
    await deps.putIngested(item);
    return item;
  }

  const previous = await deps.getIngested(objectKey);
  const etag = normalizeEtag(ref.etag);
  if (previous && (previous.status === 'DONE' || previous.status === 'DONE_WITH_ERRORS') && previous.parserVersion === PARSER_VERSION && etag !== undefined && previous.etag === etag) {
    log.info('skipped duplicate delivery', { objectKey, etag });
    return { status: 'DUPLICATE', objectKey };
  }
  const attempts = (previous?.attempts ?? 0) + 1;

  let stream: LogObjectStream;
  try {
    stream = await deps.openObject(ref.bucket, ref.key);
  } catch (error) {
    if (!(error instanceof ObjectGoneError)) throw error; // transient or permission: let the queue retry
    const item: IngestedObjectItem = { ...base, status: 'FAILED', attempts, error: error.message, finishedAt: now().toISOString() };
    log.warn('object gone before ingestion', { objectKey });
    await deps.putIngested(item);
    return item;
  }

  const scan = new ObjectScan({ ...(info.accountId ? { fallbackAccountId: info.accountId } : {}), retainedFrom: retainedFrom(now(), deps.retentionDays) });
  const { formatError } = await readLogRecords(stream.body, scan);
  const objectId = objectIdOf(objectKey);
  const finalEtag = stream.etag ?? etag;
  const ingestedAt = now().toISOString();
  const shares = scan.shares();
  await deps.registerHours(
    shares.map((share) => ({
      hourKey: hourKeyOf(share.accountId, share.hour),
      objectId,
      objectKey,
      ...(finalEtag ? { etag: finalEtag } : {}),
      records: share.records,
      firstEvent: share.firstEvent,
      lastEvent: share.lastEvent,
      ingestedAt,
      expiresAt: expiryFrom(share.lastEvent, deps.retentionDays),
    })),
  );
  await deps.requestCompaction(shares.map((share) => ({ hourKey: hourKeyOf(share.accountId, share.hour), objectKey, ...(finalEtag ? { etag: finalEtag } : {}) })));

  const { counts } = scan;
  let status: IngestStatus = 'DONE';
  if (formatError && counts.accepted === 0) status = 'FAILED';
  else if (formatError || counts.rejected > 0) status = 'DONE_WITH_ERRORS';
  const lastEvent = scan.lastEvent;
  const item: IngestedObjectItem = {
    ...base,
    status,
    attempts,
    ...(finalEtag ? { etag: finalEtag } : {}),
    ...((stream.size ?? ref.size) !== undefined ? { size: stream.size ?? ref.size } : {}),
    ...counts,
    ...(counts.rejected > 0 ? { rejections: scan.rejections } : {}),
    hours: shares.map((share) => hourKeyOf(share.accountId, share.hour)),
    ...(formatError ? { error: formatError } : {}),
    finishedAt: ingestedAt,
    // The record of an object lives as long as the data it produced: one retention period after its newest
    // event, like every item derived from the events. (An object with no retained event keeps the default.)
    ...(lastEvent ? { expiresAt: expiryFrom(lastEvent, deps.retentionDays) } : {}),
  };
  await deps.putIngested(item);
  const logFields = { objectKey, status, ...counts, hours: item.hours, ...(formatError ? { error: formatError } : {}), ...(counts.rejected > 0 ? { rejections: scan.rejections } : {}) };
  if (status === 'DONE') log.info('ingested object', logFields);
  else log.warn('ingested object with errors', logFields);
  return item;
}

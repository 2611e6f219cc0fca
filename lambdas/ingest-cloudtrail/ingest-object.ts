import { classifyLogKey } from '../core/cloudtrail/log-key';
import { objectIdOf, readLogRecords } from '../core/cloudtrail/read-log';
import { HOUR_MS, hourKeyOf, hourStartMs } from '../core/storage/hours';
import { ObjectScan, type HourShare } from '../core/storage/object-scan';
import { BOOKKEEPING_DAYS, expiryFrom, PARSER_VERSION, retainedFrom, s3ObjectKey, type HourObjectItem, type IngestedObjectItem, type IngestStatus } from '../core/model/items';
import type { CompactionRequest } from '../adapters/compaction-queue';
import type { LogObjectStream } from '../adapters/s3-objects';
import { ObjectGoneError, normalizeEtag } from '../adapters/s3-objects';
import { log } from '../shared/log';
import { ingestFlowObject, type OpenFlowObject } from './ingest-flow-object';

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
  /** Marks an account-hour as having a compaction requested; returns the mark as it was before, if there was one. */
  markCompactionPending(hourKey: string, at: string, objectKey: string): Promise<PendingMark | undefined>;
  requestCompaction(requests: readonly CompactionRequest[]): Promise<void>;
  /** Opens a VPC flow log object; without it flow logs are skipped like any object that is not a CloudTrail log. */
  openFlowObject?: OpenFlowObject;
  retentionDays: number;
  /** How long after an hour's end its compaction runs (to tell a forgotten pending mark from a waiting one). */
  settleMs: number;
  now?: () => Date;
}

export interface PendingMark {
  pendingSince: string;
  /** The object whose ingestion set the mark. */
  pendingBy?: string;
}

export interface S3ObjectRef {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
}

export type IngestResult = { status: IngestStatus | 'DUPLICATE'; objectKey: string } & Omit<Partial<IngestedObjectItem>, 'status' | 'objectKey'>;

/**
 * A pending mark that outlived the compaction it announced (a request lost after the mark was set): the
 * compaction runs when the hour settles, or at once for an hour already settled, within a few minutes.
 */
export const PENDING_STALE_AFTER_MS = 30 * 60_000;

export function pendingIsStale(pendingSince: string, hour: string, nowMs: number, settleMs: number): boolean {
  const dueBy = Math.max(Date.parse(pendingSince), hourStartMs(hour) + HOUR_MS + settleMs);
  return nowMs > dueBy + PENDING_STALE_AFTER_MS;
}

/**
 * Registers an object under each account-hour it contributes to and asks for those hours' compaction: one
 * request per account-hour while one is pending (the compaction clears the mark before it lists the hour's
 * objects, so an object registered after that sets the mark again and asks again).
 */
export async function registerShares(
  shares: readonly HourShare[],
  hourKeyFor: (accountId: string, hour: string) => string,
  object: { objectKey: string; objectId: string; etag?: string; ingestedAt: string },
  deps: IngestDependencies,
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const { objectKey, objectId, etag, ingestedAt } = object;
  await deps.registerHours(
    shares.map((share) => ({
      hourKey: hourKeyFor(share.accountId, share.hour),
      objectId,
      objectKey,
      ...(etag ? { etag } : {}),
      records: share.records,
      firstEvent: share.firstEvent,
      lastEvent: share.lastEvent,
      ingestedAt,
      expiresAt: expiryFrom(ingestedAt, BOOKKEEPING_DAYS),
    })),
  );
  const requests: CompactionRequest[] = [];
  for (const share of shares) {
    const hourKey = hourKeyFor(share.accountId, share.hour);
    const mark = await deps.markCompactionPending(hourKey, ingestedAt, objectKey);
    // Our own mark: an earlier attempt set it and may have died before its request was sent.
    if (mark === undefined || mark.pendingBy === objectKey || pendingIsStale(mark.pendingSince, share.hour, now().getTime(), deps.settleMs)) {
      requests.push({ hourKey, objectKey, ...(etag ? { etag } : {}) });
    }
  }
  await deps.requestCompaction(requests);
}

/**
 * Whether this object, with this ETag, was ingested to the end by this parser version (a redelivery, skipped),
 * and otherwise how many attempts this one makes.
 */
export async function earlierDelivery(ref: S3ObjectRef, objectKey: string, deps: Pick<IngestDependencies, 'getIngested'>): Promise<'duplicate' | { attempts: number; etag: string | undefined }> {
  const previous = await deps.getIngested(objectKey);
  const etag = normalizeEtag(ref.etag);
  if (previous && (previous.status === 'DONE' || previous.status === 'DONE_WITH_ERRORS') && previous.parserVersion === PARSER_VERSION && etag !== undefined && previous.etag === etag) {
    log.info('skipped duplicate delivery', { objectKey, etag });
    return 'duplicate';
  }
  return { attempts: (previous?.attempts ?? 0) + 1, etag };
}

export async function ingestObject(ref: S3ObjectRef, deps: IngestDependencies): Promise<IngestResult> {
  const now = deps.now ?? (() => new Date());
  const objectKey = s3ObjectKey(ref.bucket, ref.key);
  const info = classifyLogKey(ref.key);
  const startedAt = now().toISOString();
  const base = { objectKey, kind: info.kind, parserVersion: PARSER_VERSION, startedAt, expiresAt: expiryFrom(startedAt, BOOKKEEPING_DAYS) };

  if (info.kind === 'vpc-flow-log' && deps.openFlowObject) return ingestFlowObject(ref, { ...deps, openFlowObject: deps.openFlowObject });
  if (info.kind !== 'cloudtrail-log') {
    log.info('skipped object', { objectKey, reason: info.reason });
    const item: IngestedObjectItem = { ...base, status: 'SKIPPED', attempts: 1, reason: info.reason as string, finishedAt: startedAt };
    await deps.putIngested(item);
    return item;
  }

  const delivery = await earlierDelivery(ref, objectKey, deps);
  if (delivery === 'duplicate') return { status: 'DUPLICATE', objectKey };
  const { attempts, etag } = delivery;

  let stream: LogObjectStream;
  try {
    stream = await deps.openObject(ref.bucket, ref.key);
  } catch (error) {
    if (!(error instanceof ObjectGoneError)) throw error; // transient or permission: let the queue retry
    const item: IngestedObjectItem = { ...base, status: 'FAILED', attempts, error: error.message, finishedAt: now().toISOString(), expiresAt: expiryFrom(startedAt, deps.retentionDays) };
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
  await registerShares(shares, hourKeyOf, { objectKey, objectId, ingestedAt, ...(finalEtag ? { etag: finalEtag } : {}) }, deps);

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
    // A problem is kept as long as the data the object produced (one retention period after its newest event),
    // a success for BOOKKEEPING_DAYS.
    ...(status !== 'DONE' ? { expiresAt: expiryFrom(lastEvent ?? ingestedAt, deps.retentionDays) } : {}),
  };
  await deps.putIngested(item);
  const logFields = { objectKey, status, ...counts, hours: item.hours, ...(formatError ? { error: formatError } : {}), ...(counts.rejected > 0 ? { rejections: scan.rejections } : {}) };
  if (status === 'DONE') log.info('ingested object', logFields);
  else log.warn('ingested object with errors', logFields);
  return item;
}

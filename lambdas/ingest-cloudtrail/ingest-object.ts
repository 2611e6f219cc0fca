import { classifyLogKey } from '../core/cloudtrail/log-key';
import { objectIdOf, readCloudTrailLog } from '../core/cloudtrail/read-log';
import { expiryFrom, itemsOfDigest, PARSER_VERSION, s3ObjectKey, type IngestedObjectItem, type IngestStatus } from '../core/model/items';
import type { LogObjectStream } from '../adapters/s3-objects';
import { ObjectGoneError, normalizeEtag } from '../adapters/s3-objects';
import { log } from '../shared/log';

/**
 * Ingests one S3 object: classify, skip what is not a CloudTrail log or was already ingested, stream-parse,
 * fold into a digest, write the digest's items, and record the outcome. The I/O is injected so the same
 * orchestration runs against AWS, the embedded local servers, or test doubles.
 */
export interface IngestDependencies {
  openObject(bucket: string, key: string): Promise<LogObjectStream>;
  getIngested(objectKey: string): Promise<IngestedObjectItem | undefined>;
  putIngested(item: IngestedObjectItem): Promise<void>;
  writeSessions(items: Record<string, unknown>[]): Promise<number>;
  writeActivity(items: Record<string, unknown>[]): Promise<number>;
  retentionDays: number;
  now?: () => Date;
}

export interface S3ObjectRef {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
}

export type IngestResult = { status: IngestStatus | 'DUPLICATE'; objectKey: string; writeRequests: number } & Omit<Partial<IngestedObjectItem>, 'status' | 'objectKey'>;

export async function ingestObject(ref: S3ObjectRef, deps: IngestDependencies): Promise<IngestResult> {
  const now = deps.now ?? (() => new Date());
  const objectKey = s3ObjectKey(ref.bucket, ref.key);
  const info = classifyLogKey(ref.key);
  const startedAt = now().toISOString();
  const base = { objectKey, kind: info.kind, parserVersion: PARSER_VERSION, startedAt, expiresAt: expiryFrom(startedAt, deps.retentionDays) };

  if (info.kind !== 'cloudtrail-log') {
    log.info('skipped object', { objectKey, reason: info.reason });
    const item: IngestedObjectItem = { ...base, status: 'SKIPPED', attempts: 1, reason: info.reason, finishedAt: startedAt };
    await deps.putIngested(item);
    return { ...item, writeRequests: 1 };
  }

  const previous = await deps.getIngested(objectKey);
  const etag = normalizeEtag(ref.etag);
  if (previous && (previous.status === 'DONE' || previous.status === 'DONE_WITH_ERRORS') && previous.parserVersion === PARSER_VERSION && etag !== undefined && previous.etag === etag) {
    log.info('skipped duplicate delivery', { objectKey, etag });
    return { status: 'DUPLICATE', objectKey, writeRequests: 0 };
  }
  const attempts = (previous?.attempts ?? 0) + 1;
  await deps.putIngested({ ...base, status: 'IN_PROGRESS', attempts, ...(etag ? { etag } : {}) });

  let stream: LogObjectStream;
  try {
    stream = await deps.openObject(ref.bucket, ref.key);
  } catch (error) {
    if (!(error instanceof ObjectGoneError)) throw error; // transient or permission: let the queue retry
    const item: IngestedObjectItem = { ...base, status: 'FAILED', attempts, error: error.message, finishedAt: now().toISOString() };
    log.warn('object gone before ingestion', { objectKey });
    await deps.putIngested(item);
    return { ...item, writeRequests: 2 };
  }

  const { digest, formatError } = await readCloudTrailLog(stream.body);
  const objectId = objectIdOf(objectKey);
  const items = itemsOfDigest(digest, objectId, objectKey, deps.retentionDays);
  const sessionRequests = await deps.writeSessions(items.sessions as unknown as Record<string, unknown>[]);
  const activityRequests = await deps.writeActivity(items.activity as unknown as Record<string, unknown>[]);

  const { counts } = digest;
  let status: IngestStatus = 'DONE';
  if (formatError && counts.accepted === 0) status = 'FAILED';
  else if (formatError || counts.rejected > 0) status = 'DONE_WITH_ERRORS';
  const item: IngestedObjectItem = {
    ...base,
    status,
    attempts,
    ...((stream.etag ?? etag) ? { etag: stream.etag ?? etag } : {}),
    ...((stream.size ?? ref.size) !== undefined ? { size: stream.size ?? ref.size } : {}),
    ...counts,
    ...(counts.rejected > 0 ? { rejections: digest.rejections } : {}),
    sessionsCreated: digest.sessionsCreated.size,
    sessionsObserved: digest.sessionsObserved.size,
    activityItems: items.activity.length,
    ...(formatError ? { error: formatError } : {}),
    finishedAt: now().toISOString(),
  };
  await deps.putIngested(item);
  const logFields = { objectKey, status, ...counts, ...(formatError ? { error: formatError } : {}), ...(counts.rejected > 0 ? { rejections: digest.rejections } : {}) };
  if (status === 'DONE') log.info('ingested object', logFields);
  else log.warn('ingested object with errors', logFields);
  return { ...item, writeRequests: sessionRequests + activityRequests + 3 };
}

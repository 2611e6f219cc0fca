import { FlowScan } from '../core/flowlogs/flow-scan';
import { flowHourKeyOf } from '../core/flowlogs/flow-hours';
import { parseFlowLogKey } from '../core/flowlogs/flow-key';
import { readFlowObject, type FlowObjectBody } from '../core/flowlogs/read-object';
import { objectIdOf } from '../core/cloudtrail/read-log';
import { BOOKKEEPING_DAYS, expiryFrom, PARSER_VERSION, retainedFrom, s3ObjectKey, type IngestedObjectItem, type IngestStatus } from '../core/model/items';
import { ObjectGoneError } from '../adapters/s3-objects';
import { log } from '../shared/log';
import { earlierDelivery, registerShares, type IngestDependencies, type IngestResult, type S3ObjectRef } from './ingest-object';

/** Opens a flow log object: a stream for text, random access for Parquet. */
export type OpenFlowObject = (bucket: string, key: string, format: 'text' | 'parquet') => Promise<FlowObjectBody & { etag?: string; size?: number }>;

/**
 * Ingests one VPC flow log object, as CloudTrail objects are: stream and check every record, count bad lines
 * by reason and NODATA/SKIPDATA records, register the object under each account-hour of its records
 * (`flow#<account>#<hour>`), ask for those hours' compaction, and record the outcome. No flow record is
 * written here: the compaction aggregates the hour (lambdas/compact-hour/compact-flow-hour.ts).
 */
export async function ingestFlowObject(ref: S3ObjectRef, deps: IngestDependencies & { openFlowObject: OpenFlowObject }): Promise<IngestResult> {
  const now = deps.now ?? (() => new Date());
  const objectKey = s3ObjectKey(ref.bucket, ref.key);
  const startedAt = now().toISOString();
  const base = { objectKey, kind: 'vpc-flow-log', parserVersion: PARSER_VERSION, startedAt, expiresAt: expiryFrom(startedAt, BOOKKEEPING_DAYS) };
  const name = parseFlowLogKey(ref.key);
  if (!name) {
    const reason = 'key does not name a VPC flow log file (<account>_vpcflowlogs_<region>_<flow-log-id>_<time>_<hash>.log.gz or .parquet)';
    log.info('skipped object', { objectKey, reason });
    const item: IngestedObjectItem = { ...base, status: 'SKIPPED', attempts: 1, reason, finishedAt: startedAt };
    await deps.putIngested(item);
    return item;
  }

  const delivery = await earlierDelivery(ref, objectKey, deps);
  if (delivery === 'duplicate') return { status: 'DUPLICATE', objectKey };
  const { attempts, etag } = delivery;

  let object: FlowObjectBody & { etag?: string; size?: number };
  try {
    object = await deps.openFlowObject(ref.bucket, ref.key, name.fileFormat);
  } catch (error) {
    if (!(error instanceof ObjectGoneError)) throw error; // transient or permission: let the queue retry
    const item: IngestedObjectItem = { ...base, status: 'FAILED', attempts, error: error.message, finishedAt: now().toISOString(), expiresAt: expiryFrom(startedAt, deps.retentionDays) };
    log.warn('object gone before ingestion', { objectKey });
    await deps.putIngested(item);
    return item;
  }

  const scan = new FlowScan({ fallbackAccountId: name.accountId, retainedFrom: retainedFrom(now(), deps.retentionDays) });
  const { formatError } = await readFlowObject(object, scan);
  const finalEtag = object.etag ?? etag;
  const ingestedAt = now().toISOString();
  const shares = scan.shares();
  await registerShares(shares, flowHourKeyOf, { objectKey, objectId: objectIdOf(objectKey), ingestedAt, ...(finalEtag ? { etag: finalEtag } : {}) }, deps);

  const { counts } = scan;
  let status: IngestStatus = 'DONE';
  if (formatError && counts.accepted === 0) status = 'FAILED';
  else if (formatError || counts.rejected > 0) status = 'DONE_WITH_ERRORS';
  const size = object.size ?? ref.size;
  const item: IngestedObjectItem = {
    ...base,
    status,
    attempts,
    ...(finalEtag ? { etag: finalEtag } : {}),
    ...(size !== undefined ? { size } : {}),
    ...counts,
    ...(counts.rejected > 0 ? { rejections: scan.rejections } : {}),
    hours: shares.map((share) => flowHourKeyOf(share.accountId, share.hour)),
    ...(formatError ? { error: formatError } : {}),
    finishedAt: ingestedAt,
    ...(status !== 'DONE' ? { expiresAt: expiryFrom(scan.lastEvent ?? ingestedAt, deps.retentionDays) } : {}),
  };
  await deps.putIngested(item);
  const logFields = { objectKey, status, ...counts, hours: item.hours, ...(formatError ? { error: formatError } : {}), ...(counts.rejected > 0 ? { rejections: scan.rejections } : {}) };
  if (status === 'DONE') log.info('ingested flow log object', logFields);
  else log.warn('ingested flow log object with errors', logFields);
  return item;
}

import type { S3Client } from '@aws-sdk/client-s3';
import { readLogRecords } from '../core/cloudtrail/read-log';
import { ObjectGoneError, openObject } from './s3-objects';

/**
 * Reads chosen records of a CloudTrail log object back from the user's bucket, by position in its `Records`
 * array (what a compact event's `n` gives). The object is streamed and only the wanted records are kept;
 * the stream stops at the last one. Trailhound never stores a copy of the logs: this is how evidence shows
 * a call's full record. An object deleted (or made unreadable) since ingestion is an outcome, not a failure.
 */
export type RecordLookup = { status: 'FOUND'; records: Map<number, unknown> } | { status: 'OBJECT_DELETED' | 'ACCESS_DENIED' };

export function parseS3ObjectKey(objectKey: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(objectKey);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

/** Thrown by the sink once every wanted record is in, to stop reading the rest of the object. */
class AllFound extends Error {}

export async function recordsAt(client: S3Client, objectKey: string, positions: ReadonlySet<number>): Promise<RecordLookup> {
  const location = parseS3ObjectKey(objectKey);
  if (!location) return { status: 'OBJECT_DELETED' };
  const records = new Map<number, unknown>();
  const last = Math.max(...positions);
  try {
    const stream = await openObject(client, location.bucket, location.key);
    await readLogRecords(stream.body, {
      addRaw: (value, position) => {
        if (positions.has(position)) records.set(position, value);
        if (position >= last) throw new AllFound();
      },
      addUnparsable: (_reason, position) => {
        if (position >= last) throw new AllFound();
      },
    });
  } catch (error) {
    if (error instanceof ObjectGoneError) return { status: 'OBJECT_DELETED' };
    const name = (error as { name?: string }).name;
    if (name === 'AccessDenied' || name === 'Forbidden' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) return { status: 'ACCESS_DENIED' };
    if (!(error instanceof AllFound)) throw error;
  }
  return { status: 'FOUND', records };
}

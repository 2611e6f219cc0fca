import type { S3ObjectRef } from './ingest-object';

/**
 * Turns the body of an SQS message into the S3 objects it announces. Bodies are S3 event notifications
 * (possibly wrapped in an SNS envelope when the bucket fans out through a topic); the `s3:TestEvent` S3
 * sends when a notification is configured announces nothing.
 */
export class MalformedNotificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedNotificationError';
  }
}

interface S3NotificationRecord {
  eventSource?: string;
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number; eTag?: string } };
}

/** S3 URL-encodes keys in notifications, with spaces as '+'. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export function objectsInMessage(body: string): S3ObjectRef[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedNotificationError('message body is not JSON');
  }
  const envelope = parsed as { Type?: string; Message?: string; Event?: string; Records?: unknown };
  if (envelope.Type === 'Notification' && typeof envelope.Message === 'string') return objectsInMessage(envelope.Message);
  if (envelope.Event === 's3:TestEvent') return [];
  if (!Array.isArray(envelope.Records)) throw new MalformedNotificationError('message is not an S3 event notification (no Records)');
  const objects: S3ObjectRef[] = [];
  for (const record of envelope.Records as S3NotificationRecord[]) {
    if (record.eventSource !== 'aws:s3' || !record.eventName?.startsWith('ObjectCreated:')) continue;
    const bucket = record.s3?.bucket?.name;
    const key = record.s3?.object?.key;
    if (!bucket || !key) throw new MalformedNotificationError('S3 notification record without bucket or key');
    objects.push({
      bucket,
      key: decodeS3Key(key),
      ...(record.s3?.object?.eTag ? { etag: record.s3.object.eTag } : {}),
      ...(record.s3?.object?.size !== undefined ? { size: record.s3.object.size } : {}),
    });
  }
  return objects;
}

/** The s3:// keys a message announces, for logs about it; none when it is not a notification. Never throws. */
export function objectKeysInMessage(body: string): string[] {
  try {
    return objectsInMessage(body).map((object) => `s3://${object.bucket}/${object.key}`);
  } catch {
    return [];
  }
}

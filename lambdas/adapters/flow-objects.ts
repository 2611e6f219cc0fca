import type { S3Client } from '@aws-sdk/client-s3';
import type { FlowObjectBody } from '../core/flowlogs/read-object';
import { openObject, openRandomAccess } from './s3-objects';

/** Opens a flow log object from S3: streamed for text delivery, through ranged GETs for Parquet. */
export async function openFlowObject(client: S3Client, bucket: string, key: string, format: 'text' | 'parquet'): Promise<FlowObjectBody & { etag?: string; size?: number }> {
  if (format === 'parquet') {
    const { file, etag, size } = await openRandomAccess(client, bucket, key);
    return { format, file, ...(etag ? { etag } : {}), size };
  }
  const stream = await openObject(client, bucket, key);
  return { format, body: stream.body, ...(stream.etag ? { etag: stream.etag } : {}), ...(stream.size !== undefined ? { size: stream.size } : {}) };
}

import { GetObjectCommand, HeadObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { ByteSourceError } from '../core/flowlogs/byte-source-error';

export interface LogObjectStream {
  body: AsyncIterable<Uint8Array>;
  etag?: string;
  size?: number;
}

export class ObjectGoneError extends Error {
  constructor(bucket: string, key: string) {
    super(`s3://${bucket}/${key} no longer exists`);
    this.name = 'ObjectGoneError';
  }
}

/** S3 ETags are quoted strings; notifications carry them unquoted. Compare them unquoted. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}

/** Opens an object as a byte stream (never buffered whole). */
export async function openObject(client: S3Client, bucket: string, key: string): Promise<LogObjectStream> {
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!output.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return {
      body: output.Body as AsyncIterable<Uint8Array>,
      ...(output.ETag ? { etag: normalizeEtag(output.ETag) } : {}),
      ...(output.ContentLength !== undefined ? { size: output.ContentLength } : {}),
    };
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') throw new ObjectGoneError(bucket, key);
    throw error;
  }
}

/**
 * Opens an object for random access (a Parquet file's footer, then its row groups) through ranged GETs:
 * nothing but the requested ranges is held in memory. A failed range read is a ByteSourceError, so the
 * reader rethrows it and the object is retried, instead of recording the file as damaged.
 */
export async function openRandomAccess(client: S3Client, bucket: string, key: string): Promise<{ file: AsyncBuffer; etag?: string; size: number }> {
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'NotFound') throw new ObjectGoneError(bucket, key);
    throw error;
  }
  const size = head.ContentLength ?? 0;
  const etag = normalizeEtag(head.ETag);
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const last = (end ?? size) - 1;
      if (last < start) return new ArrayBuffer(0);
      try {
        // IfMatch: a file replaced while it is read fails the read instead of mixing two versions.
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${last}`, ...(head.ETag ? { IfMatch: head.ETag } : {}) }));
        const bytes = await (output.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      } catch (error) {
        throw new ByteSourceError(`s3://${bucket}/${key} bytes ${start}-${last}: ${(error as Error).message}`);
      }
    },
  };
  return { file, ...(etag ? { etag } : {}), size };
}

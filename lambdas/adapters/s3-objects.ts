import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

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

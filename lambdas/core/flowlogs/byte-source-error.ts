/** A read of the byte source (S3, network) failed: thrown again by the readers, so that the object is retried. */
export class ByteSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ByteSourceError';
  }
}

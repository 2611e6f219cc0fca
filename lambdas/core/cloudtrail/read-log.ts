import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LogFormatError, MAX_RECORD_BYTES, OVERSIZE_RECORD, splitRecords } from './record-splitter';

const GZIP_MAGIC = [0x1f, 0x8b];

export function objectIdOf(objectKey: string): string {
  return createHash('sha256').update(objectKey).digest('hex').slice(0, 20);
}

/** Receives each record of a log object in order, with its position in the `Records` array. */
export interface RecordSink {
  addRaw(value: unknown, position: number): void;
  addUnparsable(reason: string, position: number): void;
}

export interface ReadRecordsOutcome {
  /** Why the object could not be read to its end, when it could not. */
  formatError?: string;
  compressed: boolean;
  /** Records passed to the sink. */
  records: number;
}

/**
 * Streams the records of one CloudTrail log object (gzip as CloudTrail writes it, or plain JSON as users
 * sometimes keep it) into `sink`, parsed but not yet checked: ingestion's ObjectScan and compaction's
 * HourCompactor check them.
 *
 * Bad content is an outcome, not an exception: a truncated gzip or broken JSON ends the stream with
 * `formatError`, keeping the records read before the damage. Errors of the byte source itself (network, S3)
 * are rethrown, since a retry may succeed.
 */
export async function readLogRecords(source: AsyncIterable<Buffer | Uint8Array | string>, sink: RecordSink): Promise<ReadRecordsOutcome> {
  const { first, rest } = await peek(source);
  if (!first) return { formatError: 'empty object', compressed: false, records: 0 };
  const compressed = first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  const bytes = compressed ? gunzip(prepend(first, rest)) : prepend(first, rest);
  let position = 0;
  try {
    for await (const recordBytes of splitRecords(bytes)) {
      if (recordBytes === OVERSIZE_RECORD) {
        sink.addUnparsable(`record larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB`, position++);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(recordBytes.toString('utf8'));
      } catch {
        sink.addUnparsable('record is not valid JSON', position++);
        continue;
      }
      sink.addRaw(value, position++);
    }
  } catch (error) {
    if (error instanceof LogFormatError) return { formatError: error.message, compressed, records: position };
    if (isZlibError(error)) return { formatError: `gzip: ${(error as Error).message}`, compressed, records: position };
    throw error;
  }
  return { compressed, records: position };
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  return typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Reads the first chunks until they hold the two bytes that tell gzip from JSON (a stream may deliver one
 * byte at a time), joined into one.
 */
async function peek(source: AsyncIterable<Buffer | Uint8Array | string>): Promise<{ first?: Buffer; rest: AsyncIterator<Buffer | Uint8Array | string> }> {
  const rest = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  while (length < GZIP_MAGIC.length) {
    const next = await rest.next();
    if (next.done) break;
    const chunk = toBuffer(next.value);
    head.push(chunk);
    length += chunk.length;
  }
  return length === 0 ? { rest } : { first: Buffer.concat(head), rest };
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield toBuffer(next.value);
  }
}

async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = Readable.from(source);
  const inflater = createGunzip();
  // A failure of the source must surface through the inflater, or iteration would hang.
  input.on('error', (error) => inflater.destroy(error));
  input.pipe(inflater);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } finally {
    input.destroy();
  }
}

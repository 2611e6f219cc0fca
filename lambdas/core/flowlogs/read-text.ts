import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FlowFormatError, flowFormatOfHeader, parseFlowColumns, type FlowFormat } from './flow-format';
import type { FlowRecord } from './flow-record';

/** Receives each record of a flow log object, checked, or the reason it was rejected. */
export interface FlowSink {
  add(record: FlowRecord): void;
  reject(reason: string): void;
}

export interface ReadFlowOutcome {
  /** Why the object could not be read to its end (its records before the damage were delivered). */
  formatError?: string;
  /** Record lines passed to the sink, accepted or rejected (not the header, not blank lines). */
  lines: number;
}

/** A line longer than this is no flow record (every documented field at its widest fits in 4 KB). */
export const MAX_LINE_BYTES = 16 * 1024;
const NEWLINE = 0x0a;

/**
 * Streams a text flow log object (gzip as VPC Flow Logs writes it, or plain text) line by line into `sink`:
 * memory holds one chunk and one line, never the file. The first line is the header naming the fields. A
 * truncated gzip ends the stream with `formatError`, keeping the lines before the damage; errors of the byte
 * source itself (network, S3) are rethrown, since a retry may succeed.
 */
export async function readFlowText(source: AsyncIterable<Uint8Array | string>, sink: FlowSink): Promise<ReadFlowOutcome> {
  let format: FlowFormat | undefined;
  let lines = 0;
  const onLine = (line: string): string | undefined => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return undefined;
    if (!format) {
      try {
        format = flowFormatOfHeader(text);
      } catch (error) {
        if (error instanceof FlowFormatError) return `not a flow log header: ${error.message}`;
        throw error;
      }
      return undefined;
    }
    lines++;
    const parsed = parseFlowColumns(format, text.split(' '));
    if (parsed.ok) sink.add(parsed.record);
    else sink.reject(parsed.reason);
    return undefined;
  };
  try {
    for await (const line of splitLines(decompressed(source), () => {
      lines++;
      sink.reject(`line longer than ${MAX_LINE_BYTES / 1024} KB`);
    })) {
      const fatal = onLine(line);
      if (fatal) return { formatError: fatal, lines };
    }
  } catch (error) {
    if (isZlibError(error)) return { formatError: `gzip: ${(error as Error).message}`, lines };
    throw error;
  }
  if (!format) return { formatError: 'empty object: no header line', lines };
  return { lines };
}

/**
 * Splits bytes into lines (UTF-8), holding at most MAX_LINE_BYTES of a line: a longer one is reported
 * through `onOversize` and skipped to its end.
 */
export async function* splitLines(source: AsyncIterable<Buffer>, onOversize: () => void): AsyncGenerator<string> {
  let carry: Buffer | undefined;
  let skipping = false;
  for await (const chunk of source) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      if (skipping) skipping = false;
      else if (carry) {
        const whole = Buffer.concat([carry, chunk.subarray(start, end)]);
        carry = undefined;
        if (whole.length > MAX_LINE_BYTES) onOversize();
        else yield whole.toString('utf8');
      } else if (end - start > MAX_LINE_BYTES) onOversize();
      else yield chunk.toString('utf8', start, end);
      start = end + 1;
    }
    if (start < chunk.length && !skipping) {
      carry = carry ? Buffer.concat([carry, chunk.subarray(start)]) : Buffer.from(chunk.subarray(start));
      if (carry.length > MAX_LINE_BYTES) {
        carry = undefined;
        skipping = true;
        onOversize();
      }
    }
  }
  if (carry && carry.length > 0) yield carry.toString('utf8');
}

const GZIP_MAGIC = [0x1f, 0x8b];

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  return typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The object's bytes, gunzipped when they start with the gzip magic (a stream may deliver one byte at a time). */
async function* decompressed(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  while (length < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = toBuffer(next.value);
    head.push(chunk);
    length += chunk.length;
  }
  const first = Buffer.concat(head);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield toBuffer(next.value);
    }
  }
  if (first[0] !== GZIP_MAGIC[0] || first[1] !== GZIP_MAGIC[1]) return yield* all();
  const input = Readable.from(all());
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

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FlowFormatError, flowFormatOfHeader } from './flow-format';
import { BLANK_LINE, FlowLineParser } from './flow-line';
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
 * source itself (network, S3) are rethrown, since a retry may succeed. Record lines are parsed from the
 * bytes (FlowLineParser): no string per line.
 */
export async function readFlowText(source: AsyncIterable<Uint8Array | string>, sink: FlowSink): Promise<ReadFlowOutcome> {
  const reader = new FlowTextReader(sink);
  const lines = new LineSplitter(reader);
  try {
    for await (const chunk of decompressed(source)) {
      lines.push(chunk);
      if (reader.fatal) return { formatError: reader.fatal, lines: reader.lines };
    }
    lines.end();
    if (reader.fatal) return { formatError: reader.fatal, lines: reader.lines };
  } catch (error) {
    if (isZlibError(error)) return { formatError: `gzip: ${(error as Error).message}`, lines: reader.lines };
    throw error;
  }
  if (!reader.parser) return { formatError: 'empty object: no header line', lines: reader.lines };
  return { lines: reader.lines };
}

/** Receives the lines of an object as byte ranges; valid only during the call. */
export interface LineSink {
  line(bytes: Buffer, start: number, end: number): void;
  oversize(): void;
}

/** The header, then each record line through the parser into the flow sink. */
class FlowTextReader implements LineSink {
  parser: FlowLineParser | undefined;
  lines = 0;
  /** Why the object cannot be read on (set once; no line is read after it). */
  fatal: string | undefined;

  constructor(private readonly sink: FlowSink) {}

  line(bytes: Buffer, start: number, end: number): void {
    if (this.fatal) return;
    const parser = this.parser;
    if (!parser) return this.header(bytes.toString('utf8', start, end));
    const result = parser.parse(bytes, start, end);
    if (result === BLANK_LINE) return;
    this.lines++;
    if (typeof result === 'string') this.sink.reject(result);
    else this.sink.add(result);
  }

  oversize(): void {
    if (this.fatal) return;
    this.lines++;
    this.sink.reject(`line longer than ${MAX_LINE_BYTES / 1024} KB`);
  }

  private header(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    try {
      this.parser = new FlowLineParser(flowFormatOfHeader(text));
    } catch (error) {
      if (error instanceof FlowFormatError) this.fatal = `not a flow log header: ${error.message}`;
      else throw error;
    }
  }
}

/**
 * Cuts chunks of bytes into lines without copying them: a line inside a chunk is passed as its range; only a
 * line cut across chunks is copied, into one buffer of MAX_LINE_BYTES. A longer line is reported through
 * `oversize` and skipped to its end.
 */
export class LineSplitter {
  private readonly carry = Buffer.allocUnsafe(MAX_LINE_BYTES);
  private carried = 0;
  private skipping = false;

  constructor(private readonly sink: LineSink) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      if (this.skipping) this.skipping = false;
      else if (this.carried > 0) {
        const length = this.carried + end - start;
        this.carried = 0;
        if (length > MAX_LINE_BYTES) this.sink.oversize();
        else {
          chunk.copy(this.carry, length - (end - start), start, end);
          this.sink.line(this.carry, 0, length);
        }
      } else if (end - start > MAX_LINE_BYTES) this.sink.oversize();
      else this.sink.line(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.length - start;
      if (this.carried + rest > MAX_LINE_BYTES) {
        this.carried = 0;
        this.skipping = true;
        this.sink.oversize();
      } else {
        chunk.copy(this.carry, this.carried, start);
        this.carried += rest;
      }
    }
  }

  /** The last line, when the object does not end with a newline. */
  end(): void {
    if (this.carried > 0) this.sink.line(this.carry, 0, this.carried);
    this.carried = 0;
  }
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
export const GUNZIP_CHUNK_BYTES = 64 * 1024;

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  return typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The object's bytes, gunzipped when they start with the gzip magic (a stream may deliver one byte at a time). */
export async function* decompressed(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
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
  // 64 KB out per chunk rather than 16: a quarter of the stream's per-chunk work.
  const inflater = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // A failure of the source must surface through the inflater, or iteration would hang.
  input.on('error', (error) => inflater.destroy(error));
  input.pipe(inflater);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } finally {
    input.destroy();
  }
}

/** A gzip stream error (truncated or corrupt data), as opposed to a failure of the byte source. */
export function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

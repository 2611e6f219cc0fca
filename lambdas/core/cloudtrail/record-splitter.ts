/**
 * Streams the records out of a CloudTrail log file (`{"Records":[{...},{...}]}`) without parsing the whole
 * document: a byte-level scanner finds where each element of the top-level `Records` array starts and ends,
 * and only that slice is handed to JSON.parse. Memory stays at one record plus the current chunk, so a
 * 100 MB file fits a 512 MB Lambda, and records before a truncation point are still delivered.
 *
 * Strings are skipped with Buffer.indexOf (native) rather than byte by byte: most of a CloudTrail file is
 * string content, so this is what makes the scanner about as fast as JSON.parse itself (see `npm run bench`).
 */

export class LogFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogFormatError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Largest record kept. CloudTrail's own events are far smaller (tens of KB); a larger one is hostile or broken,
 * and holding it would let one record exhaust a function's memory. It is skipped while scanning (its bytes are
 * never gathered) and reported as OVERSIZE_RECORD.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Yielded in place of a record larger than MAX_RECORD_BYTES (compare by identity). */
export const OVERSIZE_RECORD: Buffer = Buffer.alloc(0);

/** Scanner state carried across chunks. */
class SplitterState {
  /** Bytes of the record being captured, so far. */
  capturedBytes = 0;
  /** The record being captured passed MAX_RECORD_BYTES: its parts are dropped, its end still looked for. */
  oversize = false;
  depth = 0;
  inString = false;
  /** Backslashes at the very end of the previous chunk while in a string (their parity decides an escape). */
  trailingBackslashes = 0;
  started = false;
  sawRecords = false;
  inRecords = false;
  /** Parts of the record being captured (it may span chunks). */
  recordParts: Buffer[] = [];
  capturing = false;
  /** Captures the string keys of the top-level object, to recognise `"Records"`. */
  keyParts: Buffer[] | null = null;
  lastTopLevelKey = '';
}

/**
 * Yields each element of the top-level `Records` array as raw JSON bytes.
 * Throws LogFormatError (after yielding every complete record before it) when the document is not a
 * CloudTrail log or ends early.
 */
export async function* splitRecords(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const state = new SplitterState();
  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    yield* scanChunk(state, chunk);
  }
  if (!state.started) throw new LogFormatError('empty document');
  if (state.depth !== 0 || state.inString) {
    throw new LogFormatError('document ends inside a JSON value (truncated or malformed)');
  }
  if (!state.sawRecords) throw new LogFormatError('no top-level "Records" array');
}

function* scanChunk(state: SplitterState, chunk: Buffer): Generator<Buffer> {
  let recordStart = state.capturing ? 0 : -1;
  let keyStart = state.keyParts ? 0 : -1;
  let i = 0;
  const length = chunk.length;
  while (i < length) {
    if (state.inString) {
      const end = findClosingQuote(state, chunk, i);
      if (end === -1) break;
      state.inString = false;
      if (keyStart !== -1 && state.keyParts) {
        state.keyParts.push(chunk.subarray(keyStart, end));
        state.lastTopLevelKey = Buffer.concat(state.keyParts).toString('utf8');
        state.keyParts = null;
        keyStart = -1;
      }
      i = end + 1;
      continue;
    }
    const byte = chunk[i];
    if (!state.started) {
      if (isWhitespace(byte) || byte === 0xef || byte === 0xbb || byte === 0xbf) {
        // Whitespace and a UTF-8 byte-order mark may precede the document.
        i++;
        continue;
      }
      if (byte !== OPEN_OBJECT) throw new LogFormatError('not a JSON object (a CloudTrail log starts with {"Records":[)');
      state.started = true;
    }
    switch (byte) {
      case QUOTE:
        state.inString = true;
        state.trailingBackslashes = 0;
        if (state.depth === 1) {
          state.keyParts = [];
          keyStart = i + 1;
        }
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (state.depth === 1 && byte === OPEN_ARRAY && state.lastTopLevelKey === 'Records') {
          state.inRecords = true;
          state.sawRecords = true;
        } else if (state.depth === 2 && state.inRecords) {
          if (byte !== OPEN_OBJECT) throw new LogFormatError('"Records" holds an element that is not an object');
          state.capturing = true;
          state.recordParts = [];
          state.capturedBytes = 0;
          state.oversize = false;
          recordStart = i;
        }
        state.depth++;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        state.depth--;
        if (state.depth < 0) throw new LogFormatError('unbalanced closing bracket');
        if (state.depth === 2 && state.capturing) {
          const oversize = state.oversize || state.capturedBytes + (i + 1 - recordStart) > MAX_RECORD_BYTES;
          if (!oversize) state.recordParts.push(chunk.subarray(recordStart, i + 1));
          const record = oversize ? OVERSIZE_RECORD : state.recordParts.length === 1 ? state.recordParts[0] : Buffer.concat(state.recordParts);
          state.recordParts = [];
          state.capturing = false;
          state.oversize = false;
          state.capturedBytes = 0;
          recordStart = -1;
          yield record;
        } else if (state.depth === 1 && state.inRecords) {
          state.inRecords = false;
        }
        break;
      default:
        if (state.depth === 2 && state.inRecords && !isWhitespace(byte) && byte !== 0x2c) {
          throw new LogFormatError('"Records" holds an element that is not an object');
        }
    }
    i++;
  }
  // Keep the unfinished parts for the next chunk. Copies, because the stream may reuse its buffers.
  if (state.capturing && recordStart !== -1 && !state.oversize) {
    const part = chunk.subarray(recordStart);
    if (state.capturedBytes + part.length > MAX_RECORD_BYTES) {
      state.oversize = true;
      state.recordParts = [];
    } else {
      state.recordParts.push(Buffer.from(part));
      state.capturedBytes += part.length;
    }
  }
  if (state.keyParts && keyStart !== -1) state.keyParts.push(Buffer.from(chunk.subarray(keyStart)));
}

/**
 * Finds the quote that ends the current string, from `from` on; -1 when the string goes on past the chunk.
 * A quote is escaped when an odd number of backslashes stands right before it, possibly across chunks.
 */
function findClosingQuote(state: SplitterState, chunk: Buffer, from: number): number {
  let searchFrom = from;
  for (;;) {
    const quote = chunk.indexOf(QUOTE, searchFrom);
    if (quote === -1) {
      countTrailingBackslashes(state, chunk, from);
      return -1;
    }
    let backslashes = 0;
    let k = quote - 1;
    while (k >= from && chunk[k] === BACKSLASH) {
      backslashes++;
      k--;
    }
    if (k < from) backslashes += state.trailingBackslashes;
    state.trailingBackslashes = 0;
    if (backslashes % 2 === 0) return quote;
    searchFrom = quote + 1;
    from = quote + 1;
  }
}

function countTrailingBackslashes(state: SplitterState, chunk: Buffer, from: number): void {
  let count = 0;
  let k = chunk.length - 1;
  while (k >= from && chunk[k] === BACKSLASH) {
    count++;
    k--;
  }
  state.trailingBackslashes = k < from ? state.trailingBackslashes + count : count;
}

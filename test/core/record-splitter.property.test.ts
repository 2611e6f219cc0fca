import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LogFormatError, splitRecords } from '../../lambdas/core/cloudtrail/record-splitter';
import { readLogRecords, type RecordSink } from '../../lambdas/core/cloudtrail/read-log';
import { ObjectScan } from '../../lambdas/core/storage/object-scan';

/**
 * Property tests: the streamed splitter and reader against JSON.parse of the same document, on random
 * documents cut into random chunks (boundaries fall anywhere: inside strings, escapes, multi-byte UTF-8
 * characters, between a backslash and what it escapes).
 */

/** Cuts `bytes` at the given positions (taken modulo the length, deduplicated, sorted). */
function cut(bytes: Buffer, positions: readonly number[]): Buffer[] {
  const points = [...new Set(positions.map((p) => (bytes.length === 0 ? 0 : p % bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = Math.max(from, point);
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

async function* streamOf(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

async function splitAll(chunks: readonly Buffer[]): Promise<{ records: unknown[]; error?: unknown }> {
  const records: unknown[] = [];
  try {
    for await (const record of splitRecords(streamOf(chunks))) records.push(JSON.parse(record.toString('utf8')));
    return { records };
  } catch (error) {
    return { records, error };
  }
}

// Any JSON value, strings with any Unicode (surrogate pairs included), as records and as sibling keys.
const json = fc.jsonValue({ maxDepth: 4 });
const record = fc.dictionary(fc.string({ unit: 'binary' }), json, { maxKeys: 6 });
const siblings = fc.dictionary(
  fc.string({ unit: 'binary' }).filter((key) => key !== 'Records'),
  json,
  { maxKeys: 3 },
);

/** `{"Records": [...]}` with other keys before and after, serialised compactly or indented. */
const documents = fc.record({ records: fc.array(record, { maxLength: 8 }), before: siblings, after: siblings, indent: fc.constantFrom(undefined, 1, '\t') }).map(
  ({ records, before, after, indent }) => JSON.stringify({ ...before, Records: records, ...after }, null, indent),
);
const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe('splitRecords, property-based', () => {
  it('yields exactly JSON.parse(document).Records, whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(documents, cuts, async (document, positions) => {
        const { records, error } = await splitAll(cut(Buffer.from(document), positions));
        expect(error).toBeUndefined();
        expect(records).toEqual((JSON.parse(document) as { Records: unknown[] }).Records);
      }),
      { numRuns: 300 },
    );
  });

  it('on a truncated document yields a prefix of the records, then a LogFormatError', async () => {
    await fc.assert(
      fc.asyncProperty(documents, fc.nat(), cuts, async (document, end, positions) => {
        const bytes = Buffer.from(document);
        const truncated = bytes.subarray(0, end % bytes.length);
        const { records, error } = await splitAll(cut(truncated, positions));
        const expected = (JSON.parse(document) as { Records: unknown[] }).Records;
        expect(records).toEqual(expected.slice(0, records.length));
        expect(error).toBeInstanceOf(LogFormatError);
      }),
      { numRuns: 200 },
    );
  });
});

// Records CloudTrail could have written: the validated fields plus arbitrary extra content.
const cloudTrailRecord = fc.record({
  eventVersion: fc.constantFrom('1.08', '1.09', '1.10'),
  eventTime: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  eventSource: fc.constantFrom('iam.amazonaws.com', 'sts.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com'),
  eventName: fc.constantFrom('GetUser', 'ListBuckets', 'DescribeInstances', 'GetCallerIdentity'),
  eventID: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  sourceIPAddress: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('AWS Internal'), fc.string({ unit: 'binary' })),
  userAgent: fc.string({ unit: 'binary' }),
  userIdentity: fc.record({ type: fc.constantFrom('IAMUser', 'AssumedRole', 'AWSService', 'Root'), principalId: fc.string(), accountId: fc.constant('111122223333') }),
  requestParameters: fc.option(fc.dictionary(fc.string(), json, { maxKeys: 3 })),
});
// Elements of Records must be objects (anything else is a format error, tested in record-splitter.test.ts).
const logDocuments = fc.array(fc.oneof({ weight: 4, arbitrary: cloudTrailRecord }, { weight: 1, arbitrary: record }), { maxLength: 12 });

/** Reads as ingestion does (an ObjectScan), keeping what reached the sink and at which positions. */
async function readAll(chunks: readonly Buffer[]) {
  const scan = new ObjectScan();
  const seen: { value?: unknown; unparsable?: string; position: number }[] = [];
  const sink: RecordSink = {
    addRaw: (value, position) => {
      seen.push({ value, position });
      scan.addRaw(value);
    },
    addUnparsable: (reason, position) => {
      seen.push({ unparsable: reason, position });
      scan.addUnparsable(reason);
    },
  };
  const outcome = await readLogRecords(streamOf(chunks), sink);
  return { scan, seen, ...outcome };
}

describe('readLogRecords, property-based', () => {
  it('counts every record of the document, gzipped or not, in chunks of any size', async () => {
    await fc.assert(
      fc.asyncProperty(logDocuments, fc.boolean(), cuts, async (records, gzip, positions) => {
        const document = JSON.stringify({ Records: records });
        const bytes = gzip ? gzipSync(document) : Buffer.from(document);
        const { scan, seen, formatError, compressed, records: read } = await readAll(cut(bytes, positions));
        expect(formatError).toBeUndefined();
        expect(compressed).toBe(gzip);
        // Independent count: JSON.parse of the document, and the ids of the records that look like CloudTrail's.
        const parsed = (JSON.parse(document) as { Records: unknown[] }).Records;
        expect(read).toBe(parsed.length);
        expect(seen).toEqual(parsed.map((value, position) => ({ value, position })));
        const valid = parsed.filter((r): r is { eventID: string } => typeof r === 'object' && r !== null && !Array.isArray(r) && (r as { eventVersion?: unknown }).eventVersion !== undefined);
        expect(scan.counts.records).toBe(parsed.length);
        expect(scan.counts.accepted).toBe(new Set(valid.map((r) => r.eventID)).size);
        expect(scan.counts.duplicates).toBe(valid.length - scan.counts.accepted);
        expect(scan.counts.rejected).toBe(parsed.length - valid.length);
        expect(scan.shares().reduce((n, share) => n + share.records, 0)).toBe(scan.counts.accepted);
      }),
      { numRuns: 200 },
    );
  });

  it('on a truncated object, gzipped or not, keeps a prefix of the records and reports a format error', async () => {
    await fc.assert(
      fc.asyncProperty(logDocuments, fc.boolean(), fc.nat(), cuts, async (records, gzip, end, positions) => {
        const document = JSON.stringify({ Records: records });
        const bytes = gzip ? gzipSync(document) : Buffer.from(document);
        const truncated = bytes.subarray(0, end % bytes.length);
        const { scan, seen, formatError, records: read } = await readAll(cut(truncated, positions));
        expect(formatError).toBeDefined();
        const parsed = (JSON.parse(document) as { Records: unknown[] }).Records;
        expect(read).toBe(seen.length);
        expect(seen).toEqual(parsed.slice(0, seen.length).map((value, position) => ({ value, position })));
        expect(scan.counts.records).toBe(seen.length);
      }),
      { numRuns: 200 },
    );
  });
});

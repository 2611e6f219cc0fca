import { gzipSync } from 'node:zlib';
import { readLogRecords } from '../../lambdas/core/cloudtrail/read-log';
import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { ObjectScan } from '../../lambdas/core/storage/object-scan';
import { ACCOUNT, assumeRole, assumedRole, iamUser, record } from '../helpers/records';

async function* chunks(bytes: Buffer, size = 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Reads an object as ingestion does: readLogRecords into an ObjectScan. */
async function scanOf(source: AsyncIterable<Buffer>) {
  const scan = new ObjectScan();
  const outcome = await readLogRecords(source, scan);
  return { scan, ...outcome };
}

const records = [
  assumeRole(iamUser('alice'), 'arn:aws:iam::111122223333:role/Admin', 'alice', 'ASIAADMIN'),
  ...Array.from({ length: 50 }, (_, i) => record({ userIdentity: assumedRole('Admin', 'alice', 'ASIAADMIN'), eventName: i % 5 === 0 ? 'GetObject' : 'ListBuckets', eventSource: 's3.amazonaws.com', ...(i % 7 === 0 ? { errorCode: 'AccessDenied' } : {}) })),
];
const json = JSON.stringify({ Records: records });

describe('readLogRecords', () => {
  it('reads a gzip log as CloudTrail writes it', async () => {
    const { scan, formatError, compressed, records: read } = await scanOf(chunks(gzipSync(json), 97));
    expect(formatError).toBeUndefined();
    expect(compressed).toBe(true);
    expect(read).toBe(51);
    expect(scan.counts).toEqual({ records: 51, accepted: 51, duplicates: 0, rejected: 0 });
    expect(scan.shares()).toEqual([{ accountId: ACCOUNT, hour: '2026-10-22T10', records: 51, firstEvent: '2026-10-22T10:00:00Z', lastEvent: '2026-10-22T10:00:00Z' }]);
  });

  it('feeds the compactor the sessions a log creates and uses', async () => {
    const compactor = new HourCompactor(ACCOUNT, '2026-10-22T10');
    const { formatError } = await readLogRecords(chunks(gzipSync(json), 97), compactor.sinkFor(0));
    expect(formatError).toBeUndefined();
    const hour = compactor.finish();
    expect(hour.counts).toEqual({ events: 51, duplicates: 0 });
    expect(hour.sessionsCreated.map((s) => s.sessionId)).toEqual(['ASIAADMIN']);
    expect(hour.sessionsObserved.find((s) => s.sessionId === 'ASIAADMIN')?.eventCount).toBe(50);
  });

  it('reads uncompressed JSON too', async () => {
    const { scan, compressed } = await scanOf(chunks(Buffer.from(json)));
    expect(compressed).toBe(false);
    expect(scan.counts.accepted).toBe(51);
  });

  it('reads gzip files made of several members', async () => {
    const bytes = Buffer.from(json);
    const half = json.indexOf('{"eventVersion"', json.length / 2);
    const members = Buffer.concat([gzipSync(bytes.subarray(0, half)), gzipSync(bytes.subarray(half))]);
    expect((await scanOf(chunks(members))).scan.counts.accepted).toBe(51);
  });

  it('keeps the records before a truncated gzip and reports the truncation', async () => {
    const gz = gzipSync(json);
    const { scan, formatError } = await scanOf(chunks(gz.subarray(0, Math.floor(gz.length * 0.6)), 64));
    expect(formatError).toMatch(/^gzip: unexpected end of file|document ends inside/);
    expect(scan.counts.accepted).toBeGreaterThan(0);
    expect(scan.counts.accepted).toBeLessThan(51);
  });

  it('reports objects that are neither gzip nor JSON', async () => {
    const { scan, formatError, records: read } = await scanOf(chunks(Buffer.from('2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA')));
    expect(formatError).toMatch(/not a JSON object/);
    expect(read).toBe(0);
    expect(scan.counts.records).toBe(0);
  });

  it('reports empty objects', async () => {
    const { scan, formatError, compressed } = await scanOf(chunks(Buffer.alloc(0)));
    expect(formatError).toBe('empty object');
    expect(compressed).toBe(false);
    expect(scan.counts.records).toBe(0);
  });

  it('rejects bad records by reason and keeps the good ones', async () => {
    const good = JSON.stringify(records[1]);
    const text = `{"Records":[${good},{"eventVersion":"1.08","eventTime":"2026-10-22T10:00:00Z","eventName":oops},${JSON.stringify({ ...records[2], eventTime: undefined })},${JSON.stringify({ ...records[3], eventVersion: '2.0' })},${JSON.stringify(records[4])}]}`;
    const { scan, formatError } = await scanOf(chunks(gzipSync(text), 50));
    expect(formatError).toBeUndefined();
    expect(scan.counts).toEqual({ records: 5, accepted: 2, duplicates: 0, rejected: 3 });
    expect(scan.rejections).toEqual({ 'record is not valid JSON': 1, 'missing or malformed eventTime': 1, 'unsupported eventVersion "2.0"': 1 });
    // Compaction re-reads the object and keeps only the records the scan accepted.
    const compactor = new HourCompactor(ACCOUNT, '2026-10-22T10');
    await readLogRecords(chunks(gzipSync(text), 50), compactor.sinkFor(0));
    expect(compactor.finish().counts).toEqual({ events: 2, duplicates: 0 });
  });

  it('counts a record repeated within a file once', async () => {
    const text = JSON.stringify({ Records: [records[1], records[1], records[2]] });
    const { scan } = await scanOf(chunks(Buffer.from(text)));
    expect(scan.counts).toEqual({ records: 3, accepted: 2, duplicates: 1, rejected: 0 });
    expect(scan.shares()[0].records).toBe(2);
  });

  it('rethrows failures of the byte source so the message is retried', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield gzipSync(json).subarray(0, 100);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    await expect(scanOf(failing())).rejects.toThrow('socket hang up');
  });
});

import { gzipSync } from 'node:zlib';
import { readCloudTrailLog } from '../../lambdas/core/cloudtrail/read-log';
import { assumeRole, assumedRole, iamUser, record } from '../helpers/records';

async function* chunks(bytes: Buffer, size = 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const records = [
  assumeRole(iamUser('alice'), 'arn:aws:iam::111122223333:role/Admin', 'alice', 'ASIAADMIN'),
  ...Array.from({ length: 50 }, (_, i) => record({ userIdentity: assumedRole('Admin', 'alice', 'ASIAADMIN'), eventName: i % 5 === 0 ? 'GetObject' : 'ListBuckets', eventSource: 's3.amazonaws.com', ...(i % 7 === 0 ? { errorCode: 'AccessDenied' } : {}) })),
];
const json = JSON.stringify({ Records: records });

describe('readCloudTrailLog', () => {
  it('reads a gzip log as CloudTrail writes it', async () => {
    const { digest, formatError, compressed } = await readCloudTrailLog(chunks(gzipSync(json), 97));
    expect(formatError).toBeUndefined();
    expect(compressed).toBe(true);
    expect(digest.counts).toEqual({ records: 51, accepted: 51, duplicates: 0, rejected: 0 });
    expect(digest.sessionsCreated.size).toBe(1);
    expect(digest.sessionsObserved.get('ASIAADMIN')?.eventCount).toBe(50);
  });

  it('reads uncompressed JSON too', async () => {
    const { digest, compressed } = await readCloudTrailLog(chunks(Buffer.from(json)));
    expect(compressed).toBe(false);
    expect(digest.counts.accepted).toBe(51);
  });

  it('reads gzip files made of several members', async () => {
    const bytes = Buffer.from(json);
    const half = json.indexOf('{"eventVersion"', json.length / 2);
    const members = Buffer.concat([gzipSync(bytes.subarray(0, half)), gzipSync(bytes.subarray(half))]);
    expect((await readCloudTrailLog(chunks(members))).digest.counts.accepted).toBe(51);
  });

  it('keeps the records before a truncated gzip and reports the truncation', async () => {
    const gz = gzipSync(json);
    const { digest, formatError } = await readCloudTrailLog(chunks(gz.subarray(0, Math.floor(gz.length * 0.6)), 64));
    expect(formatError).toMatch(/^gzip: unexpected end of file|document ends inside/);
    expect(digest.counts.accepted).toBeGreaterThan(0);
    expect(digest.counts.accepted).toBeLessThan(51);
  });

  it('reports objects that are neither gzip nor JSON', async () => {
    const { digest, formatError } = await readCloudTrailLog(chunks(Buffer.from('2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA')));
    expect(formatError).toMatch(/not a JSON object/);
    expect(digest.counts.records).toBe(0);
  });

  it('reports empty objects', async () => {
    expect((await readCloudTrailLog(chunks(Buffer.alloc(0)))).formatError).toBe('empty object');
  });

  it('rejects bad records by reason and keeps the good ones', async () => {
    const good = JSON.stringify(records[1]);
    const text = `{"Records":[${good},{"eventVersion":"1.08","eventTime":"2026-10-22T10:00:00Z","eventName":oops},${JSON.stringify({ ...records[2], eventTime: undefined })},${JSON.stringify({ ...records[3], eventVersion: '2.0' })},${JSON.stringify(records[4])}]}`;
    const { digest, formatError } = await readCloudTrailLog(chunks(gzipSync(text), 50));
    expect(formatError).toBeUndefined();
    expect(digest.counts).toEqual({ records: 5, accepted: 2, duplicates: 0, rejected: 3 });
    expect(digest.rejections).toEqual({ 'record is not valid JSON': 1, 'missing or malformed eventTime': 1, 'unsupported eventVersion "2.0"': 1 });
  });

  it('counts a record repeated within a file once', async () => {
    const text = JSON.stringify({ Records: [records[1], records[1], records[2]] });
    const { digest } = await readCloudTrailLog(chunks(Buffer.from(text)));
    expect(digest.counts).toEqual({ records: 3, accepted: 2, duplicates: 1, rejected: 0 });
  });

  it('rethrows failures of the byte source so the message is retried', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield gzipSync(json).subarray(0, 100);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    await expect(readCloudTrailLog(failing())).rejects.toThrow('socket hang up');
  });
});

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { readCloudTrailLog } from '../../lambdas/core/cloudtrail/read-log';
import { corpusLogFiles, isTemporaryKey, rawRecords, rawRecordsOf } from './raw-corpus';

/**
 * Every log of the real corpus (test/fixtures/corpus) is read completely by the streamed core, with counts
 * equal to those of a plain gunzip + JSON.parse of the same file.
 */
const files = corpusLogFiles();

describe('the Invictus corpus fixture', () => {
  it('is all there: 55 files, 2,900 records (as its README says)', () => {
    expect(files).toHaveLength(55);
    expect(rawRecords()).toHaveLength(2900);
  });

  it.each(files.map((path) => [basename(path), path]))('%s is read completely by the streamed core', async (_name, path) => {
    const raw = rawRecordsOf(path);
    const { digest, formatError, compressed } = await readCloudTrailLog(Readable.from([readFileSync(path)]));
    expect(formatError).toBeUndefined();
    expect(compressed).toBe(true);
    expect(digest.counts.records).toBe(raw.length);
    expect(digest.counts.accepted + digest.counts.rejected).toBe(new Set(raw.map((r, i) => r.eventID ?? `#${i}`)).size);
    expect(digest.counts.rejected).toBe(0);
    const created = new Set(
      raw
        .filter((r) => r.eventSource === 'sts.amazonaws.com' && !r.errorCode)
        .map((r) => (r.responseElements?.credentials as { accessKeyId?: string } | undefined)?.accessKeyId)
        .filter(isTemporaryKey),
    );
    expect(new Set([...digest.sessionsCreated.values()].map((s) => s.sessionId))).toEqual(created);
    const used = new Set(raw.map((r) => r.userIdentity.accessKeyId).filter(isTemporaryKey));
    expect(new Set(digest.sessionsObserved.keys())).toEqual(used);
  });
});

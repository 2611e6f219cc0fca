import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { readLogRecords } from '../../lambdas/core/cloudtrail/read-log';
import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { ObjectScan } from '../../lambdas/core/storage/object-scan';
import { corpusLogFiles, isTemporaryKey, rawRecords, rawRecordsOf } from './raw-corpus';

/**
 * Every log of the real corpus (test/fixtures/corpus) is read completely by the streamed core, as ingestion
 * (ObjectScan) and compaction (HourCompactor, once per account-hour the scan found) read it, with counts
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
    const bytes = readFileSync(path);
    const scan = new ObjectScan();
    const { formatError, compressed, records } = await readLogRecords(Readable.from([bytes]), scan);
    expect(formatError).toBeUndefined();
    expect(compressed).toBe(true);
    expect(records).toBe(raw.length);
    expect(scan.counts.records).toBe(raw.length);
    expect(scan.counts.accepted + scan.counts.rejected).toBe(new Set(raw.map((r, i) => r.eventID ?? `#${i}`)).size);
    expect(scan.counts.rejected).toBe(0);

    const compacted = [];
    for (const share of scan.shares()) {
      const compactor = new HourCompactor(share.accountId, share.hour);
      await readLogRecords(Readable.from([bytes]), compactor.sinkFor(0));
      compacted.push(compactor.finish());
    }
    // Every accepted record lands in exactly one account-hour.
    expect(compacted.reduce((n, hour) => n + hour.counts.events, 0)).toBe(scan.counts.accepted);
    const created = new Set(
      raw
        .filter((r) => r.eventSource === 'sts.amazonaws.com' && !r.errorCode)
        .map((r) => (r.responseElements?.credentials as { accessKeyId?: string } | undefined)?.accessKeyId)
        .filter(isTemporaryKey),
    );
    expect(new Set(compacted.flatMap((hour) => hour.sessionsCreated.map((s) => s.sessionId)))).toEqual(created);
    const used = new Set(raw.map((r) => r.userIdentity.accessKeyId).filter(isTemporaryKey));
    expect(new Set(compacted.flatMap((hour) => hour.sessionsObserved.map((s) => s.sessionId)))).toEqual(used);
  });
});

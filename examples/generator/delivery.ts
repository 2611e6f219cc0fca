import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { logFileUniqueString } from './ids';
import type { Prng } from './prng';
import { DAY, datePath, digestFileStamp, isoSeconds, logFileStamp, MINUTE, SECOND, startOfDay, startOfHour, HOUR } from './time';
import type { CloudTrailEvent, GeneratedObject, JsonObject } from './types';

/**
 * Turns records into what a trail delivers to S3: gzipped `{"Records":[...]}` log files under the documented
 * key layout, and the hourly-chained digest files of log file integrity validation.
 *
 * Simplifications, to keep the committed sample small: CloudTrail delivers a log file about every five
 * minutes per account and region; here one file covers an hour. Real digest files cover an hour each; here
 * one digest per account, region and day lists that day's files.
 */

/** Where and under which trail one account's logs are delivered. */
export interface TrailLayout {
  accountId: string;
  /** "AWSLogs/<account>" for an account trail, "AWSLogs/<org-id>/<account>" for an organization trail. */
  prefix: string;
  trailName: string;
  homeRegion: string;
  bucket: string;
}

export interface LogFile extends GeneratedObject {
  accountId: string;
  region: string;
  deliveredAt: number;
  records: CloudTrailEvent[];
  /** The uncompressed content; digests hash this. */
  json: string;
}

/** Digest files are JSON too, but the ingester must skip them. */
export interface DigestFile extends GeneratedObject {
  json: string;
}

/**
 * Deterministic gzip: a fixed compression level, and Node's zlib writes mtime 0 and no file name in the
 * header. The OS byte is pinned to 3 (Unix) so that the bytes do not depend on the platform zlib was built for.
 */
export function gzip(content: string | Buffer): Buffer {
  const out = gzipSync(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, { level: 6 });
  out[9] = 3;
  return out;
}

export function sha256Hex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** Compact JSON, as CloudTrail writes log files. */
export function logFileJson(records: readonly CloudTrailEvent[]): string {
  return JSON.stringify({ Records: records });
}

export function logFileKey(layout: TrailLayout, region: string, deliveredAt: number, unique: string): string {
  return `${layout.prefix}/CloudTrail/${region}/${datePath(deliveredAt)}/${layout.accountId}_CloudTrail_${region}_${logFileStamp(deliveredAt)}_${unique}.json.gz`;
}

export function digestFileKey(layout: TrailLayout, region: string, endTime: number): string {
  return (
    `${layout.prefix}/CloudTrail-Digest/${region}/${datePath(endTime)}/` +
    `${layout.accountId}_CloudTrail-Digest_${region}_${layout.trailName}_${layout.homeRegion}_${digestFileStamp(endTime)}.json.gz`
  );
}

function eventMillis(record: CloudTrailEvent): number {
  return Date.parse(record.eventTime);
}

/**
 * Records within a file are roughly, not strictly, time-ordered: CloudTrail makes no ordering promise, and
 * consumers must not rely on one. Adjacent records are swapped now and then to show that.
 */
function looselyOrdered(prng: Prng, records: CloudTrailEvent[]): CloudTrailEvent[] {
  const sorted = [...records].sort((a, b) => eventMillis(a) - eventMillis(b));
  for (let i = 0; i + 1 < sorted.length; i++) {
    if (prng.chance(0.2)) {
      const tmp = sorted[i] as CloudTrailEvent;
      sorted[i] = sorted[i + 1] as CloudTrailEvent;
      sorted[i + 1] = tmp;
      i++;
    }
  }
  return sorted;
}

/**
 * Groups records into one file per account, region and hour. A few records arrive late and land in the
 * next hour's file ("a log file delivered at a specific time can contain records written at any point
 * before that time").
 */
export function deliverLogFiles(prng: Prng, records: readonly CloudTrailEvent[], layouts: ReadonlyMap<string, TrailLayout>): LogFile[] {
  const groups = new Map<string, { accountId: string; region: string; window: number; records: CloudTrailEvent[] }>();
  const ordered = records.map((record, index) => ({ record, index })).sort((a, b) => eventMillis(a.record) - eventMillis(b.record) || a.index - b.index);
  for (const { record } of ordered) {
    const late = prng.chance(0.03) ? HOUR : 0;
    const window = startOfHour(eventMillis(record)) + late;
    const id = `${record.recipientAccountId}|${record.awsRegion}|${window}`;
    let group = groups.get(id);
    if (!group) {
      group = { accountId: record.recipientAccountId, region: record.awsRegion, window, records: [] };
      groups.set(id, group);
    }
    group.records.push(record);
  }
  const files: LogFile[] = [];
  const sortedGroups = [...groups.values()].sort((a, b) => a.window - b.window || a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  for (const group of sortedGroups) {
    const layout = layouts.get(group.accountId);
    if (!layout) throw new Error(`no trail layout for account ${group.accountId}`);
    // Delivered a few minutes after the window closes.
    const deliveredAt = group.window + HOUR + prng.int(3, 12) * MINUTE + prng.int(0, 59) * SECOND;
    const fileRecords = looselyOrdered(prng, group.records);
    const json = logFileJson(fileRecords);
    files.push({
      key: logFileKey(layout, group.region, deliveredAt, logFileUniqueString(prng)),
      body: gzip(json),
      accountId: group.accountId,
      region: group.region,
      deliveredAt,
      records: fileRecords,
      json,
    });
  }
  return files;
}

function timeRange(records: readonly CloudTrailEvent[]): { oldest: string; newest: string } {
  const times = records.map(eventMillis);
  return { oldest: isoSeconds(Math.min(...times)), newest: isoSeconds(Math.max(...times)) };
}

/**
 * One digest per account, region and day (see the module comment), chained to the previous one through
 * its key and SHA-256 as documented. The signatures are random hex: real ones are RSA signatures over
 * the digest, and the current digest's own signature lives in S3 object metadata, not in the file.
 */
export function buildDigestFiles(
  prng: Prng,
  logFiles: readonly LogFile[],
  layouts: readonly TrailLayout[],
  regions: readonly string[],
  firstDay: number,
  lastDay: number,
): DigestFile[] {
  const digests: DigestFile[] = [];
  for (const layout of layouts) {
    for (const region of regions) {
      const stream = prng.fork(`digest/${layout.accountId}/${region}`);
      const fingerprint = stream.hex(32);
      let previous: { key: string; json: string } | undefined;
      for (let day = startOfDay(firstDay); day <= startOfDay(lastDay); day += DAY) {
        // Ends after 01:15 so that the day's last hourly files (delivered after midnight, some late) are in it.
        const end = day + DAY + 75 * MINUTE + stream.int(0, 59) * SECOND;
        // The first digest starts when log file validation was turned on: at the start of the first day.
        const start = previous ? Date.parse(JSON.parse(previous.json).digestEndTime as string) : day;
        const files = logFiles.filter((f) => f.accountId === layout.accountId && f.region === region && f.deliveredAt >= start && f.deliveredAt < end);
        const allRecords = files.flatMap((f) => f.records);
        const range = allRecords.length > 0 ? timeRange(allRecords) : undefined;
        const key = digestFileKey(layout, region, end);
        const content: JsonObject = {
          awsAccountId: layout.accountId,
          digestStartTime: isoSeconds(start),
          digestEndTime: isoSeconds(end),
          digestS3Bucket: layout.bucket,
          digestS3Object: key,
          digestPublicKeyFingerprint: fingerprint,
          digestSignatureAlgorithm: 'SHA256withRSA',
          newestEventTime: range ? range.newest : null,
          oldestEventTime: range ? range.oldest : null,
          // A starting digest (the first after validation is enabled) has null previous-digest fields.
          previousDigestS3Bucket: previous ? layout.bucket : null,
          previousDigestS3Object: previous ? previous.key : null,
          previousDigestHashValue: previous ? sha256Hex(previous.json) : null,
          previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
          previousDigestSignature: previous ? stream.hex(512) : null,
          logFiles: files.map((f) => {
            const r = timeRange(f.records);
            return { s3Bucket: layout.bucket, s3Object: f.key, hashValue: sha256Hex(f.json), hashAlgorithm: 'SHA-256', newestEventTime: r.newest, oldestEventTime: r.oldest };
          }),
        };
        const json = JSON.stringify(content);
        digests.push({ key, body: gzip(json), json });
        previous = { key, json };
      }
    }
  }
  return digests;
}

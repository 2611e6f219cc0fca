import { MAX_DISTINCT_REASONS, type HourShare } from '../storage/object-scan';
import type { FlowRecord } from './flow-record';
import type { FlowSink } from './read-text';

/**
 * What ingestion learns from one flow log object before compaction: its records checked, bad ones counted by
 * reason, NODATA and SKIPDATA records counted, and the account-hours its records belong to (a record belongs
 * to the hour of its `start`; a file of a window's first minutes holds records that started the hour before).
 */
export interface FlowScanCounts {
  records: number;
  accepted: number;
  rejected: number;
  nodata: number;
  skipdata: number;
  /** Kept for the IngestedObjects item's shape (CloudTrail's eventID duplicates): flow records have no id. */
  duplicates: number;
}

export interface FlowScanOptions {
  /** The account named by the object key, for formats without account-id. */
  fallbackAccountId?: string;
  /** Records that started before this instant (ISO) are past the retention period: counted, not kept. */
  retainedFrom?: string;
}

/** One account-hour of the object while scanning: times as Unix seconds, made ISO strings at the end. */
interface ScanShare {
  records: number;
  first: number;
  last: number;
}

export class FlowScan implements FlowSink {
  readonly counts: FlowScanCounts = { records: 0, accepted: 0, rejected: 0, nodata: 0, skipdata: 0, duplicates: 0 };
  readonly rejections: Record<string, number> = {};
  /** Account → hour number (Unix seconds / 3600) → share: no date or key string per record. */
  private readonly hours = new Map<string, Map<number, ScanShare>>();
  private readonly retainedFromSeconds: number;

  constructor(private readonly options: FlowScanOptions = {}) {
    this.retainedFromSeconds = options.retainedFrom ? Date.parse(options.retainedFrom) / 1000 : -Infinity;
  }

  add(record: FlowRecord): void {
    this.counts.records++;
    const accountId = record.accountId ?? this.options.fallbackAccountId;
    if (!accountId) return this.reject('no account-id in the record or the object key', false);
    if (record.start < this.retainedFromSeconds) return this.reject('record older than the retention period', false);
    if (record.start * 1000 > 8.64e15) return this.reject('start is not a time', false);
    this.counts.accepted++;
    if (record.logStatus === 'NODATA') this.counts.nodata++;
    if (record.logStatus === 'SKIPDATA') this.counts.skipdata++;
    let byHour = this.hours.get(accountId);
    if (!byHour) this.hours.set(accountId, (byHour = new Map()));
    const hour = Math.floor(record.start / 3600);
    const share = byHour.get(hour);
    if (!share) byHour.set(hour, { records: 1, first: record.start, last: record.start });
    else {
      share.records++;
      if (record.start < share.first) share.first = record.start;
      if (record.start > share.last) share.last = record.start;
    }
  }

  reject(reason: string, count = true): void {
    if (count) this.counts.records++;
    this.counts.rejected++;
    // Reasons name fields, never values, but a bound keeps the status item small whatever happens.
    const known = reason in this.rejections || Object.keys(this.rejections).length < MAX_DISTINCT_REASONS;
    const counted = known ? reason : 'other reasons';
    this.rejections[counted] = (this.rejections[counted] ?? 0) + 1;
  }

  /** The account-hours this object contributes to, in order. */
  shares(): HourShare[] {
    const shares: HourShare[] = [];
    for (const [accountId, byHour] of this.hours)
      for (const share of byHour.values()) {
        const firstEvent = new Date(share.first * 1000).toISOString();
        shares.push({ accountId, hour: firstEvent.slice(0, 13), records: share.records, firstEvent, lastEvent: new Date(share.last * 1000).toISOString() });
      }
    return shares.sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.accountId < b.accountId ? -1 : 1));
  }

  get lastEvent(): string | undefined {
    return this.shares().reduce<string | undefined>((max, share) => (max === undefined || share.lastEvent > max ? share.lastEvent : max), undefined);
  }
}

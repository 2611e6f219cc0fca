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

export class FlowScan implements FlowSink {
  readonly counts: FlowScanCounts = { records: 0, accepted: 0, rejected: 0, nodata: 0, skipdata: 0, duplicates: 0 };
  readonly rejections: Record<string, number> = {};
  private readonly hours = new Map<string, HourShare>();
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
    const time = new Date(record.start * 1000).toISOString();
    const hour = time.slice(0, 13);
    const key = `${accountId}#${hour}`;
    const share = this.hours.get(key);
    if (!share) this.hours.set(key, { accountId, hour, records: 1, firstEvent: time, lastEvent: time });
    else {
      share.records++;
      if (time < share.firstEvent) share.firstEvent = time;
      if (time > share.lastEvent) share.lastEvent = time;
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
    return [...this.hours.values()].sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.accountId < b.accountId ? -1 : 1));
  }

  get lastEvent(): string | undefined {
    return this.shares().reduce<string | undefined>((max, share) => (max === undefined || share.lastEvent > max ? share.lastEvent : max), undefined);
  }
}

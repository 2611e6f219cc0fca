import type { CloudTrailRecord } from '../cloudtrail/types';
import { validateRecord } from '../cloudtrail/validate-record';
import type { RecordSink } from '../cloudtrail/read-log';
import { hourOf } from './hours';

/**
 * What ingestion learns from one log object before compaction: its records checked, the bad ones counted by
 * reason, and the account-hours its events belong to (a five-minute file may straddle an hour, and a late
 * file may hold events of any earlier hour). The compactor later re-reads the object for the events
 * themselves: a second GET costs far less than writing a per-object digest anywhere.
 */
export interface HourShare {
  accountId: string;
  hour: string;
  records: number;
  firstEvent: string;
  lastEvent: string;
}

export interface ScanCounts {
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** The account whose trail logged a record: its recipient, else the caller's account, else the file's. */
export function accountOfRecord(record: CloudTrailRecord, fallbackAccountId?: string): string | undefined {
  for (const candidate of [record.recipientAccountId, record.userIdentity.accountId, fallbackAccountId]) {
    if (typeof candidate === 'string' && /^\d{12}$/.test(candidate)) return candidate;
  }
  return undefined;
}

export interface ScanOptions {
  /** The account named by the object key, for records that name none. */
  fallbackAccountId?: string;
  /** Events before this instant are past the retention period: counted, not kept. */
  retainedFrom?: string;
}

/** Distinct rejection reasons kept by name; the rest are counted together. */
export const MAX_DISTINCT_REASONS = 32;

export class ObjectScan implements RecordSink {
  readonly counts: ScanCounts = { records: 0, accepted: 0, duplicates: 0, rejected: 0 };
  readonly rejections: Record<string, number> = {};
  private readonly hours = new Map<string, HourShare>();
  private readonly eventIds = new Set<string>();

  constructor(private readonly options: ScanOptions = {}) {}

  addRaw(value: unknown): void {
    this.counts.records++;
    const check = validateRecord(value);
    if (!check.ok) return this.reject(check.reason);
    this.accept(check.record);
  }

  addUnparsable(reason: string): void {
    this.counts.records++;
    this.reject(reason);
  }

  /** The account-hours this object contributes to, in order. */
  shares(): HourShare[] {
    return [...this.hours.values()].sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.accountId < b.accountId ? -1 : 1));
  }

  get lastEvent(): string | undefined {
    return this.shares().reduce<string | undefined>((max, share) => (max === undefined || share.lastEvent > max ? share.lastEvent : max), undefined);
  }

  private accept(record: CloudTrailRecord): void {
    const accountId = accountOfRecord(record, this.options.fallbackAccountId);
    if (!accountId) return this.reject('no 12-digit account in recipientAccountId, userIdentity or the object key');
    if (this.options.retainedFrom && record.eventTime < this.options.retainedFrom) return this.reject('event older than the retention period');
    if (record.eventID) {
      if (this.eventIds.has(record.eventID)) {
        this.counts.duplicates++;
        return;
      }
      this.eventIds.add(record.eventID);
    }
    this.counts.accepted++;
    const hour = hourOf(record.eventTime);
    const key = `${accountId}#${hour}`;
    const share = this.hours.get(key);
    if (!share) {
      this.hours.set(key, { accountId, hour, records: 1, firstEvent: record.eventTime, lastEvent: record.eventTime });
      return;
    }
    share.records++;
    if (record.eventTime < share.firstEvent) share.firstEvent = record.eventTime;
    if (record.eventTime > share.lastEvent) share.lastEvent = record.eventTime;
  }

  private reject(reason: string): void {
    this.counts.rejected++;
    // Reasons may quote the data; a file of hostile records must not grow the status item without bound.
    const known = reason in this.rejections || Object.keys(this.rejections).length < MAX_DISTINCT_REASONS;
    const counted = known ? reason : 'other reasons';
    this.rejections[counted] = (this.rejections[counted] ?? 0) + 1;
  }
}

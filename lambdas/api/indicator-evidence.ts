import { callTime, type EvidenceCall } from '../core/graph/evidence';
import type { PermissionFact } from '../core/iam/permission-facts';
import type { HourEventsHeader } from '../adapters/events-store';
import type { RecordLookup } from '../adapters/log-records';
import { parseS3ObjectKey } from '../adapters/log-records';
import { mapWithConcurrency } from '../shared/concurrency';

/**
 * The events of one evidence page, each with its full CloudTrail record read back from the log object that
 * holds it (grouped: one streamed GET per object of the page). Nothing is stored: the compact event names
 * the object (by index into its account-hour's list) and the record's position in it.
 */
export type RecordStatus = 'FOUND' | 'OBJECT_DELETED' | 'ACCESS_DENIED' | 'RECORD_CHANGED' | 'RECORD_TOO_LARGE' | 'HOUR_GONE';

/** A record larger than this is named, not returned: 50 of them stay under Lambda's 6 MB response. */
export const MAX_EVIDENCE_RECORD_BYTES = 96 * 1024;

export interface EvidenceEvent {
  EventId: string;
  EventTime: string;
  Api: string;
  SourceIpAddress?: string;
  UserAgent?: string;
  Region?: string;
  ErrorCode?: string;
  Principal: string;
  SessionId?: string;
  /** The chained role session the entity made the call through. */
  Via?: string;
  LogObject?: { Bucket: string; Key: string };
  RecordIndex: number;
  RecordStatus: RecordStatus;
  Record?: Record<string, unknown>;
  /** An IAM change: what it did to each entity it changed (permission-evidence.ts). */
  PermissionFacts?: PermissionFact[];
}

export interface EvidenceReads {
  hourObjects(accountId: string, hour: string): Promise<HourEventsHeader['objects'] | undefined>;
  recordsAt(objectKey: string, positions: ReadonlySet<number>): Promise<RecordLookup>;
}

const CONCURRENT_OBJECTS = 8;

export async function evidenceEvents(calls: readonly EvidenceCall[], reads: EvidenceReads): Promise<EvidenceEvent[]> {
  const hours = new Map<string, Promise<HourEventsHeader['objects'] | undefined>>();
  const objectsOf = (call: EvidenceCall) => {
    const key = `${call.accountId}#${call.hour}`;
    if (!hours.has(key)) hours.set(key, reads.hourObjects(call.accountId, call.hour));
    return hours.get(key)!;
  };
  const objectKeys = await Promise.all(calls.map(async (call) => (await objectsOf(call))?.[call.event.o]?.objectKey));
  const wanted = new Map<string, Set<number>>();
  calls.forEach((call, i) => {
    const key = objectKeys[i];
    if (key !== undefined) wanted.set(key, (wanted.get(key) ?? new Set()).add(call.event.n));
  });
  const lookups = new Map(await mapWithConcurrency([...wanted], CONCURRENT_OBJECTS, async ([key, positions]) => [key, await reads.recordsAt(key, positions)] as const));
  return calls.map((call, i) => toEvidenceEvent(call, objectKeys[i], objectKeys[i] !== undefined ? lookups.get(objectKeys[i]!) : undefined));
}

function toEvidenceEvent(call: EvidenceCall, objectKey: string | undefined, lookup: RecordLookup | undefined): EvidenceEvent {
  const { event } = call;
  const location = objectKey ? parseS3ObjectKey(objectKey) : undefined;
  const base: EvidenceEvent = {
    EventId: event.id,
    EventTime: new Date(callTime(call)).toISOString(),
    Api: event.a,
    ...(event.i !== undefined ? { SourceIpAddress: event.i } : {}),
    ...(event.u !== undefined ? { UserAgent: event.u } : {}),
    ...(event.g !== undefined ? { Region: event.g } : {}),
    ...(event.e !== undefined ? { ErrorCode: event.e } : {}),
    Principal: call.principal,
    ...(event.s !== undefined ? { SessionId: event.s } : {}),
    ...(call.via !== undefined ? { Via: call.via } : {}),
    ...(location ? { LogObject: { Bucket: location.bucket, Key: location.key } } : {}),
    RecordIndex: event.n,
    RecordStatus: 'HOUR_GONE',
  };
  if (!lookup) return base;
  if (lookup.status !== 'FOUND') return { ...base, RecordStatus: lookup.status };
  const record = lookup.records.get(event.n);
  // The object was replaced since it was compacted (same key, other content): the position no longer holds this event.
  if (typeof record !== 'object' || record === null || (record as { eventID?: unknown }).eventID !== event.id) return { ...base, RecordStatus: 'RECORD_CHANGED' };
  if (Buffer.byteLength(JSON.stringify(record)) > MAX_EVIDENCE_RECORD_BYTES) return { ...base, RecordStatus: 'RECORD_TOO_LARGE' };
  return { ...base, RecordStatus: 'FOUND', Record: record as Record<string, unknown> };
}

export const EVIDENCE_CSV_HEADER = ['EventId', 'EventTime', 'Api', 'SourceIpAddress', 'Principal', 'SessionId', 'Via', 'ErrorCode', 'Region', 'UserAgent', 'LogObject', 'RecordIndex', 'RecordStatus'];

/** CSV rows of evidence (the full record stays in the JSON answer: a spreadsheet cell is no place for it). */
export function evidenceCsvRows(events: readonly EvidenceEvent[]): (string | number | undefined)[][] {
  return events.map((e) => [e.EventId, e.EventTime, e.Api, e.SourceIpAddress, e.Principal, e.SessionId, e.Via, e.ErrorCode, e.Region, e.UserAgent, e.LogObject ? `s3://${e.LogObject.Bucket}/${e.LogObject.Key}` : undefined, e.RecordIndex, e.RecordStatus]);
}

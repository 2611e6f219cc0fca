import { apiName, isConsoleLoginWithoutMfa, resourcesOf } from '../cloudtrail/activity';
import type { CloudTrailRecord } from '../cloudtrail/types';
import { truncateUtf8 } from './item-size';

/**
 * One API call as the compacted hour keeps it: enough to cut scopes exactly, break activity down by any of
 * its fields, and find the raw record again (object and position, and its eventID). It is an index into
 * the logs, never a copy of them: request and response bodies stay in the user's bucket.
 */
export interface CompactEvent {
  /** Milliseconds since the start of the hour. */
  t: number;
  id: string;
  /** `service:EventName`. */
  a: string;
  e?: string;
  i?: string;
  u?: string;
  g?: string;
  /** Temporary access key id of the session that made the call. */
  s?: string;
  x?: string[];
  /** Index of the log object in the hour's object list. */
  o: number;
  /** Position of the record in that object's `Records` array. */
  n: number;
  /** A successful ConsoleLogin without MFA (`additionalEventData.MFAUsed: "No"`). */
  m?: true;
  /**
   * `sharedEventID`: the same action delivered to two accounts' trails (the caller's and the resource or role
   * owner's) carries one sharedEventID under two eventIDs. Readers merging those accounts count it once.
   */
  d?: string;
}

/** Byte caps of what is kept per field: log data is written by attackers and may be of any size. */
export const FIELD_CAPS = {
  api: 256,
  errorCode: 128,
  sourceIp: 128,
  userAgent: 512,
  region: 32,
  resource: 1024,
  resourcesPerEvent: 20,
  eventId: 128,
} as const;

function capped(value: unknown, maxBytes: number): string | undefined {
  return typeof value === 'string' && value !== '' ? truncateUtf8(value, maxBytes) : undefined;
}

export function compactEventOf(record: CloudTrailRecord, hourStart: number, eventId: string, objectIndex: number, recordIndex: number): CompactEvent {
  const event: CompactEvent = { t: Date.parse(record.eventTime) - hourStart, id: truncateUtf8(eventId, FIELD_CAPS.eventId), a: truncateUtf8(apiName(record), FIELD_CAPS.api), o: objectIndex, n: recordIndex };
  const error = capped(record.errorCode, FIELD_CAPS.errorCode);
  if (error) event.e = error;
  const ip = capped(record.sourceIPAddress, FIELD_CAPS.sourceIp);
  if (ip) event.i = ip;
  const agent = capped(record.userAgent, FIELD_CAPS.userAgent);
  if (agent) event.u = agent;
  const region = capped(record.awsRegion, FIELD_CAPS.region);
  if (region) event.g = region;
  const key = record.userIdentity.accessKeyId;
  if (typeof key === 'string' && key.startsWith('ASIA')) event.s = truncateUtf8(key, 128);
  const resources = resourcesOf(record).slice(0, FIELD_CAPS.resourcesPerEvent).map((arn) => truncateUtf8(arn, FIELD_CAPS.resource));
  if (resources.length > 0) event.x = resources;
  if (isConsoleLoginWithoutMfa(record)) event.m = true;
  const shared = capped(record.sharedEventID, FIELD_CAPS.eventId);
  if (shared) event.d = shared;
  return event;
}

/** Stored form: a positional array (about half the bytes of an object with names). */
export type EncodedEvent = [number, string, string, string | 0, string | 0, string | 0, string | 0, string | 0, string[] | 0, number, number, (1 | 0)?, string?];

export function encodeEvent(event: CompactEvent): EncodedEvent {
  const encoded: EncodedEvent = [event.t, event.id, event.a, event.e ?? 0, event.i ?? 0, event.u ?? 0, event.g ?? 0, event.s ?? 0, event.x ?? 0, event.o, event.n];
  if (event.m || event.d) encoded.push(event.m ? 1 : 0);
  if (event.d) encoded.push(event.d);
  return encoded;
}

export function decodeEvent(encoded: EncodedEvent): CompactEvent {
  const [t, id, a, e, i, u, g, s, x, o, n, m, d] = encoded;
  const event: CompactEvent = { t, id, a, o, n };
  if (m) event.m = true;
  if (e) event.e = e;
  if (i) event.i = i;
  if (u) event.u = u;
  if (g) event.g = g;
  if (s) event.s = s;
  if (x) event.x = x;
  if (d) event.d = d;
  return event;
}

import type { SessionCreation, SessionObservation } from '../cloudtrail/sessions';
import type { HourAggregate } from '../storage/hour-aggregate';
import { truncateUtf8 } from '../storage/item-size';

/**
 * Byte caps of the strings a session item keeps (log data is written by attackers: a 450 KB user agent on an
 * AssumeRole must not make the item exceed DynamoDB's 400 KB and fail its whole hour). ARNs and names are
 * bounded by IAM far below this; the full values stay in the raw record.
 */
const SESSION_STRING_CAP_BYTES = 2048;
const SESSION_USER_AGENT_CAP_BYTES = 512;

function capStrings<T>(value: T, cap: number): T {
  if (typeof value === 'string') return truncateUtf8(value, cap) as T;
  if (Array.isArray(value)) return value.map((element) => capStrings(element, cap)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, capStrings(v, cap)])) as T;
  return value;
}

function capSession<T extends object>(item: T): T {
  const capped = capStrings(item, SESSION_STRING_CAP_BYTES) as T & { userAgent?: unknown };
  if (typeof capped.userAgent === 'string') capped.userAgent = truncateUtf8(capped.userAgent, SESSION_USER_AGENT_CAP_BYTES);
  return capped;
}

/**
 * Table items, as plain objects (the DynamoDB document client marshals them). Every item is a deterministic
 * function of the records it summarises, under a deterministic key, so writing it again changes nothing:
 * that is what makes ingestion and compaction idempotent under redelivery, reordering and crashes.
 */

/** The creating event's view of a session (see createdSessionItem). */
export type CreatedSessionItem = SessionCreation & {
  sk: `CREATED#${string}`;
  originKey?: string;
  expiresAt: number;
};

/** What one account-hour's calls showed about a session whose creating event that account did not log. */
export type SeenSessionItem = Omit<SessionObservation, 'createdAt'> & {
  sk: `SEEN#${string}`;
  /** When the credentials were issued (sessionContext), else the first call seen in this hour. */
  createdAt: string;
  createdAtEstimated: boolean;
  originKey?: string;
  hour: string;
  expiresAt: number;
};

export type SessionItem = CreatedSessionItem | SeenSessionItem;

/** Where a subject's compact events of an hour lie: a byte range of the hour's events object in the index bucket. */
export interface EventsRef {
  /** Generation of the hour's compaction: names the events object `events/<account>/<hour>/<generation>.gz`. */
  generation: string;
  offset: number;
  length: number;
}

/**
 * One principal's activity in one hour (`subject` = principal key, `hour` = `YYYY-MM-DDTHH`), merged from every
 * log object of the hour, each event once.
 */
export interface ActivityItem extends HourAggregate {
  /** Sort key: `<hour>#<accountId>` (see activitySlot). */
  slot: string;
  /** The account whose trail recorded these calls (the compacted account-hour's account). */
  accountId: string;
  events?: EventsRef;
  expiresAt: number;
}

/**
 * The sort key of an Activity item: its hour, then the account whose trail recorded the calls. A principal's
 * calls can be recorded by several accounts' trails in one hour (an AWS service acting in every account, a
 * cross-account AssumeRole logged by the caller's and the role owner's account, a call logged by a resource
 * owner), and each account-hour is compacted on its own: keyed by hour alone, the last compaction would
 * overwrite the others' item. Readers merge an hour's items (see mergeHourParts).
 */
export function activitySlot(hour: string, accountId: string): string {
  return `${hour}#${accountId}`;
}

/** The last sort key of an hour's slots: `<hour>#…` sorts before it (`$` follows `#`). */
export function afterHourSlots(hour: string): string {
  return `${hour}$`;
}

/**
 * The account's whole hour (`subject` = `account#<id>`): the account-wide aggregate (the baseline for "new for
 * the entire account") and the compaction's manifest.
 */
export interface AccountHourItem extends ActivityItem {
  /** Hash of the set of log objects (key and ETag) compacted: the compactor skips an hour whose set is unchanged. */
  objectsHash: string;
  objectCount: number;
  duplicates: number;
  compactedAt: string;
}

/** The reverse index of an account-hour (`subject` = `index#<account>`; see core/storage/hour-index.ts). */
export interface HourIndexItem {
  subject: string;
  slot: string;
  hour: string;
  accountId: string;
  principals: number;
  /** gzip of the HourIndex JSON. */
  body: Uint8Array;
  expiresAt: number;
}

/** The accounts whose logs were compacted (`subject` = `accounts`, `slot` = the account id): where cross-account reads start. */
export const ACCOUNTS_SUBJECT = 'accounts';

export interface AccountRegistryItem {
  subject: typeof ACCOUNTS_SUBJECT;
  slot: string;
  accountId: string;
}

/** The HourObjects item (`objectId` of an account-hour) that says a compaction of the hour is requested and not yet begun. */
export const PENDING_MARK = '#pending';

/** A log object's share of an account-hour (`hourKey` = `<account>#<hour>`, `objectId`). */
export interface HourObjectItem {
  hourKey: string;
  objectId: string;
  objectKey: string;
  etag?: string;
  records: number;
  firstEvent: string;
  lastEvent: string;
  ingestedAt: string;
  expiresAt: number;
}

export type IngestStatus = 'DONE' | 'DONE_WITH_ERRORS' | 'FAILED' | 'SKIPPED';

export interface IngestedObjectItem {
  objectKey: string;
  status: IngestStatus;
  kind: string;
  etag?: string;
  size?: number;
  parserVersion: number;
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  records?: number;
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  rejections?: Record<string, number>;
  /** Flow logs: records that say no traffic was logged (NODATA) or that some could not be (SKIPDATA). */
  nodata?: number;
  skipdata?: number;
  /** The account-hours (`<account>#<hour>`) the object's events belong to. */
  hours?: string[];
  error?: string;
  reason?: string;
  expiresAt: number;
}

/** Bumped when parsing changes what a file yields, so already-ingested files are ingested again. */
export const PARSER_VERSION = 3;

const SECONDS_PER_DAY = 86_400;

/**
 * How long the bookkeeping of a successfully ingested object is kept (its status, and its registration under
 * its account-hours). S3 redelivers within minutes or hours; after compaction, the hour's own record of its
 * objects (the header of its events) takes over, so an object's bookkeeping need not last as long as its data.
 * Objects ingested with problems keep their status as long as their data, for the operators.
 */
export const BOOKKEEPING_DAYS = 14;

/** Everything derived from an event expires one retention period after the event (the rule for every table). */
export function expiryFrom(isoTime: string, retentionDays: number): number {
  return Math.floor(Date.parse(isoTime) / 1000) + retentionDays * SECONDS_PER_DAY;
}

/** The first instant still within retention at `now`. */
export function retainedFrom(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * SECONDS_PER_DAY * 1000).toISOString();
}

export function s3ObjectKey(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The origin key that the `byOrigin` index finds a session by, for origins someone asks about (users, instances,
 * federated identities). Sessions that AWS services start for themselves (Lambda functions, ECS tasks, …) are
 * left out: no question starts from "every session Lambda started", that partition would be the busiest of all,
 * and each index copy is billed again. Their origin is still stored on the item.
 */
function indexedOriginKey(origin: { type: string; key: string } | undefined): { originKey?: string } {
  return origin && origin.type !== 'aws-service' ? { originKey: origin.key } : {};
}

/**
 * The creating event's view of a session. It carries nothing about the log object it came from: CloudTrail
 * may deliver one event in two files, and both must write identical items whatever the order.
 */
export function createdSessionItem(session: SessionCreation, retentionDays: number): CreatedSessionItem {
  return capSession<CreatedSessionItem>({
    ...session,
    sk: `CREATED#${session.recipientAccountId}`,
    ...indexedOriginKey(session.origin),
    expiresAt: expiryFrom(session.createdAt, retentionDays),
  });
}

export function seenSessionItem(observation: SessionObservation, hour: string, retentionDays: number): SeenSessionItem {
  return capSession<SeenSessionItem>({
    ...observation,
    sk: `SEEN#${hour}`,
    createdAt: observation.createdAt ?? observation.firstSeen,
    createdAtEstimated: observation.createdAt === undefined,
    ...indexedOriginKey(observation.origin),
    hour,
    expiresAt: expiryFrom(observation.lastSeen, retentionDays),
  });
}

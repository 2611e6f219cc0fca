import type { ActivityAggregate } from '../cloudtrail/activity';
import type { CloudTrailFileDigest } from '../cloudtrail/file-digest';
import type { SessionCreation, SessionObservation } from '../cloudtrail/sessions';

/**
 * Table items, as plain objects (the DynamoDB document client marshals them). Keys are deterministic
 * functions of the log object and the data, so writing the same object's items twice changes nothing.
 */

/** The creating event's view of a session (see createdSessionItem). */
export type CreatedSessionItem = SessionCreation & {
  sk: `CREATED#${string}`;
  originKey?: string;
  expiresAt: number;
};

/** What one log object's calls showed about a session. */
export type SeenSessionItem = Omit<SessionObservation, 'createdAt'> & {
  sk: `SEEN#${string}`;
  /** When the credentials were issued (sessionContext), else the first call seen in this object. */
  createdAt: string;
  createdAtEstimated: boolean;
  originKey?: string;
  objectKey: string;
  expiresAt: number;
};

export type SessionItem = CreatedSessionItem | SeenSessionItem;

export interface ActivityItem extends ActivityAggregate {
  sk: string;
  objectKey: string;
  expiresAt: number;
}

export type IngestStatus = 'IN_PROGRESS' | 'DONE' | 'DONE_WITH_ERRORS' | 'FAILED' | 'SKIPPED';

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
  sessionsCreated?: number;
  sessionsObserved?: number;
  activityItems?: number;
  error?: string;
  reason?: string;
  expiresAt: number;
}

/** Bumped when parsing changes what a file yields, so already-ingested files are ingested again. */
export const PARSER_VERSION = 2;

const SECONDS_PER_DAY = 86_400;

export function expiryFrom(isoTime: string, retentionDays: number): number {
  return Math.floor(Date.parse(isoTime) / 1000) + retentionDays * SECONDS_PER_DAY;
}

export function s3ObjectKey(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * The creating event's view of a session. It carries nothing about the log object it came from: CloudTrail
 * may deliver one event in two files, and both must write identical items whatever the order.
 */
export function createdSessionItem(session: SessionCreation, retentionDays: number): CreatedSessionItem {
  return {
    ...session,
    sk: `CREATED#${session.recipientAccountId}`,
    ...(session.origin ? { originKey: session.origin.key } : {}),
    expiresAt: expiryFrom(session.createdAt, retentionDays),
  };
}

export function seenSessionItem(observation: SessionObservation, objectId: string, objectKey: string, retentionDays: number): SeenSessionItem {
  return {
    ...observation,
    sk: `SEEN#${objectId}`,
    createdAt: observation.createdAt ?? observation.firstSeen,
    createdAtEstimated: observation.createdAt === undefined,
    ...(observation.origin ? { originKey: observation.origin.key } : {}),
    objectKey,
    expiresAt: expiryFrom(observation.lastSeen, retentionDays),
  };
}

export function activityItem(aggregate: ActivityAggregate, objectId: string, objectKey: string, retentionDays: number): ActivityItem {
  return { ...aggregate, sk: `${aggregate.hour}#${objectId}`, objectKey, expiresAt: expiryFrom(aggregate.lastEvent, retentionDays) };
}

export interface DigestItems {
  sessions: SessionItem[];
  activity: ActivityItem[];
}

/** All items one log object contributes. */
export function itemsOfDigest(digest: CloudTrailFileDigest, objectId: string, objectKey: string, retentionDays: number): DigestItems {
  const sessions: SessionItem[] = [];
  for (const created of digest.sessionsCreated.values()) sessions.push(createdSessionItem(created, retentionDays));
  for (const seen of digest.sessionsObserved.values()) sessions.push(seenSessionItem(seen, objectId, objectKey, retentionDays));
  const activity = digest.activityAggregates().map((aggregate) => activityItem(aggregate, objectId, objectKey, retentionDays));
  return { sessions, activity };
}

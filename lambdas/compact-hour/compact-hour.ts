import { createHash } from 'node:crypto';
import { objectIdOf, readLogRecords, type RecordSink } from '../core/cloudtrail/read-log';
import { classifyLogKey } from '../core/cloudtrail/log-key';
import { HourCompactor, type CompactedHour } from '../core/storage/hour-compactor';
import { fitToSize } from '../core/storage/hour-aggregate';
import { HOUR_MS, hourStartMs, parseHourKey } from '../core/storage/hours';
import { ACCOUNTS_SUBJECT, activitySlot, expiryFrom, retainedFrom, type AccountHourItem, type AccountRegistryItem, type ActivityItem, type EventsRef, type HourIndexItem, type HourObjectItem } from '../core/model/items';
import { hourSessions, type ParentPointerItem, type SessionPackItem } from '../core/storage/session-packs';
import { buildHourIndex, encodeHourIndex, indexSubject } from '../core/storage/hour-index';
import type { HourEventsHeader, SubjectEvents } from '../adapters/events-store';
import { ObjectGoneError, type LogObjectStream } from '../adapters/s3-objects';
import { log } from '../shared/log';
import { changesPerEntity } from '../core/iam/stored';
import type { IamChange, IamEntityRef } from '../core/iam/types';
import type { FlowCompactionDependencies } from './compact-flow-hour';
import { interfaceMappingsOf, type InterfaceMapping } from '../core/flowlogs/cloudtrail-mappings';
import { mappingItems } from '../core/flowlogs/flow-items';

/**
 * Compacts one account-hour: re-reads the hour's log objects, merges their events (each once), and writes one
 * item per principal, the account's hour item (also the manifest), the sessions, and the hour's compact events.
 * It runs once an hour has settled (its logs delivered), and again whenever a late object arrives for it.
 * The I/O is injected so the same code runs in Lambda, in local mode and in tests.
 */
export interface CompactionDependencies {
  /** The hour's registered log objects (not its pending mark). */
  listHourObjects(hourKey: string): Promise<HourObjectItem[]>;
  /** Clears the hour's pending mark, so that an object registered from now on asks for another compaction. */
  clearCompactionPending(hourKey: string): Promise<void>;
  getAccountHour(accountId: string, hour: string): Promise<AccountHourItem | undefined>;
  openObject(bucket: string, key: string): Promise<LogObjectStream>;
  readHeader(accountId: string, hour: string, ref: EventsRef): Promise<HourEventsHeader | undefined>;
  writeEvents(header: HourEventsHeader, segments: readonly SubjectEvents[], generation: string): Promise<Map<string, EventsRef>>;
  /** Everything of the hour but the manifest, written together (see HourItemWrites). */
  writeHourItems(writes: HourItemWrites): Promise<void>;
  putAccountHour(item: AccountHourItem): Promise<void>;
  /** Deletes one generation of the hour's compact events (see writeCompaction). */
  removeGeneration(accountId: string, hour: string, generation: string): Promise<void>;
  /**
   * Merges an hour's IAM changes of one entity into its stored history (read, merge, bound, write back only
   * if different; see lambdas/adapters/iam-store.ts). Absent: IAM histories are not kept (unit tests of the
   * other items).
   */
  /** `retainedFrom`: the retention's start; the history's changes logged before it fold into its checkpoint. */
  mergeIamHistory?(entity: IamEntityRef, changes: readonly IamChange[], retainedFrom: string): Promise<'written' | 'unchanged'>;
  retentionDays: number;
  /** How long after an hour's end its logs are taken as delivered (CloudTrail delivers within about 15 minutes). */
  settleMs: number;
  now?: () => Date;
  /** ENI ↔ instance mapping items from the hour's EC2 events (Activity table), for flow logs without instance-id. */
  putInterfaceMappings?(items: readonly object[]): Promise<void>;
  /** The flow-log compaction's I/O (flow#<account>#<hour> requests); without it such requests are dropped as invalid. */
  flow?: FlowCompactionDependencies;
}

/**
 * The items of a compacted hour, short of its manifest. They are independent of each other (the manifest,
 * written after them, is what makes a compaction final), so the adapter may write them in any order and pack
 * them into as few requests as it likes: a quiet hour's handful of items is one BatchWriteItem.
 */
export interface HourItemWrites {
  /** One item per principal (Activity table). */
  activity: readonly ActivityItem[];
  /** Principals an earlier compaction of the hour wrote that no longer appear (an object replaced). */
  goneActivity: readonly { subject: string; slot: string }[];
  /** Session packs and parent pointers (Sessions table, see session-packs.ts). */
  sessions: readonly (SessionPackItem | ParentPointerItem)[];
  /** The hour's reverse index and the account's registration (Activity table). */
  index: readonly (HourIndexItem | AccountRegistryItem)[];
}

export type CompactionOutcome =
  | { status: 'compacted'; hourKey: string; generation: string; events: number; duplicates: number; principals: number; objects: number; missingObjects: number }
  | { status: 'unchanged'; hourKey: string }
  | { status: 'not-settled'; hourKey: string; settlesAt: string }
  | { status: 'invalid'; hourKey: string; reason: string };

/**
 * Largest stored aggregates: well under DynamoDB's 400 KB, since a write costs one unit per started KB. What a
 * cap trims from the breakdowns stays in the hour's events (and `overflow` says so).
 */
export const MAX_ACTIVITY_ITEM_BYTES = 16 * 1024;
export const MAX_ACCOUNT_ITEM_BYTES = 8 * 1024;

function parseObjectKey(objectKey: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(objectKey);
  if (!match) throw new Error(`not an s3:// object key: ${objectKey}`);
  return { bucket: match[1], key: match[2] };
}

/** Identifies a set of log objects (their keys and ETags), whatever the order they registered in. */
export function objectsHash(objects: readonly HourObjectItem[]): string {
  const hash = createHash('sha256');
  for (const o of [...objects].sort((a, b) => (a.objectId < b.objectId ? -1 : 1))) hash.update(`${o.objectKey}\u0000${o.etag ?? ''}\u0000`);
  return hash.digest('hex').slice(0, 16);
}

export async function compactHour(hourKey: string, deps: CompactionDependencies): Promise<CompactionOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const parsed = parseHourKey(hourKey);
  if (!parsed) return { status: 'invalid', hourKey, reason: 'not <account>#<YYYY-MM-DDTHH>' };
  const { accountId, hour } = parsed;
  const settlesAt = hourStartMs(hour) + HOUR_MS + deps.settleMs;
  if (now.getTime() < settlesAt) return { status: 'not-settled', hourKey, settlesAt: new Date(settlesAt).toISOString() };

  await deps.clearCompactionPending(hourKey);
  const registered = await deps.listHourObjects(hourKey);
  const previous = await deps.getAccountHour(accountId, hour);
  // The common repeat: every object still registered, none new. No need to read the previous header.
  if (previous && previous.objectsHash === objectsHash(registered)) return { status: 'unchanged', hourKey };
  // Registrations expire after BOOKKEEPING_DAYS: the hour's earlier objects are also named by its events' header.
  const before = previous?.events ? await deps.readHeader(accountId, hour, previous.events) : undefined;
  const objects = unionObjects(hourKey, registered, before?.objects ?? []);
  const hash = objectsHash(objects);
  if (previous && previous.objectsHash === hash) return { status: 'unchanged', hourKey };

  const compactor = new HourCompactor(accountId, hour, retainedFrom(now, deps.retentionDays));
  let missingObjects = 0;
  const mappings = new Map<string, InterfaceMapping>();
  for (const [index, object] of objects.entries()) {
    const { bucket, key } = parseObjectKey(object.objectKey);
    let stream: LogObjectStream;
    try {
      stream = await deps.openObject(bucket, key);
    } catch (error) {
      if (!(error instanceof ObjectGoneError)) throw error;
      missingObjects++;
      log.warn('log object gone before compaction', { hourKey, objectKey: object.objectKey });
      continue;
    }
    const sink = compactor.sinkFor(index, classifyLogKey(key).accountId);
    const withMappings: RecordSink = {
      addUnparsable: (reason, position) => sink.addUnparsable(reason, position),
      addRaw: (value, position) => {
        collectMappings(value, hour, mappings);
        sink.addRaw(value, position);
      },
    };
    await readLogRecords(stream.body, deps.putInterfaceMappings ? withMappings : sink);
  }
  if (deps.putInterfaceMappings && mappings.size > 0) {
    const expiresAt = expiryFrom(`${hour}:59:59Z`, deps.retentionDays);
    await deps.putInterfaceMappings([...mappings.values()].sort((a, b) => (a.interfaceId < b.interfaceId ? -1 : 1)).flatMap((m) => Object.values(mappingItems(m.instanceId, m.interfaceId, accountId, 'cloudtrail', expiresAt))));
  }
  const compacted = compactor.finish();
  const generation = createHash('sha256').update(hash).update(String(compacted.counts.events)).digest('hex').slice(0, 16);
  await writeCompaction(compacted, objects, generation, hash, { previous, before }, deps, now);
  return { status: 'compacted', hourKey, generation, events: compacted.counts.events, duplicates: compacted.counts.duplicates, principals: compacted.principals.length, objects: objects.length, missingObjects };
}

/** The ENI-instance pairs an event of this hour names (the same pair in several events is kept once). */
function collectMappings(value: unknown, hour: string, into: Map<string, InterfaceMapping>): void {
  const eventTime = (value as { eventTime?: unknown } | null)?.eventTime;
  if (typeof eventTime !== 'string' || !eventTime.startsWith(hour)) return;
  for (const mapping of interfaceMappingsOf(value)) into.set(mapping.interfaceId, mapping);
}

/** The hour's objects: the registered ones, and those an earlier compaction named (a registration wins). */
function unionObjects(hourKey: string, registered: readonly HourObjectItem[], named: HourEventsHeader['objects']): HourObjectItem[] {
  const byKey = new Map<string, HourObjectItem>();
  for (const object of named) {
    byKey.set(object.objectKey, { hourKey, objectId: objectIdOf(object.objectKey), objectKey: object.objectKey, ...(object.etag ? { etag: object.etag } : {}), records: 0, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 });
  }
  for (const object of registered) byKey.set(object.objectKey, object);
  return [...byKey.values()].sort((a, b) => (a.objectKey < b.objectKey ? -1 : a.objectKey > b.objectKey ? 1 : 0));
}

async function writeCompaction(
  compacted: CompactedHour,
  objects: readonly HourObjectItem[],
  generation: string,
  hash: string,
  { previous, before }: { previous: AccountHourItem | undefined; before: HourEventsHeader | undefined },
  deps: CompactionDependencies,
  now: Date,
): Promise<void> {
  const { accountId, hour } = compacted;
  const header: HourEventsHeader = {
    v: 1,
    accountId,
    hour,
    objects: objects.map((o) => ({ objectKey: o.objectKey, ...(o.etag ? { etag: o.etag } : {}) })),
    subjects: compacted.principals.map((p) => p.meta.subject),
  };
  // 1. The events first: every item written next points into them.
  const refs = await deps.writeEvents(header, compacted.principals.map((p) => ({ subject: p.meta.subject, events: p.events })), generation);
  const expiresAt = expiryFrom(`${hour}:59:59Z`, deps.retentionDays);
  const slot = activitySlot(hour, accountId);

  // 2. One item per principal; principals that no longer appear (an object replaced) are removed.
  const activity = compacted.principals.map((p) => {
    const events = refs.get(p.meta.subject) as EventsRef;
    return fitToSize<ActivityItem>({ ...p.aggregate, slot, accountId, events, expiresAt }, MAX_ACTIVITY_ITEM_BYTES);
  });
  const present = new Set(header.subjects);
  const goneActivity = (before?.subjects ?? []).filter((subject) => !present.has(subject)).map((subject) => ({ subject, slot }));
  // 3. Sessions, packed per issuer, and pointers from parents to chained sessions.
  const sessions = hourSessions(compacted, generation, deps.retentionDays);
  // 4. The hour's reverse index (addresses, agents, buckets, sessions, instances → principals), and the account's registration.
  const index = buildHourIndex(compacted);
  await deps.writeHourItems({
    activity,
    goneActivity,
    sessions: [...sessions.packs, ...sessions.parents],
    index: [
      { subject: indexSubject(accountId), slot, hour, accountId, principals: index.principals.length, body: encodeHourIndex(index), expiresAt },
      { subject: ACCOUNTS_SUBJECT, slot: accountId, accountId },
    ],
  });

  // 4b. IAM histories, only for the entities whose IAM changed in the hour (an hour without IAM writes writes
  // nothing). Before the manifest: a compaction that dies here is retried, and the merge is idempotent.
  if (deps.mergeIamHistory) {
    const retained = retainedFrom(now, deps.retentionDays);
    for (const { entity, changes } of changesPerEntity(compacted.iamChanges).values()) await deps.mergeIamHistory(entity, changes, retained);
  }

  // 5. The manifest last: until it is written, a retry recompacts the hour and writes the same items again.
  // The account's item serves the account-wide baseline (addresses, agents, APIs, regions): the sessions and
  // resources of every principal would only repeat, at a price, what their own items hold.
  const manifest: AccountHourItem = fitToSize<AccountHourItem>(
    {
      ...compacted.account,
      sessions: {},
      resources: {},
      slot,
      accountId,
      events: refs.get('') as EventsRef,
      expiresAt,
      objectsHash: hash,
      objectCount: objects.length,
      duplicates: compacted.counts.duplicates,
      compactedAt: now.toISOString(),
    },
    MAX_ACCOUNT_ITEM_BYTES,
  );
  await deps.putAccountHour(manifest);
  // The generation the items pointed at until now is no longer read. Only that one is deleted, by key: no LIST
  // per compaction. A generation orphaned by a compaction that died between steps 1 and 5 with other objects
  // than its retry (a retry with the same objects rewrites the same key) expires by the index bucket's
  // lifecycle rule, as every generation does after the retention.
  const replaced = previous?.events?.generation;
  if (replaced !== undefined && replaced !== generation) await deps.removeGeneration(accountId, hour, replaced);
}

import { gunzipSync, gzipSync } from 'node:zlib';
import { entityKey } from './events';
import { DYNAMODB_ITEM_LIMIT, itemSize } from '../storage/item-size';
import { boundHistory, DEFAULT_BOUND_LIMITS, foldPastRetention, historyBytes, mergeHistory, type BoundLimits } from './history';
import type { IamSnapshot } from './snapshot';
import type { EntityHistory, IamBaseline, IamChange, IamEntityBody, IamEntityRef, IamEntityType } from './types';

/**
 * How IAM histories and snapshots are stored, as items of the Activity table (their own key prefixes, no new
 * table: the table is already read by keys and billed per item, and IAM writes are rare).
 *
 * - A history: `subject = iam#<account>#<TYPE>#<lower-cased name>`, `slot = history`, the `EntityHistory` as
 *   gzip JSON in `body`, and a `version` that a writer conditions on. Written by the hourly compaction only for
 *   entities whose IAM changed in the hour. No `expiresAt`: an entity created years ago still has its
 *   permissions (`boundHistory` keeps it small instead).
 * - A snapshot (GetAccountAuthorizationDetails): `subject = iam-snapshot#<account>`, `slot = <time>#<chunk>`,
 *   the parsed snapshot as gzip JSON split into chunks of at most SNAPSHOT_CHUNK_BYTES. One snapshot per
 *   account and time, no per-entity item; the snapshot before a moment is one Query (descending, limit 1) and
 *   then its chunks.
 */

export const IAM_HISTORY_SLOT = 'history';
/** Compressed bytes per snapshot chunk: under DynamoDB's 400 KB item limit with room for the keys. */
export const SNAPSHOT_CHUNK_BYTES = 300 * 1024;

export interface IamHistoryItem {
  subject: string;
  slot: typeof IAM_HISTORY_SLOT;
  accountId: string;
  entityType: IamEntityType;
  /** gzip(JSON(EntityHistory)). */
  body: Uint8Array;
  /** Incremented by every write; a writer conditions on the version it read (concurrent compactions of two hours). */
  version: number;
  changes: number;
}

export interface IamSnapshotItem {
  subject: string;
  /** `<time>#<chunk, 4 digits>`. */
  slot: string;
  accountId: string;
  time: string;
  chunk: number;
  chunks: number;
  body: Uint8Array;
}

export function iamHistorySubject(ref: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>): string {
  return `iam#${entityKey(ref)}`;
}

export function iamSnapshotSubject(accountId: string): string {
  return `iam-snapshot#${accountId}`;
}

export function encodeHistory(history: EntityHistory): Buffer {
  return gzipSync(JSON.stringify(history));
}

export function decodeHistory(body: Uint8Array): EntityHistory {
  return JSON.parse(gunzipSync(body).toString('utf8')) as EntityHistory;
}

/**
 * The history to write after merging an hour's changes of one entity into its stored history, or undefined
 * when the merge changes nothing (a recompaction, a redelivered object, a retry): then nothing is written.
 */
export function historyAfter(stored: EntityHistory | undefined, changes: readonly IamChange[], options: HistoryWriteOptions = {}): EntityHistory | undefined {
  if (changes.length === 0) return undefined;
  const merged = mergeHistory(stored, changes);
  const baselines = options.baselines ?? [];
  const next = boundHistory(options.retainedFrom ? foldPastRetention(merged, options.retainedFrom, options.limits, baselines) : merged, options.limits, baselines);
  if (stored && JSON.stringify(next) === JSON.stringify(stored)) return undefined;
  return next;
}

export interface HistoryWriteOptions {
  /** The retention's start (ISO-8601): changes logged before it are folded into the checkpoint. */
  retainedFrom?: string;
  limits?: BoundLimits;
  /** The account's snapshot of the entity before a new checkpoint, so the checkpoint keeps what it knew (IamStore looks it up). */
  baselines?: readonly IamBaseline[];
}

/** A checkpoint `next` has that `stored` had not, when it is PARTIAL (a snapshot could complete it). */
export function newPartialCheckpoint(stored: EntityHistory | undefined, next: EntityHistory): IamBaseline | undefined {
  const checkpoint = next.Baselines.find((baseline) => baseline.Source === 'CHECKPOINT');
  if (!checkpoint || checkpoint.Coverage === 'FULL') return undefined;
  const before = stored?.Baselines.find((baseline) => baseline.Source === 'CHECKPOINT');
  return before && before.Time === checkpoint.Time ? undefined : checkpoint;
}

/** A history item's largest size, in DynamoDB's measure (UTF-8 bytes of names and values): 400 KB less a margin. */
export const MAX_HISTORY_ITEM_BYTES = DYNAMODB_ITEM_LIMIT - 32 * 1024;

/**
 * The item to write for a history. boundHistory keeps the JSON under DEFAULT_BOUND_LIMITS, which the gzip body
 * cannot outgrow by more than a few bytes; should the item (keys and body, measured as DynamoDB does) still pass
 * MAX_HISTORY_ITEM_BYTES, the history is bounded again to half the size until it fits.
 */
export function historyItem(entity: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>, history: EntityHistory, version: number, maxItemBytes = MAX_HISTORY_ITEM_BYTES): { item: IamHistoryItem; history: EntityHistory } {
  let current = history;
  let limits: BoundLimits = DEFAULT_BOUND_LIMITS;
  for (;;) {
    const item: IamHistoryItem = {
      subject: iamHistorySubject(entity),
      slot: IAM_HISTORY_SLOT,
      accountId: entity.AccountId,
      entityType: entity.Type,
      body: encodeHistory(current),
      version,
      changes: current.Changes.length,
    };
    if (itemSize(item) <= maxItemBytes || limits.maxHistoryBytes < 1024) return { item, history: current };
    limits = { ...limits, maxHistoryBytes: Math.floor(Math.min(limits.maxHistoryBytes, historyBytes(current)) / 2) };
    current = boundHistory(current, limits);
  }
}

/** The changes of an hour grouped per entity (by `entityKey`), each eventID once per entity. */
export function changesPerEntity(changes: Iterable<IamChange>): Map<string, { entity: IamEntityRef; changes: IamChange[] }> {
  const byEntity = new Map<string, { entity: IamEntityRef; changes: Map<string, IamChange> }>();
  for (const change of changes) {
    const key = entityKey(change.Entity);
    let entry = byEntity.get(key);
    if (!entry) byEntity.set(key, (entry = { entity: change.Entity, changes: new Map() }));
    if (!entry.changes.has(change.EventId)) entry.changes.set(change.EventId, change);
  }
  return new Map([...byEntity].map(([key, entry]) => [key, { entity: entry.entity, changes: [...entry.changes.values()] }]));
}

interface StoredSnapshot {
  AccountId: string;
  Time: string;
  CompleteTypes: IamSnapshot['CompleteTypes'];
  Entities: [string, { Entity: IamEntityRef; State: IamEntityBody }][];
  Problems: string[];
}

/** A snapshot as items: gzip JSON in chunks, written together (a reader takes a snapshot only when all its chunks are there). */
export function snapshotItems(snapshot: IamSnapshot, chunkBytes = SNAPSHOT_CHUNK_BYTES): IamSnapshotItem[] {
  const stored: StoredSnapshot = { AccountId: snapshot.AccountId, Time: snapshot.Time, CompleteTypes: snapshot.CompleteTypes, Entities: [...snapshot.Entities], Problems: snapshot.Problems };
  const body = gzipSync(JSON.stringify(stored));
  const chunks = Math.max(1, Math.ceil(body.length / chunkBytes));
  const time = new Date(Date.parse(snapshot.Time)).toISOString();
  return Array.from({ length: chunks }, (_, chunk) => ({
    subject: iamSnapshotSubject(snapshot.AccountId),
    slot: `${time}#${String(chunk).padStart(4, '0')}`,
    accountId: snapshot.AccountId,
    time,
    chunk,
    chunks,
    body: body.subarray(chunk * chunkBytes, (chunk + 1) * chunkBytes),
  }));
}

/** The snapshot its chunks hold, or undefined when a chunk is missing (a write still in progress). */
export function snapshotOfItems(items: readonly IamSnapshotItem[]): IamSnapshot | undefined {
  if (items.length === 0) return undefined;
  const sorted = [...items].sort((a, b) => a.chunk - b.chunk);
  const expected = sorted[0].chunks;
  if (sorted.length !== expected || sorted.some((item, index) => item.chunk !== index || item.chunks !== expected)) return undefined;
  const stored = JSON.parse(gunzipSync(Buffer.concat(sorted.map((item) => Buffer.from(item.body)))).toString('utf8')) as StoredSnapshot;
  return { AccountId: stored.AccountId, Time: stored.Time, CompleteTypes: stored.CompleteTypes, Entities: new Map(stored.Entities), Problems: stored.Problems };
}

import type { CloudTrailRecord } from '../cloudtrail/types';
import { changesByEntity, compareChanges, compareOrderKeys, entityKey, orderKey, preferred } from './events';
import { baselineBefore, foldUntil } from './state';
import type { EntityHistory, FoldReason, IamBaseline, IamChange, TrimCounts } from './types';

/**
 * Stored histories: building, merging and bounding them. Pure functions; the item layout is in stored.ts, the
 * writes in lambdas/adapters/iam-store.ts (called by the hourly compaction).
 *
 * Storage design (issue 11):
 * - **One item per entity**, `iam#<account>#<ROLE|USER|GROUP|POLICY>#<lower-cased name>`, holding its
 *   `EntityHistory` (gzip-compressed JSON in one attribute, like the Activity items). IAM changes are rare (a
 *   handful an hour in a busy account), so the history is small and costs nothing when IAM is quiet.
 * - **Written only when IAM changes.** The compaction of an account-hour already reads every record of the
 *   hour; those from `iam.amazonaws.com` that `iamChangesOf` turns into changes are grouped by entity, and
 *   only for those entities is the item read, merged (`mergeHistory`), bounded (`boundHistory`) and written
 *   back when it differs. An hour without IAM writes writes nothing. Recompacting an hour merges the same
 *   eventIDs again and changes nothing (merge is idempotent and order-independent), so a late object, a
 *   recompaction or a retry are safe; a concurrent write is guarded by a condition on a version attribute.
 * - **Bounded.** `boundHistory` keeps the item under DynamoDB's 400 KB: policy documents over
 *   `maxDocumentChars` lose their text (their size and a trust policy's principals are kept), then the oldest
 *   documents lose theirs, then the oldest changes are folded into one checkpoint (a baseline), counted in
 *   `Trimmed`. The state at any moment after the checkpoint is unchanged; only the list of old changes is shorter.
 * - **Retention.** The history does not expire with the activity items (an entity created two years ago still
 *   has its permissions); its size is bounded instead (above).
 * - **Snapshots** (`aws iam get-account-authorization-details`, scheduled or `--iam-snapshot FILE`) are
 *   stored per account apart from the histories (one object per snapshot) and passed to `stateAt` as
 *   `baselines`: a snapshot writes no per-entity items.
 */

/** The histories of the entities the records change, each with its changes in canonical order. */
export function historiesFromRecords(records: Iterable<CloudTrailRecord>): Map<string, EntityHistory> {
  const histories = new Map<string, EntityHistory>();
  for (const [key, changes] of changesByEntity(records)) {
    histories.set(key, { Entity: entityOf(changes), Changes: changes, Baselines: [] });
  }
  return histories;
}

/** The entity's name as its creation wrote it, else as its earliest change did (names are not case-sensitive). */
function entityOf(changes: readonly IamChange[]): IamChange['Entity'] {
  const created = changes.find((change) => change.Succeeded && change.Action.Kind === 'CREATE');
  return { ...(created ?? changes[0]).Entity };
}

function latestCheckpoint(baselines: readonly IamBaseline[]): IamBaseline | undefined {
  return baselines.filter((baseline) => baseline.Source === 'CHECKPOINT').sort((a, b) => compareOrderKeys(a.AbsorbedThrough ?? { Time: a.Time, Rank: 99, EventId: '' }, b.AbsorbedThrough ?? { Time: b.Time, Rank: 99, EventId: '' })).pop();
}

function sameBaseline(a: IamBaseline, b: IamBaseline): boolean {
  return a.Source === b.Source && a.Time === b.Time;
}

function sumTrimmed(a: TrimCounts | undefined, b: TrimCounts | undefined): TrimCounts | undefined {
  if (!a) return b;
  if (!b) return a;
  return { Documents: Math.max(a.Documents, b.Documents), DocumentChars: Math.max(a.DocumentChars, b.DocumentChars), Changes: Math.max(a.Changes, b.Changes) };
}

/**
 * Merges new changes (and baselines) into a stored history. Idempotent (the same eventID twice is kept once)
 * and order-independent (the result is sorted canonically, and between two changes with one eventID the
 * choice does not depend on which came first). Changes a checkpoint already absorbed are dropped.
 * `stored` may be undefined (no item yet).
 */
export function mergeHistory(stored: EntityHistory | undefined, incoming: EntityHistory | readonly IamChange[]): EntityHistory {
  const other: EntityHistory | undefined = Array.isArray(incoming) ? undefined : (incoming as EntityHistory);
  const newChanges: readonly IamChange[] = other ? other.Changes : (incoming as readonly IamChange[]);
  const base = stored ?? other;
  if (!base && newChanges.length === 0) throw new Error('mergeHistory: nothing to merge');
  const key = entityKey((stored ?? other ?? { Entity: newChanges[0].Entity }).Entity);
  const stray = newChanges.find((change) => entityKey(change.Entity) !== key);
  if (stray) throw new Error(`mergeHistory: a change of ${entityKey(stray.Entity)} merged into ${key}`);
  const byId = new Map<string, IamChange>();
  for (const change of [...(stored?.Changes ?? []), ...newChanges]) {
    const existing = byId.get(change.EventId);
    if (!existing || preferred(change, existing)) byId.set(change.EventId, change);
  }
  const baselines: IamBaseline[] = [];
  for (const baseline of [...(stored?.Baselines ?? []), ...(other && other !== stored ? other.Baselines : [])]) {
    const index = baselines.findIndex((existing) => sameBaseline(existing, baseline));
    if (index < 0) baselines.push(baseline);
    else if (JSON.stringify(baseline) < JSON.stringify(baselines[index])) baselines[index] = baseline;
  }
  // A history keeps one checkpoint, the latest; the changes it absorbed are in its state.
  const checkpoint = latestCheckpoint(baselines);
  const kept = baselines.filter((baseline) => baseline.Source !== 'CHECKPOINT' || baseline === checkpoint).sort((a, b) => Date.parse(a.Time) - Date.parse(b.Time) || a.Source.localeCompare(b.Source));
  const changes = [...byId.values()].filter((change) => !checkpoint || baselineBefore(checkpoint, change)).sort(compareChanges);
  const entity = stored?.Entity ?? other?.Entity ?? entityOf([...byId.values()].sort(compareChanges));
  const trimmed = sumTrimmed(stored?.Trimmed, other !== stored ? other?.Trimmed : undefined);
  return { Entity: { ...entity }, Changes: changes, Baselines: kept, ...(trimmed ? { Trimmed: trimmed } : {}) };
}

export interface BoundLimits {
  /** A policy document longer than this loses its text (IAM's largest is a role inline policy: 10,240). */
  maxDocumentChars: number;
  /** The history's JSON size at most (UTF-8 bytes), before compression. */
  maxHistoryBytes: number;
}

export const DEFAULT_BOUND_LIMITS: BoundLimits = { maxDocumentChars: 16_384, maxHistoryBytes: 350_000 };

export function historyBytes(history: EntityHistory): number {
  return Buffer.byteLength(JSON.stringify(history), 'utf8');
}

/** Drops one document's text, keeping its size and principals. Returns the characters dropped. */
function trimDocument(doc: { Text: string | null; Issue?: string }): number {
  if (doc.Text === null) return 0;
  const chars = doc.Text.length;
  doc.Text = null;
  doc.Issue = 'TRIMMED';
  return chars;
}

/** The documents a change or baseline holds, to trim in place (on a copy). */
function documentsOf(change: IamChange): { Text: string | null; Issue?: string }[] {
  const action = change.Action;
  switch (action.Kind) {
    case 'CREATE':
      return [action.TrustPolicy, action.Document].filter((doc) => doc !== undefined);
    case 'SET_TRUST':
      return [action.TrustPolicy];
    case 'PUT_INLINE':
    case 'CREATE_VERSION':
      return [action.Document];
    default:
      return [];
  }
}

/**
 * Bounds a history's size: oversize documents lose their text, then the oldest documents, then the oldest
 * changes are folded into a checkpoint. Deterministic; what it removed is added to `Trimmed`.
 */
export function boundHistory(history: EntityHistory, limits: BoundLimits = DEFAULT_BOUND_LIMITS, baselines: readonly IamBaseline[] = []): EntityHistory {
  const copy: EntityHistory = structuredClone(history);
  const trimmed: TrimCounts = { Documents: 0, DocumentChars: 0, Changes: 0, ...(copy.Trimmed ?? {}) };
  const trim = (doc: { Text: string | null; Issue?: string }) => {
    const chars = trimDocument(doc);
    if (chars > 0) {
      trimmed.Documents++;
      trimmed.DocumentChars += chars;
    }
  };
  for (const change of copy.Changes) for (const doc of documentsOf(change)) if (doc.Text !== null && doc.Text.length > limits.maxDocumentChars) trim(doc);
  const finish = (): EntityHistory => ({ ...copy, ...(trimmed.Documents + trimmed.Changes > 0 ? { Trimmed: trimmed } : {}) });
  if (historyBytes(finish()) <= limits.maxHistoryBytes) return finish();
  // The oldest documents first (the latest of each policy is what the current state shows).
  for (const change of copy.Changes) {
    for (const doc of documentsOf(change)) trim(doc);
    if (historyBytes(finish()) <= limits.maxHistoryBytes) return finish();
  }
  // Then fold the oldest half of the changes into a checkpoint, until it fits.
  while (copy.Changes.length > 0 && historyBytes(finish()) > limits.maxHistoryBytes) {
    const count = Math.max(1, Math.floor(copy.Changes.length / 2));
    absorbOldest(copy, count, 'SIZE', limits, trim, baselines);
    trimmed.Changes += count;
  }
  return finish();
}


/**
 * Folds the oldest `count` changes (canonical order) into the history's checkpoint, in place: the entity's state
 * just after the last of them, with the Coverage the fold had then. The state at any moment after the
 * checkpoint is unchanged (the later changes apply on top of it, as they did on the fold); moments before it
 * are no longer known, and stateAt says so.
 */
function absorbOldest(copy: EntityHistory, count: number, reason: FoldReason, limits: BoundLimits, trim: (doc: { Text: string | null; Issue?: string }) => void, baselines: readonly IamBaseline[]): void {
  const last = copy.Changes[count - 1];
  // The account's snapshots (stored apart) take part in the fold: a checkpoint of an entity older than the logs keeps what they knew.
  const { state } = foldUntil({ ...copy, Changes: copy.Changes.slice(0, count) }, last.Time, baselines);
  const checkpoint: IamBaseline = {
    Source: 'CHECKPOINT',
    Time: last.Time,
    State: state.body,
    Coverage: state.known ? 'FULL' : 'PARTIAL',
    ...(state.known ? {} : { CoverageReason: state.reason }),
    AbsorbedThrough: orderKey(last),
    FoldReason: reason,
  };
  copy.Baselines = [...copy.Baselines.filter((baseline) => baseline.Source !== 'CHECKPOINT' && Date.parse(baseline.Time) > Date.parse(last.Time)), checkpoint].sort((a, b) => Date.parse(a.Time) - Date.parse(b.Time));
  copy.Changes = copy.Changes.slice(count);
  // A checkpoint's own documents are bounded like the changes'.
  for (const doc of [checkpoint.State.TrustPolicy, ...checkpoint.State.InlinePolicies.map((policy) => policy.Document), ...checkpoint.State.Versions.map((version) => version.Document)]) {
    if (doc && doc.Text !== null && doc.Text.length > limits.maxDocumentChars) trim(doc);
  }
}

/**
 * Folds the changes logged before `retainedFrom` (the retention's start: the trail's own events of that time
 * have expired, so these changes' raw events can no longer be shown) into the history's checkpoint. The
 * state at any moment at or after the checkpoint is unchanged; before it, stateAt answers PARTIAL and says why.
 */
export function foldPastRetention(history: EntityHistory, retainedFrom: string, limits: BoundLimits = DEFAULT_BOUND_LIMITS, baselines: readonly IamBaseline[] = []): EntityHistory {
  const cutoff = Date.parse(retainedFrom);
  if (!Number.isFinite(cutoff)) return history;
  const changes = [...history.Changes].sort(compareChanges);
  let count = 0;
  while (count < changes.length && Date.parse(changes[count].Time) < cutoff) count++;
  if (count === 0) return history;
  const copy: EntityHistory = structuredClone({ ...history, Changes: changes });
  const trimmed: TrimCounts = { Documents: 0, DocumentChars: 0, Changes: 0, ...(copy.Trimmed ?? {}) };
  absorbOldest(copy, count, 'RETENTION', limits, (doc) => {
    if (doc.Text === null) return;
    trimmed.Documents++;
    trimmed.DocumentChars += trimDocument(doc);
  }, baselines);
  trimmed.Changes += count;
  return { ...copy, Trimmed: trimmed };
}

import type { IndexedPrincipal } from '../../core/graph/index-lookups';
import type { HourIndex } from '../../core/storage/hour-index';
import { hourStartMs, hourWithin, HOUR_MS } from '../../core/storage/hours';
import { eventsWithin, mergeHourParts } from '../../core/storage/scope-cut';
import { mapWithConcurrency } from '../../shared/concurrency';
import type { TrailQueries } from '../../queries/trail-queries';

/**
 * Exact call counts of principals from hour indexes. An index row counts its principal's calls in a whole
 * account-hour, so summing rows overcounts where the scope cuts an hour, and counts twice an action that two
 * accounts' trails recorded (a cross-account AssumeRole: one sharedEventID, a copy in each). Here a principal-
 * hour recorded by one account and inside the scope is the row itself; any other (an edge hour, or several
 * accounts' copies) is read from its compact events, cut to the scope and merged by sharedEventID
 * (mergeHourParts), as TrailQueries.hourItems does. Reads: one Query and ranged GETs per such principal-hour only.
 */
export type CountReads = Pick<TrailQueries, 'storedHourItems' | 'eventsOfItem'>;

export interface ExactCount {
  calls: number;
  failures: number;
}

function homeAccountOf(subject: string): string | undefined {
  return /:(\d{12}):/.exec(subject)?.[1];
}

/** Rows of the indexes per principal and hour, with the accounts that recorded them. */
function rowsByPrincipalHour(indexes: readonly HourIndex[], subjects?: ReadonlySet<string>): Map<string, Map<string, { accounts: string[]; calls: number; failures: number }>> {
  const bySubject = new Map<string, Map<string, { accounts: string[]; calls: number; failures: number }>>();
  for (const index of indexes) {
    for (const [subject, , , , calls, failures] of index.principals) {
      if (subjects && !subjects.has(subject)) continue;
      const hours = bySubject.get(subject) ?? new Map();
      const entry = hours.get(index.hour) ?? { accounts: [], calls: 0, failures: 0 };
      entry.accounts.push(index.accountId);
      entry.calls += calls;
      entry.failures += failures;
      hours.set(index.hour, entry);
      bySubject.set(subject, hours);
    }
  }
  return bySubject;
}

/**
 * Each principal's calls in [fromMs, toMs) as recorded by the trails of the given indexes' accounts, each event
 * once. `subjects` limits the principals counted (default: every principal of the indexes).
 */
export async function exactCounts(reads: CountReads, indexes: readonly HourIndex[], fromMs: number, toMs: number, subjects?: ReadonlySet<string>): Promise<Map<string, ExactCount>> {
  const accepted = new Set(indexes.map((index) => index.accountId));
  const counts = new Map<string, ExactCount>();
  const toRead: { subject: string; hour: string; accounts: string[] }[] = [];
  for (const [subject, hours] of rowsByPrincipalHour(indexes, subjects)) {
    const count = { calls: 0, failures: 0 };
    counts.set(subject, count);
    for (const [hour, entry] of hours) {
      if (entry.accounts.length === 1 && hourWithin(hour, fromMs, toMs)) {
        count.calls += entry.calls;
        count.failures += entry.failures;
      } else toRead.push({ subject, hour, accounts: entry.accounts });
    }
  }
  await mapWithConcurrency(toRead, 8, async ({ subject, hour }) => {
    const start = hourStartMs(hour);
    const stored = (await reads.storedHourItems(subject, new Date(start).toISOString(), new Date(start + HOUR_MS).toISOString())).filter((item) => item.hour === hour && accepted.has(item.accountId));
    if (stored.length === 0) return;
    const parts = await Promise.all(stored.map(async (item) => ({ item, events: await reads.eventsOfItem(item) })));
    const merged = parts.length === 1 ? parts[0] : mergeHourParts(parts, homeAccountOf(subject));
    const count = counts.get(subject) as ExactCount;
    for (const event of eventsWithin(hour, merged.events, fromMs, toMs)) {
      count.calls++;
      if (event.e !== undefined) count.failures++;
    }
  });
  return counts;
}

/**
 * The `n` busiest principals by exact calls, reading as few as possible: index rows give an upper bound of each
 * principal's exact count (whole hours, copies counted twice), so candidates are taken busiest-bound first
 * until the next bound is below the n-th exact count. Ties are broken by subject, as principalsOfIndexes does.
 */
export async function exactTop(reads: CountReads, indexes: readonly HourIndex[], candidates: readonly IndexedPrincipal[], n: number, fromMs: number, toMs: number): Promise<IndexedPrincipal[]> {
  const byBound = [...candidates].sort((a, b) => b.calls - a.calls || a.subject.localeCompare(b.subject));
  const exact: IndexedPrincipal[] = [];
  const order = (a: IndexedPrincipal, b: IndexedPrincipal) => b.calls - a.calls || a.subject.localeCompare(b.subject);
  for (let i = 0; i < byBound.length; ) {
    const nth = exact.length >= n ? exact[n - 1].calls : -1;
    if (byBound[i].calls < nth) break;
    // A batch of candidates at a time: their exact counts are read concurrently.
    const batch = byBound.slice(i, i + Math.max(n, 8));
    i += batch.length;
    const counts = await exactCounts(reads, indexes, fromMs, toMs, new Set(batch.map((p) => p.subject)));
    for (const p of batch) {
      const count = counts.get(p.subject) ?? { calls: 0, failures: 0 };
      if (count.calls > 0) exact.push({ ...p, calls: count.calls, failures: count.failures });
    }
    exact.sort(order);
  }
  return exact.slice(0, n);
}

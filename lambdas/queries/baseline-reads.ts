import { dayOfHour, digestItem, digestOf, digestPlan, foldDigest, readDigest } from '../core/flowlogs/baseline-digest';
import { emptyBaselineFold, foldBaseline, type BaselineFold } from '../core/flowlogs/network-report';
import type { FlowInterfaceItem } from '../core/flowlogs/flow-items';
import { HOUR_MS } from '../core/storage/hours';
import { mapWithConcurrency } from '../shared/concurrency';
import type { FlowQueries } from './flow-queries';

/** The baseline is read this many days at a time and folded into sets, so memory holds one chunk of items. */
export const BASELINE_CHUNK_DAYS = 7;
const DAY_MS = 86_400_000;

export interface BaselineReadOptions {
  /** When given, settled whole days come from digests (baseline-digest.ts), built and stored when missing. */
  nowMs?: number;
  /** Expiry of the digest of a day with no item (a day with items expires with them). */
  emptyDigestTtlDays: number;
}

/**
 * An instance's baseline fold over [fromMs, toMs): its interfaces' peers, ports and hours with data. Without
 * `nowMs`, every hour item of the window is read (7 days per Query). With it, each interface's settled whole
 * days are one Query of digests; a day without a usable digest is read from its hour items (contiguous days
 * in one Query), folded, and its digest stored unless a compaction changed it meanwhile; the partial days at
 * the window's edges are read from hour items. Same fold either way (tested).
 */
export async function baselineFold(flows: FlowQueries, interfaceIds: readonly string[], fromMs: number, toMs: number, options: BaselineReadOptions): Promise<BaselineFold> {
  const fold = emptyBaselineFold();
  const plan = options.nowMs === undefined ? { days: [], ranges: [{ fromMs, toMs }] } : digestPlan(fromMs, toMs, options.nowMs);
  for (const range of plan.ranges) {
    for (let start = range.fromMs; start < range.toMs; start += BASELINE_CHUNK_DAYS * DAY_MS) {
      const end = Math.min(start + BASELINE_CHUNK_DAYS * DAY_MS, range.toMs);
      if (end - start < HOUR_MS) break;
      const { items } = await flows.interfaceItems(interfaceIds, { from: new Date(start).toISOString(), to: new Date(end).toISOString() });
      foldBaseline(fold, items);
    }
  }
  if (plan.days.length === 0) return fold;
  await mapWithConcurrency(interfaceIds, 4, async (interfaceId) => {
    const stored = new Map((await flows.digestItems(interfaceId, plan.days[0], plan.days[plan.days.length - 1])).map((item) => [item.slot as string, item]));
    const missing: string[] = [];
    for (const day of plan.days) {
      const item = stored.get(day);
      const body = item ? readDigest(item) : undefined;
      if (body) foldDigest(fold, body);
      else missing.push(day);
    }
    for (const run of contiguousRuns(missing, BASELINE_CHUNK_DAYS)) {
      const from = Date.parse(`${run[0]}T00:00:00Z`);
      const { items } = await flows.interfaceItems([interfaceId], { from: new Date(from).toISOString(), to: new Date(from + run.length * DAY_MS).toISOString() });
      const byDay = new Map<string, FlowInterfaceItem[]>(run.map((day) => [day, []]));
      for (const item of items) byDay.get(dayOfHour(item.hour))?.push(item);
      for (const [day, dayItems] of byDay) {
        const body = digestOf(dayItems);
        foldDigest(fold, body);
        const expiresAt = dayItems.length > 0 ? Math.max(...dayItems.map((item) => item.expiresAt)) : Math.floor((Date.parse(`${day}T00:00:00Z`) + (1 + options.emptyDigestTtlDays) * DAY_MS) / 1000);
        const item = digestItem(interfaceId, day, body, expiresAt);
        const stale = stored.get(day)?.stale;
        if (item) await flows.putDigest(item, typeof stale === 'string' ? stale : undefined);
      }
    }
  });
  return fold;
}

/** Consecutive days (`YYYY-MM-DD`, sorted) in runs of at most `max`. */
function contiguousRuns(days: readonly string[], max: number): string[][] {
  const runs: string[][] = [];
  for (const day of days) {
    const run = runs[runs.length - 1];
    const previous = run?.[run.length - 1];
    if (run && previous && run.length < max && Date.parse(`${day}T00:00:00Z`) - Date.parse(`${previous}T00:00:00Z`) === DAY_MS) run.push(day);
    else runs.push([day]);
  }
  return runs;
}

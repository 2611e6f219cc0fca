import type { ApiCounts } from '../cloudtrail/activity';
import type { ActivityItem } from '../model/items';

/** Sums of activity items (per-object partials) over any set of subjects and hours. */
export interface ActivityTotals {
  total: number;
  failures: number;
  apis: Record<string, ApiCounts>;
  errorCodes: Record<string, number>;
  sourceIps: Record<string, number>;
  userAgents: Record<string, number>;
  resources: Record<string, number>;
  regions: Record<string, number>;
  firstEvent?: string;
  lastEvent?: string;
  /** Values dropped from the breakdowns because an item's map was full (totals stay exact). */
  overflow: Record<string, number>;
}

export interface HourlyVolume extends ActivityTotals {
  hour: string;
}

export function emptyTotals(): ActivityTotals {
  return { total: 0, failures: 0, apis: {}, errorCodes: {}, sourceIps: {}, userAgents: {}, resources: {}, regions: {}, overflow: {} };
}

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [key, value] of Object.entries(from ?? {})) into[key] = (into[key] ?? 0) + value;
}

export function addActivity(into: ActivityTotals, item: Pick<ActivityItem, 'total' | 'failures' | 'apis' | 'errorCodes' | 'sourceIps' | 'userAgents' | 'resources' | 'regions' | 'firstEvent' | 'lastEvent' | 'overflow'>): ActivityTotals {
  into.total += item.total;
  into.failures += item.failures;
  for (const [api, counts] of Object.entries(item.apis ?? {})) {
    const sum = (into.apis[api] ??= { calls: 0, failures: 0 });
    sum.calls += counts.calls;
    sum.failures += counts.failures;
  }
  addCounts(into.errorCodes, item.errorCodes);
  addCounts(into.sourceIps, item.sourceIps);
  addCounts(into.userAgents, item.userAgents);
  addCounts(into.resources, item.resources);
  addCounts(into.regions, item.regions);
  addCounts(into.overflow, item.overflow);
  if (!into.firstEvent || item.firstEvent < into.firstEvent) into.firstEvent = item.firstEvent;
  if (!into.lastEvent || item.lastEvent > into.lastEvent) into.lastEvent = item.lastEvent;
  return into;
}

export function sumActivity(items: readonly ActivityItem[]): ActivityTotals {
  return items.reduce(addActivity, emptyTotals());
}

/** Per-hour totals, ascending by hour. */
export function hourlyVolume(items: readonly ActivityItem[]): HourlyVolume[] {
  const byHour = new Map<string, HourlyVolume>();
  for (const item of items) {
    let hour = byHour.get(item.hour);
    if (!hour) byHour.set(item.hour, (hour = { hour: item.hour, ...emptyTotals() }));
    addActivity(hour, item);
  }
  return [...byHour.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}

/** The `n` largest entries of a count map, largest first (ties by key, so output is stable). */
export function topEntries(counts: Record<string, number>, n: number): [string, number][] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n);
}

import { instanceNetwork, type InstanceNetwork, type NetworkSection } from '../core/flowlogs/network-report';
import type { SessionView } from '../core/queries/session-view';
import { baselineFold } from './baseline-reads';
import { mapWithConcurrency } from '../shared/concurrency';
import { scopeHours, type FlowQueries } from './flow-queries';
import { MAX_INVESTIGATED_INSTANCES } from './instance-flow-peers';

/** Instances the report details (the busiest in scope): each costs its baseline's reads. */
export const MAX_REPORTED_INSTANCES = 10;
export { BASELINE_CHUNK_DAYS } from './baseline-reads';
const DAY_MS = 86_400_000;

export interface NetworkWindow {
  /** Baseline days before the scope (the NewBehaviour stage's BASELINE_DAYS). */
  baselineDays: number;
  minBaselineDays: number;
  /** The current time: settled days of the baseline are then read from digests (queries/baseline-reads.ts). */
  nowMs?: number;
}

/** The instances an entity's sessions ran on (an EC2 instance role's sessions name their instance), sorted, capped. */
export function instancesOfSessions(sessions: Iterable<SessionView>): string[] {
  const ids = new Set<string>();
  for (const session of sessions) if (typeof session.instanceId === 'string') ids.add(session.instanceId);
  return [...ids].sort().slice(0, MAX_INVESTIGATED_INSTANCES);
}

/**
 * The network section of instances over a scope: each instance's interface-hour items of the scope (one Query
 * per interface), then, for the MAX_REPORTED_INSTANCES busiest, the same interfaces' items of the baseline
 * window (the `baselineDays` before the scope's first hour; items older than the retention have expired, which
 * caps it): with `nowMs`, settled days from per-interface-day digests, each built once (baseline-reads.ts).
 * Query on keys only: the cost is the instance's own flow hours, and the baseline's is paid once per day.
 */
export async function networkSection(flows: FlowQueries, instanceIds: readonly string[], scope: { from: string; to: string }, window: NetworkWindow): Promise<NetworkSection> {
  const hours = scopeHours(scope);
  const scoped = await mapWithConcurrency(instanceIds, 4, async (instanceId) => {
    const interfaces = await flows.interfacesOf(instanceId);
    const { items } = await flows.interfaceItems(interfaces, scope);
    const bytes = items.reduce((sum, item) => sum + item.totals.in.bytes + item.totals.out.bytes + item.totals.unknown.bytes, 0);
    return { instanceId, interfaces: [...new Set(items.map((item) => item.interfaceId))], allInterfaces: interfaces, items, bytes };
  });
  const withFlows = scoped.filter((entry) => entry.items.length > 0).sort((a, b) => b.bytes - a.bytes || (a.instanceId < b.instanceId ? -1 : 1));
  const reported = withFlows.slice(0, MAX_REPORTED_INSTANCES);
  const baselineTo = Date.parse(hours.from);
  const baselineFrom = baselineTo - window.baselineDays * DAY_MS;
  const baselineWindow = { from: new Date(baselineFrom).toISOString(), to: new Date(baselineTo).toISOString() };
  const instances: InstanceNetwork[] = await mapWithConcurrency(reported, 2, async (entry) => {
    const fold = await baselineFold(flows, entry.allInterfaces, baselineFrom, baselineTo, { ...(window.nowMs !== undefined ? { nowMs: window.nowMs } : {}), emptyDigestTtlDays: window.baselineDays });
    return instanceNetwork({
      instanceId: entry.instanceId,
      interfaces: entry.interfaces,
      scopeItems: entry.items,
      baseline: fold,
      baselineWindow,
      scopeStart: hours.from,
      minBaselineDays: window.minBaselineDays,
    });
  });
  return {
    ScopeStartTime: hours.from,
    ScopeEndTime: hours.to,
    Instances: instances,
    InstancesWithoutFlows: scoped.filter((entry) => entry.items.length === 0).map((entry) => entry.instanceId),
    OmittedInstances: withFlows.length - reported.length,
  };
}

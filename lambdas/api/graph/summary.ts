import { baselineIsMature, baselineWindow, newnessIndicators } from '../../core/analysis';
import { subjectOfAccount } from '../../core/cloudtrail/activity';
import { principalsOfIndexes, type IndexedPrincipal } from '../../core/graph/index-lookups';
import { dailyTimeline, daysEndingAt, isServiceLinkedRole } from '../../core/graph/principals';
import { parseGetSummary, type SummaryRequest } from '../../core/graph/requests';
import { sumActivity } from '../../core/queries/activity-totals';
import type { ListPosition } from '../../core/investigation/ports';
import type { HourIndex } from '../../core/storage/hour-index';
import { mapWithConcurrency } from '../../shared/concurrency';
import type { ProfileDependencies } from './dependencies';
import { findingsPanel } from './panels';
import { exactTop } from './exact-counts';

/**
 * POST /graph/getSummary: Detective's summary page for a window of up to 24 hours. Reads, in order: the
 * accounts registry, the hour indexes of every account for the window (accounts × ≤ 24 items), then only
 * the top principals' items (7 days each, for their timelines), the top instances' sessions, the related
 * findings of the top principals, the investigations created in the window, and (once mature) each account's
 * baseline for newly observed geolocations.
 */
export const SUMMARY_TOP = 10;
export const TIMELINE_DAYS = 7;
/** Instances whose activity is read (each costs its sessions' reads); the index ranks them by hours seen. */
export const SUMMARY_MAX_INSTANCES = 25;

export async function getSummary(deps: ProfileDependencies, body: unknown): Promise<object> {
  const request = parseGetSummary(body, { nowMillis: deps.now(), retentionDays: deps.retentionDays, maxScopeDays: deps.maxScopeDays });
  const accounts = await deps.queries.accounts();
  const indexes = (await mapWithConcurrency(accounts, 8, (account) => deps.queries.hourIndexes(account, request.from, request.to))).flat();
  const principals = principalsOfIndexes(indexes).filter((p) => !(request.hideServiceLinkedRoles && p.type === 'role' && isServiceLinkedRole(p.arn ?? p.name)));
  // Exact to the window, each event once (an index row counts a whole hour, and each account's copy of a shared action).
  const fromMs = Date.parse(request.from);
  const toMs = Date.parse(request.to);
  // The panels that do not depend on the top principals start now, beside their exact counts.
  const independent = Promise.all([topInstances(deps, indexes, request), investigationCounts(deps, request), newGeolocations(deps, accounts, request)]);
  const [topRoles, topUsers] = await Promise.all([
    exactTop(deps.queries, indexes, principals.filter((p) => p.type === 'role'), SUMMARY_TOP, fromMs, toMs),
    exactTop(deps.queries, indexes, principals.filter((p) => p.type === 'iam-user'), SUMMARY_TOP, fromMs, toMs),
  ]).catch(async (error: unknown) => {
    // Settle the panels already started before failing: no read is left running (nor rejection unhandled).
    await independent.catch(() => undefined);
    throw error;
  });
  const [roles, users, findings, [instances, investigations, geolocations], traffic] = await Promise.all([
    withTimelines(deps, topRoles, request.to),
    withTimelines(deps, topUsers, request.to),
    findingGroups(deps, [...topRoles, ...topUsers], request),
    independent,
    topTraffic(deps, accounts, request),
  ]);
  return {
    ScopeStartTime: request.from,
    ScopeEndTime: request.to,
    Accounts: accounts,
    Investigations: investigations,
    NewGeolocations: geolocations,
    TopRoles: roles,
    TopUsers: users,
    TopInstances: instances,
    RelatedFindingGroups: findings,
    ...(traffic ? { TopTrafficInstances: traffic } : {}),
  };
}

/**
 * The EC2 instances with the most VPC flow traffic in the window (or the interface, where no instance is
 * known), from each account's flow manifests (one Query per account over the window's hours).
 */
async function topTraffic(deps: ProfileDependencies, accounts: readonly string[], request: SummaryRequest) {
  if (!deps.flows) return undefined;
  const { ranks } = await deps.flows.topInstances({ from: request.from, to: request.to }, SUMMARY_TOP, accounts);
  return ranks.map((rank) => ({
    EntityId: rank.instanceId ?? rank.interfaceIds[0],
    ...(rank.instanceId ? { InstanceId: rank.instanceId } : {}),
    Interfaces: rank.interfaceIds,
    AccountId: rank.accountId,
    BytesIn: rank.bytesIn,
    BytesOut: rank.bytesOut,
    BytesUnknownDirection: rank.bytesUnknownDirection,
    RejectedFlows: rank.rejectedFlows,
  }));
}

/** Each principal with its per-day calls over the 7 days ending with the window (hourly items: ≤ 168 per principal). */
function withTimelines(deps: ProfileDependencies, principals: readonly IndexedPrincipal[], to: string) {
  const days = daysEndingAt(to, TIMELINE_DAYS);
  const from = `${days[0]}T00:00:00.000Z`;
  return mapWithConcurrency(principals, 8, async (p) => ({
    Principal: p.name,
    PrincipalType: p.type,
    ...(p.arn ? { PrincipalArn: p.arn } : {}),
    Accounts: p.accounts,
    Calls: p.calls,
    FailedCalls: p.failures,
    ServiceLinked: p.type === 'role' && isServiceLinkedRole(p.arn ?? p.name),
    Timeline: dailyTimeline(await deps.queries.hourItems(p.subject, from, to), days),
  }));
}

async function topInstances(deps: ProfileDependencies, indexes: readonly HourIndex[], request: SummaryRequest) {
  const hoursSeen = new Map<string, number>();
  for (const index of indexes) for (const id of Object.keys(index.instances)) hoursSeen.set(id, (hoursSeen.get(id) ?? 0) + 1);
  const candidates = [...hoursSeen].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, SUMMARY_MAX_INSTANCES).map(([id]) => id);
  // All at once: instances that share a role (an auto-scaling group) share the reads of its hours and events.
  const read = candidates.length === 0 ? [] : await deps.queries.instancesCallCounts(candidates, request.from, request.to);
  return read
    .filter((a) => a.calls > 0)
    .sort((a, b) => b.calls - a.calls || a.instanceId.localeCompare(b.instanceId))
    .slice(0, SUMMARY_TOP)
    .map((a) => ({ InstanceId: a.instanceId, Roles: [...new Set(a.sessions.map((s) => s.issuerArn))].sort(), Sessions: a.sessions.length, Calls: a.calls, FailedCalls: a.failures }));
}

/** Investigations created in the window, by severity and by status (the byCreatedTime index, paged). */
async function investigationCounts(deps: ProfileDependencies, request: SummaryRequest) {
  const bySeverity: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let total = 0;
  let after: ListPosition | undefined;
  const endInclusive = new Date(Date.parse(request.to) - 1).toISOString();
  do {
    const page = await deps.investigations.listInvestigations({ filter: { createdTime: { startInclusive: request.from, endInclusive } }, sort: { field: 'CREATED_TIME', order: 'DESC' }, maxResults: 100, ...(after ? { after } : {}) });
    for (const investigation of page.items) {
      total++;
      if (investigation.severity) bySeverity[investigation.severity] = (bySeverity[investigation.severity] ?? 0) + 1;
      byStatus[investigation.status] = (byStatus[investigation.status] ?? 0) + 1;
    }
    after = page.next;
  } while (after);
  return { Total: total, BySeverity: bySeverity, ByStatus: byStatus };
}

/**
 * Geolocations of the window never seen by the account in its baseline (account-wide hourly items: the window's
 * ≤ 24 and the baseline's, read once per account, and only when the baseline is mature).
 */
async function newGeolocations(deps: ProfileDependencies, accounts: readonly string[], request: SummaryRequest) {
  const baseline = baselineWindow(request.from, deps.config.baselineDays);
  const perAccount = await mapWithConcurrency(accounts, 4, async (accountId) => {
    const subject = subjectOfAccount(accountId);
    const dataFrom = await deps.queries.firstHour(subject, baseline.from, request.from);
    if (!baselineIsMature(request.from, dataFrom, deps.config.minBaselineDays)) return { accountId, mature: false, found: [] };
    const [scope, before] = await Promise.all([deps.queries.hourItems(subject, request.from, request.to), deps.queries.activityItems(subject, baseline.from, request.from)]);
    const { geolocations } = newnessIndicators({ scope: sumActivity(scope), baseline: sumActivity(before), geo: deps.geo, options: deps.config.newness });
    return { accountId, mature: true, found: geolocations.map((i) => ({ ...i.IndicatorDetail.NewGeolocationDetail, AccountId: accountId })) };
  });
  return {
    BaselineStartTime: baseline.from,
    AccountsWithoutMatureBaseline: perAccount.filter((a) => !a.mature).map((a) => a.accountId),
    Geolocations: perAccount.flatMap((a) => a.found),
  };
}

async function findingGroups(deps: ProfileDependencies, principals: readonly IndexedPrincipal[], request: SummaryRequest) {
  const withArn = principals.filter((p) => p.arn);
  const panels = await mapWithConcurrency(withArn, 4, (p) => findingsPanel(deps, p.arn as string, request.from, request.to, []));
  return [...new Map(panels.flatMap((p) => p.RelatedFindingGroups).map((g) => [g.Id, g])).values()];
}

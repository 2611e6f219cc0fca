import { subjectOfSession } from '../cloudtrail/activity';
import type { SessionView } from '../queries/session-view';
import type { ActivityItem } from '../model/items';
import type { CompactEvent } from './compact-event';
import { aggregateEvents, sessionCountsOf, type SubjectMeta } from './hour-aggregate';
import { hourStartMs, hourWithin } from './hours';

/**
 * Exact scopes: an hour item covers its whole hour, so where a scope edge cuts an hour the reader folds only
 * the events inside [from, to) with the compactor's own rules. Sessions are read the same way, from the
 * events of the principal that the session belongs to.
 */
export function eventsWithin(hour: string, events: readonly CompactEvent[], fromMs: number, toMs: number): CompactEvent[] {
  const start = hourStartMs(hour);
  return events.filter((event) => start + event.t >= fromMs && start + event.t < toMs);
}

export function metaOf(item: ActivityItem): SubjectMeta {
  return {
    subject: item.subject,
    principalType: item.principalType,
    principalName: item.principalName,
    ...(item.principalArn ? { principalArn: item.principalArn } : {}),
    ...(item.issuerArn ? { issuerArn: item.issuerArn } : {}),
  };
}

/** The item's activity cut to [from, to), with the same fields as a stored item. */
export function cutItem(item: ActivityItem, events: readonly CompactEvent[], fromMs: number, toMs: number): ActivityItem {
  const aggregate = aggregateEvents(metaOf(item), item.hour, eventsWithin(item.hour, events, fromMs, toMs));
  return { ...aggregate, slot: item.slot, accountId: item.accountId, expiresAt: item.expiresAt };
}

function groupBy(events: readonly CompactEvent[], key: (event: CompactEvent) => string | undefined): Map<string, CompactEvent[]> {
  const groups = new Map<string, CompactEvent[]>();
  for (const event of events) {
    const name = key(event);
    if (name === undefined) continue;
    const list = groups.get(name) ?? [];
    list.push(event);
    groups.set(name, list);
  }
  return groups;
}

/**
 * One aggregate per source address of the hour's calls in [from, to): an aggregate keeps API counts and
 * source addresses as two maps, so only a single-source aggregate says which address called which API.
 * Analyses that attribute calls to addresses (TTPs, flagged IPs, travel) read activity this way.
 */
export function splitBySource(item: ActivityItem, events: readonly CompactEvent[], fromMs: number, toMs: number): ActivityItem[] {
  return [...groupBy(eventsWithin(item.hour, events, fromMs, toMs), (event) => event.i ?? '')].map(([, list]) => ({
    ...aggregateEvents(metaOf(item), item.hour, list),
    slot: item.slot,
    accountId: item.accountId,
    expiresAt: item.expiresAt,
  }));
}

/** Per session, hour (and source address, with `bySource`): the calls made with each of `sessions` among a principal's events of the hour. */
export function sessionItems(item: ActivityItem, events: readonly CompactEvent[], sessions: ReadonlyMap<string, SessionView>, fromMs: number, toMs: number, bySource = false): ActivityItem[] {
  const groups = groupBy(eventsWithin(item.hour, events, fromMs, toMs), (event) => (event.s && sessions.has(event.s) ? `${event.s}\u0000${bySource ? (event.i ?? '') : ''}` : undefined));
  return [...groups].map(([key, list]) => {
    const sessionId = key.slice(0, key.indexOf('\u0000'));
    const meta: SubjectMeta = { ...metaOf(item), subject: subjectOfSession(sessionId), issuerArn: sessions.get(sessionId)?.issuerArn ?? item.principalArn ?? item.subject };
    return { ...aggregateEvents(meta, item.hour, list), slot: item.slot, accountId: item.accountId, expiresAt: item.expiresAt };
  });
}

/** The principal keys under which calls made with a session are stored (see actorPrincipal). */
export function principalKeysOfSession(session: SessionView): string[] {
  switch (session.kind) {
    case 'assumed-role':
      return [`role#${session.issuerArn}`];
    case 'federated-user':
      return session.sessionArn ? [`federated-user#${session.sessionArn}`] : [];
    case 'session-token':
      return [`iam-user#${session.issuerArn}`, `root#${session.issuerArn}`];
    case 'root-session':
      return session.accountId ? [`root#arn:aws:iam::${session.accountId}:root`] : [];
    default:
      return [];
  }
}

/**
 * Sessions grouped by the principal key whose items hold their calls (principalKeysOfSession): the calls of a
 * set of sessions are read principal by principal, one Query of its hours for all its sessions.
 */
export function sessionsByPrincipal(sessions: readonly SessionView[]): Map<string, Map<string, SessionView>> {
  const byPrincipal = new Map<string, Map<string, SessionView>>();
  for (const session of sessions) {
    for (const key of principalKeysOfSession(session)) {
      const group = byPrincipal.get(key) ?? new Map<string, SessionView>();
      group.set(session.sessionId, session);
      byPrincipal.set(key, group);
    }
  }
  return byPrincipal;
}

/**
 * The earliest creation of a group's sessions: none of their calls precedes it. 0 (no bound) when a session's
 * creation time is not a valid instant, so that its calls are never missed.
 */
export function earliestCreation(group: ReadonlyMap<string, SessionView>): number {
  let min = Infinity;
  for (const session of group.values()) min = Math.min(min, Date.parse(session.createdAt) || 0);
  return Number.isFinite(min) ? min : 0;
}

/** One stored item of a subject's hour and its compact events. */
export interface HourPart {
  item: ActivityItem;
  events: readonly CompactEvent[];
}

/**
 * Merges the items several accounts' trails stored for one subject and hour into one, counting each call once:
 * the copies of one action that CloudTrail delivers to two accounts (the caller's and the resource or role
 * owner's) share a `sharedEventID`, and only the first copy counts (parts in account order, so the result does
 * not depend on read order). The merged item names the principal's own account when one of the parts is it.
 */
export function mergeHourParts(parts: readonly HourPart[], homeAccountId?: string): HourPart {
  const sorted = [...parts].sort((a, b) => rank(a, homeAccountId) - rank(b, homeAccountId) || a.item.accountId.localeCompare(b.item.accountId));
  const shared = new Set<string>();
  const events: CompactEvent[] = [];
  for (const part of sorted) {
    for (const event of part.events) {
      if (event.d !== undefined) {
        if (shared.has(event.d)) continue;
        shared.add(event.d);
      }
      events.push(event);
    }
  }
  const first = sorted[0].item;
  const aggregate = aggregateEvents(metaOf(first), first.hour, events);
  return { item: { ...aggregate, slot: first.slot, accountId: first.accountId, expiresAt: Math.max(...sorted.map((p) => p.item.expiresAt)) }, events };
}

function rank(part: HourPart, homeAccountId: string | undefined): number {
  return part.item.accountId === homeAccountId ? 0 : 1;
}

export interface SessionCounts {
  calls: number;
  failures: number;
}

/**
 * Whether an item alone gives its sessions' calls and failures in [fromMs, toMs): its hour lies inside the
 * scope, and it itemises every session's calls and failures (nothing trimmed, and written with the failures:
 * sessionCountsOf).
 */
export function countsSessionsAlone(item: ActivityItem, fromMs: number, toMs: number): boolean {
  return hourWithin(item.hour, fromMs, toMs) && !item.overflow?.sessions && !item.overflow?.sessionFailures && sessionCountsOf(item) !== undefined;
}

/**
 * Adds the calls and failures made with each of `sessions` in [fromMs, toMs) in one principal-hour: from the
 * item's maps when it counts them alone (countsSessionsAlone), else from its `events`.
 */
export function addSessionCounts(into: Map<string, SessionCounts>, item: ActivityItem, events: readonly CompactEvent[] | undefined, sessions: ReadonlySet<string> | ReadonlyMap<string, unknown>, fromMs: number, toMs: number): void {
  const add = (id: string, calls: number, failures: number) => {
    const counts = into.get(id) ?? { calls: 0, failures: 0 };
    counts.calls += calls;
    counts.failures += failures;
    into.set(id, counts);
  };
  if (events === undefined) {
    const itemised = countsSessionsAlone(item, fromMs, toMs) ? sessionCountsOf(item) : undefined;
    if (!itemised) throw new Error(`the sessions of ${item.subject} at ${item.hour} need its events`);
    for (const [id, counts] of itemised) if (sessions.has(id)) add(id, counts.calls, counts.failures);
    return;
  }
  for (const event of eventsWithin(item.hour, events, fromMs, toMs)) if (event.s && sessions.has(event.s)) add(event.s, 1, event.e !== undefined ? 1 : 0);
}

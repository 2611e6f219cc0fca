import { subjectOfSession } from '../cloudtrail/activity';
import type { SessionView } from '../queries/session-view';
import type { ActivityItem } from '../model/items';
import type { CompactEvent } from './compact-event';
import { aggregateEvents, type SubjectMeta } from './hour-aggregate';
import { hourStartMs } from './hours';

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
  return { ...aggregate, accountId: item.accountId, expiresAt: item.expiresAt };
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
    return { ...aggregateEvents(meta, item.hour, list), accountId: item.accountId, expiresAt: item.expiresAt };
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

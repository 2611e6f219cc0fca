import { normalizeRoleArn } from '../core/cloudtrail/arn';
import { subjectOfAccount } from '../core/cloudtrail/activity';
import type { GraphEntity } from '../core/graph/entity-types';
import type { EvidenceCall } from '../core/graph/evidence';
import type { ActivityItem } from '../core/model/items';
import { callsCountedUnderIssuer, viaLabel } from '../core/queries/entity-activity';
import type { SessionView } from '../core/queries/session-view';
import type { CompactEvent } from '../core/storage/compact-event';
import { HOUR_MS, hourStartMs } from '../core/storage/hours';
import { earliestCreation, sessionsByPrincipal } from '../core/storage/scope-cut';
import { mapWithConcurrency } from '../shared/concurrency';
import type { TrailQueries } from './trail-queries';

/** Reads in flight at once (as TrailQueries). */
const CONCURRENT_READS = 16;

/**
 * Where an entity's calls are stored: principal subjects, each optionally narrowed to some sessions' calls
 * (a role session's calls are among its role's, an instance's among its instance-profile roles'). Reading
 * them costs the entity's own hours: each subject's hour items in the scope (one Query) and, where events
 * are needed, one ranged GET per subject and hour.
 */
export interface CallSource {
  subject: string;
  /** Only the calls made with these sessions (temporary access key ids); all the subject's calls when undefined. */
  sessions?: ReadonlyMap<string, SessionView>;
  /** Calls through these sessions are labelled with the session (see viaLabel): a user's chained role sessions. */
  labelled?: boolean;
  /** No call of these sessions precedes this instant: hours before it are not read. */
  notBefore?: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The sources of sessions' calls, grouped by the principal whose items hold them. */
function sourcesOfSessions(sessions: readonly SessionView[], labelled = false): CallSource[] {
  return [...sessionsByPrincipal(sessions)].map(([subject, group]) => ({ subject, sessions: group, labelled, notBefore: earliestCreation(group) - HOUR_MS }));
}

/** The call sources of a graph entity in [from, to). */
export async function callSourcesOf(queries: TrailQueries, entity: GraphEntity, from: string, to: string): Promise<CallSource[]> {
  switch (entity.type) {
    case 'IAM_ROLE':
      return [{ subject: `role#${normalizeRoleArn(entity.id) ?? entity.id}` }];
    case 'IAM_USER':
      return [{ subject: `iam-user#${entity.id}` }];
    case 'AWS_ACCOUNT':
      return [{ subject: subjectOfAccount(entity.id) }];
    case 'ROLE_SESSION': {
      // arn:<partition>:sts::<account>:assumed-role/<role>/<session name>: the role's sessions of that name.
      const name = entity.id.split('/').pop();
      const sessions = await queries.sessionsOfIssuer(normalizeRoleArn(entity.id) ?? entity.id, from, to);
      return sourcesOfSessions(sessions.filter((s) => s.sessionName === name));
    }
    case 'EC2_INSTANCE':
      return sourcesOfSessions(await queries.sessionsFromOrigin(`ec2-instance#${entity.id}`, from, to));
  }
}

/**
 * The call sources of an investigation's entity, as its stages read it: a role's calls through its sessions
 * used in scope; a user's own calls, plus those of the role sessions it started (directly or chained),
 * labelled with the session they came through (core/queries/entity-activity).
 */
export async function investigationSourcesOf(queries: TrailQueries, entityType: 'IAM_ROLE' | 'IAM_USER', entityArn: string, from: string, to: string): Promise<CallSource[]> {
  if (entityType === 'IAM_ROLE') {
    const role = normalizeRoleArn(entityArn) ?? entityArn;
    const sessions = await queries.sessionsOfRole(role, from, to);
    return [{ subject: `role#${role}`, sessions: new Map(sessions.map((s) => [s.sessionId, s])) }];
  }
  const subject = `iam-user#${entityArn}`;
  const started = await queries.sessionsFromOrigin(subject, from, to);
  // Session tokens and console sessions are logged as the user itself: those calls are already the user's own.
  return [{ subject }, ...sourcesOfSessions(started.filter((s) => !callsCountedUnderIssuer(s)), true)];
}

/** An hour item whose calls of the source's sessions may exist (a complete session list that names none needs no read). */
function mayHoldSessions(item: ActivityItem, sessions: ReadonlyMap<string, SessionView> | undefined): boolean {
  if (!sessions) return true;
  if ((item.overflow?.sessions ?? 0) > 0) return true;
  for (const id of sessions.keys()) if (item.sessions?.[id] !== undefined) return true;
  return false;
}

export interface SourceHour {
  source: CallSource;
  item: ActivityItem;
}

/**
 * The hour items of the sources in [from, to), merged across the accounts that recorded them (each call once,
 * as every other reader counts). For volumes.
 */
export async function mergedHours(queries: TrailQueries, sources: readonly CallSource[], from: string, to: string): Promise<SourceHour[]> {
  const perSource = await mapWithConcurrency(sources, CONCURRENT_READS, async (source) => {
    const start = source.notBefore !== undefined ? iso(Math.max(Date.parse(from), source.notBefore)) : from;
    const items = Date.parse(start) < Date.parse(to) ? await queries.hourItems(source.subject, start, to) : [];
    return items.filter((item) => mayHoldSessions(item, source.sessions)).map((item) => ({ source, item }));
  });
  return perSource.flat();
}

/** The events of one source-hour that belong to the source (its sessions', when it names some). */
export function ownEvents(source: CallSource, events: readonly CompactEvent[]): CompactEvent[] {
  const { sessions } = source;
  return sessions ? events.filter((e) => e.s !== undefined && sessions.has(e.s)) : [...events];
}

function principalOf(item: ActivityItem): string {
  return item.principalArn ?? item.principalName ?? item.subject;
}

/**
 * Every call of the sources in [fromMs, toMs), each with the account-hour whose log objects hold its record.
 * Reads each stored item (not merged: a compact event's object index is relative to its own account-hour)
 * and, as merging does, counts the copies of one action delivered to several accounts once.
 */
export async function callsOf(queries: TrailQueries, sources: readonly CallSource[], fromMs: number, toMs: number): Promise<EvidenceCall[]> {
  const to = iso(toMs);
  const perSource = await mapWithConcurrency(sources, CONCURRENT_READS, async (source) => {
    const start = source.notBefore !== undefined ? Math.max(fromMs, source.notBefore) : fromMs;
    if (start >= toMs) return [];
    const items = (await queries.storedHourItems(source.subject, iso(start), to)).filter((item) => mayHoldSessions(item, source.sessions));
    const home = /:(\d{12}):/.exec(source.subject)?.[1];
    items.sort((a, b) => a.hour.localeCompare(b.hour) || Number(b.accountId === home) - Number(a.accountId === home) || a.accountId.localeCompare(b.accountId));
    const read = await mapWithConcurrency(items, CONCURRENT_READS, async (item) => ({ item, events: await queries.eventsOfItem(item) }));
    const calls: EvidenceCall[] = [];
    const shared = new Map<string, Set<string>>();
    for (const { item, events } of read) {
      const seen = shared.get(item.hour) ?? new Set<string>();
      shared.set(item.hour, seen);
      const hourStart = hourStartMs(item.hour);
      for (const event of ownEvents(source, events)) {
        const time = hourStart + event.t;
        if (time < fromMs || time >= toMs) continue;
        if (event.d !== undefined) {
          if (seen.has(event.d)) continue;
          seen.add(event.d);
        }
        const session = source.labelled && event.s ? source.sessions?.get(event.s) : undefined;
        calls.push({ event, accountId: item.accountId, hour: item.hour, hourStart, principal: principalOf(item), ...(session ? { via: viaLabel(session) } : {}) });
      }
    }
    return calls;
  });
  // One call can reach two sources (a session-token session's principal keys); keep it once.
  const unique = new Map<string, EvidenceCall>();
  for (const call of perSource.flat()) unique.set(`${call.accountId}\u0000${call.event.id}`, call);
  return [...unique.values()];
}

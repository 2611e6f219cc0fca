import type { SessionView } from '../../core/queries/session-view';
import type { EntityGraphReads } from './graph-reads';

/** A session's calls in a scope, and when the first and last of them were made (epoch ms). */
export interface SessionCalls {
  calls: number;
  failures: number;
  first: number;
  last: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Calls made with each session in the scope, exact (TrailQueries.sessionActivity cuts at the edges), by session id. */
export async function sessionCalls(reads: EntityGraphReads, sessions: readonly SessionView[], scope: { fromMs: number; toMs: number }): Promise<Map<string, SessionCalls>> {
  const stats = new Map<string, SessionCalls>();
  if (sessions.length === 0) return stats;
  for (const item of await reads.sessionActivity(sessions, iso(scope.fromMs), iso(scope.toMs))) {
    const id = item.subject.slice(item.subject.indexOf('#') + 1);
    const s = stats.get(id) ?? { calls: 0, failures: 0, first: Infinity, last: -Infinity };
    s.calls += item.total;
    s.failures += item.failures;
    if (item.total > 0) {
      s.first = Math.min(s.first, Date.parse(item.firstEvent));
      s.last = Math.max(s.last, Date.parse(item.lastEvent));
    }
    stats.set(id, s);
  }
  return stats;
}

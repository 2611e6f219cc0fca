import type { ApiCounts } from '../cloudtrail/activity';
import type { ActivityItem } from '../model/items';
import type { SessionView } from './session-view';

/**
 * The activity an investigation of one entity covers, with each part saying which session or role it came
 * through. An IAM user's investigation covers the user's own calls AND every call made through the role
 * sessions it started, directly or by chaining (Detective's "role sessions" of a user): an attacker who
 * assumes a role to call GetPasswordData did call GetPasswordData.
 *
 * Calls made with a user's own temporary credentials (console sessions, GetSessionToken, credentials AWS
 * services use on the user's behalf) are aggregated twice at ingestion: under the user and under the
 * session. Each call must appear once, and a session's aggregate usually has a single source (where the
 * user's mixes its access key with `AWS Internal` and service names), so the user's items are read minus
 * those sessions' items of the same hour, and the sessions' items are read on their own.
 */
export interface EntityActivity extends ActivityItem {
  /** For calls made through a chained role session: which role and session, for the report. */
  via?: string;
}

/** Session kinds whose calls CloudTrail logs with the user's own identity (type IAMUser), i.e. counted under the user. */
export function callsCountedUnderIssuer(session: Pick<SessionView, 'kind'>): boolean {
  return session.kind !== 'assumed-role' && session.kind !== 'federated-user';
}

/** `role Name (session name)`, `federated user name`: how a chained session is named in an indicator. */
export function viaLabel(session: Pick<SessionView, 'kind' | 'issuerName' | 'sessionName' | 'sessionId'>): string {
  const name = session.sessionName ?? session.sessionId;
  if (session.kind === 'federated-user') return `federated user ${name}`;
  return `role ${session.issuerName} (session ${name})`;
}

function minusCounts(from: Record<string, number> | undefined, parts: readonly (Record<string, number> | undefined)[]): Record<string, number> {
  const result: Record<string, number> = { ...(from ?? {}) };
  for (const part of parts) for (const [key, value] of Object.entries(part ?? {})) if (key in result) result[key] -= value;
  return Object.fromEntries(Object.entries(result).filter(([, value]) => value > 0));
}

function minusApis(from: Record<string, ApiCounts>, parts: readonly Record<string, ApiCounts>[]): Record<string, ApiCounts> {
  const result: Record<string, ApiCounts> = {};
  for (const [api, counts] of Object.entries(from ?? {})) result[api] = { ...counts };
  for (const part of parts) {
    for (const [api, counts] of Object.entries(part ?? {})) {
      const into = result[api];
      if (!into) continue;
      into.calls -= counts.calls;
      into.failures -= counts.failures;
    }
  }
  return Object.fromEntries(Object.entries(result).filter(([, c]) => c.calls > 0).map(([api, c]) => [api, { calls: c.calls, failures: Math.max(0, c.failures) }]));
}

/**
 * `item` without the calls of `parts` (items of the same hour for subjects whose calls are
 * also in `item`); undefined when nothing is left. Overflowed maps stay marked as overflowed.
 */
export function subtractActivity(item: ActivityItem, parts: readonly ActivityItem[]): ActivityItem | undefined {
  if (parts.length === 0) return item;
  const total = item.total - parts.reduce((sum, part) => sum + part.total, 0);
  if (total <= 0) return undefined;
  return {
    ...item,
    total,
    failures: Math.max(0, item.failures - parts.reduce((sum, part) => sum + part.failures, 0)),
    apis: minusApis(item.apis, parts.map((p) => p.apis)),
    errorCodes: minusCounts(item.errorCodes, parts.map((p) => p.errorCodes)),
    sourceIps: minusCounts(item.sourceIps, parts.map((p) => p.sourceIps)),
    userAgents: minusCounts(item.userAgents, parts.map((p) => p.userAgents)),
    resources: minusCounts(item.resources, parts.map((p) => p.resources)),
    regions: minusCounts(item.regions, parts.map((p) => p.regions)),
  };
}

export interface EntityActivityInput {
  /** The entity's own items (its principal subject). */
  ownItems: readonly ActivityItem[];
  /** Sessions started by the entity, directly or through chains, with their items. */
  sessions: readonly { session: SessionView; items: readonly ActivityItem[] }[];
}

/** Items are read per hour and source address: a session's slice is subtracted from the user's same slice. */
function sliceOf(item: ActivityItem): string {
  return `${item.hour}|${Object.keys(item.sourceIps ?? {}).sort().join(',')}`;
}

/** A user's activity: its own calls once, plus every chained session's calls labelled with the session (see the module comment). */
export function userActivity(input: EntityActivityInput): EntityActivity[] {
  const ownSessionItems = new Map<string, ActivityItem[]>();
  const result: EntityActivity[] = [];
  for (const { session, items } of input.sessions) {
    const own = callsCountedUnderIssuer(session);
    for (const item of items) {
      if (own) {
        const group = ownSessionItems.get(sliceOf(item)) ?? [];
        group.push(item);
        ownSessionItems.set(sliceOf(item), group);
        result.push(item);
      } else {
        result.push({ ...item, via: viaLabel(session) });
      }
    }
  }
  for (const item of input.ownItems) {
    const rest = subtractActivity(item, ownSessionItems.get(sliceOf(item)) ?? []);
    if (rest) result.push(rest);
  }
  return result;
}

import type { Principal } from '../cloudtrail/principal';
import type { SessionView } from '../queries/session-view';

/**
 * Small pure helpers of the graph panels: service-linked roles (hideable in the summary, as in Detective),
 * the users of a role from its sessions, and per-day timelines.
 */

/** Service-linked roles live under the path `/aws-service-role/`, and are named AWSServiceRoleFor*. */
export function isServiceLinkedRole(arnOrName: string): boolean {
  return arnOrName.includes(':role/aws-service-role/') || /(^|\/)AWSServiceRoleFor[^/]*$/.test(arnOrName);
}

export interface SessionWithRootLike extends SessionView {
  root?: Principal;
  chainDepth: number;
}

export interface RoleUserPanel {
  Principal: string;
  PrincipalType: string;
  PrincipalArn?: string;
  Accounts: string[];
  Sessions: number;
  Direct: boolean;
  ViaRoleChain: boolean;
  FirstSession: string;
  LastSession: string;
}

/**
 * Who used a role: the root principal behind each of its sessions, directly (chain depth 0) or through a
 * chain, with the accounts the calls came from. The same logic as TrailQueries.principalsUsingRole, over
 * sessions already read (the profile has them), so the role's packs are read once.
 */
export function roleUsers(sessions: readonly SessionWithRootLike[]): RoleUserPanel[] {
  const users = new Map<string, RoleUserPanel>();
  for (const session of sessions) {
    const key = session.root?.key ?? `unresolved#${session.sessionId}`;
    let user = users.get(key);
    if (!user) {
      user = {
        Principal: session.root?.name ?? `unknown caller of ${session.sessionId}`,
        PrincipalType: session.root?.type ?? 'unresolved',
        ...(session.root?.arn ? { PrincipalArn: session.root.arn } : {}),
        Accounts: [],
        Sessions: 0,
        Direct: false,
        ViaRoleChain: false,
        FirstSession: session.createdAt,
        LastSession: session.createdAt,
      };
      users.set(key, user);
    }
    user.Sessions++;
    if (session.chainDepth > 0) user.ViaRoleChain = true;
    else user.Direct = true;
    if (session.createdAt < user.FirstSession) user.FirstSession = session.createdAt;
    if (session.createdAt > user.LastSession) user.LastSession = session.createdAt;
    const account = session.caller?.accountId ?? session.root?.accountId;
    if (account && !user.Accounts.includes(account)) user.Accounts.push(account);
  }
  return [...users.values()].sort((a, b) => b.Sessions - a.Sessions || a.Principal.localeCompare(b.Principal));
}

/** The `days` UTC days ending with the day of `endIso` (exclusive end: an end at midnight belongs to the day before). */
export function daysEndingAt(endIso: string, days: number): string[] {
  const last = Date.parse(endIso) - 1;
  return Array.from({ length: days }, (_, i) => new Date(last - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** Per-day calls and failures of hourly counts, one entry per day asked for (zero when idle). */
export function dailyTimeline(hours: readonly { hour: string; total: number; failures: number }[], days: readonly string[]): { Day: string; Calls: number; FailedCalls: number }[] {
  const byDay = new Map(days.map((day) => [day, { Day: day, Calls: 0, FailedCalls: 0 }]));
  for (const hour of hours) {
    const entry = byDay.get(hour.hour.slice(0, 10));
    if (!entry) continue;
    entry.Calls += hour.total;
    entry.FailedCalls += hour.failures;
  }
  return [...byDay.values()];
}

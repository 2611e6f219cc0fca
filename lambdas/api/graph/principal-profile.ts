import { isIpAddress } from '../../core/analysis';
import { normalizeRoleArn, parseArn } from '../../core/cloudtrail/arn';
import { roleUsers } from '../../core/graph/principals';
import { hourlyVolume, sumActivity } from '../../core/queries/activity-totals';
import type { SessionView } from '../../core/queries/session-view';
import type { ProfileDependencies } from './dependencies';
import { newBehaviourPanel } from './new-behaviour';
import { findingsPanel, investigationsPanel, sessionPanel, volumePanel } from './panels';

/**
 * The profile of an IAM role or user: API call volume (success and failure per hour), role sessions and
 * chains, who used the role (or which roles the user assumed), new behaviour against the baseline, related
 * findings and investigations. Reads: the principal's hourly items in scope, its sessions' packs, the
 * baseline once, the findings and investigations indexes.
 */
export async function principalProfile(deps: ProfileDependencies, type: 'IAM_ROLE' | 'IAM_USER', arn: string, from: string, to: string) {
  const accountId = parseArn(arn)?.accountId as string;
  const entityArn = type === 'IAM_ROLE' ? (normalizeRoleArn(arn) ?? arn) : arn;
  const subject = type === 'IAM_ROLE' ? `role#${entityArn}` : `iam-user#${arn}`;
  const items = await deps.queries.activityItems(subject, from, to);
  const totals = sumActivity(items);
  const ips = Object.keys(totals.sourceIps).filter(isIpAddress);
  const [sessionPanels, behaviour, findings, investigations] = await Promise.all([
    type === 'IAM_ROLE' ? roleSessions(deps, entityArn, from, to) : userSessions(deps, subject, from, to),
    newBehaviourPanel(deps, subject, accountId, from, to, totals),
    findingsPanel(deps, entityArn, from, to, ips),
    investigationsPanel(deps, entityArn),
  ]);
  return { ApiCallVolume: volumePanel(totals, hourlyVolume(items)), ...sessionPanels, NewBehavior: behaviour, ...findings, Investigations: investigations };
}

async function roleSessions(deps: ProfileDependencies, roleArn: string, from: string, to: string) {
  const sessions = await deps.queries.sessionsOfRole(roleArn, from, to);
  return { RoleSessions: sessions.map(sessionPanel), RoleUsers: roleUsers(sessions) };
}

/** Depth of each session in the chains started by the user (0: assumed with the user's own credentials). */
function depths(sessions: readonly SessionView[]): Map<string, number> {
  const byId = new Map(sessions.map((s) => [s.sessionId, s]));
  const depth = new Map<string, number>();
  const of = (s: SessionView, seen: Set<string>): number => {
    const known = depth.get(s.sessionId);
    if (known !== undefined) return known;
    const parent = s.parentSessionId ? byId.get(s.parentSessionId) : undefined;
    const value = parent && !seen.has(parent.sessionId) ? 1 + of(parent, seen.add(s.sessionId)) : 0;
    depth.set(s.sessionId, value);
    return value;
  };
  for (const s of sessions) of(s, new Set());
  return depth;
}

async function userSessions(deps: ProfileDependencies, subject: string, from: string, to: string) {
  const sessions = await deps.queries.sessionsFromOrigin(subject, from, to);
  const depth = depths(sessions);
  const roles = new Map<string, { RoleArn: string; Sessions: number; Direct: boolean; ViaRoleChain: boolean; CallsSeen: number }>();
  for (const s of sessions) {
    let role = roles.get(s.issuerArn);
    if (!role) roles.set(s.issuerArn, (role = { RoleArn: s.issuerArn, Sessions: 0, Direct: false, ViaRoleChain: false, CallsSeen: 0 }));
    role.Sessions++;
    role.CallsSeen += s.eventCount;
    if ((depth.get(s.sessionId) ?? 0) > 0) role.ViaRoleChain = true;
    else role.Direct = true;
  }
  return {
    RoleSessions: sessions.map((s) => sessionPanel({ ...s, chainDepth: depth.get(s.sessionId) ?? 0 })),
    AssumedRoles: [...roles.values()].sort((a, b) => a.RoleArn.localeCompare(b.RoleArn)),
  };
}

import { normalizeRoleArn, parseArn } from '../core/cloudtrail/arn';
import { subjectOfAccount } from '../core/cloudtrail/activity';
import { baselineIsMature, baselineWindow } from '../core/analysis';
import type { InvestigationExecutionInput } from '../core/investigation/model';
import type { SessionView } from '../core/queries/session-view';
import { stageDependencies, type ResolvedScope, type StageDependencies } from './stage-context';
import { stageHandler } from './stage-handler';

/**
 * Stage 1: resolves the entity to its activity subject and its role sessions (for a role: every session of
 * the role and who is behind it; for a user: the sessions it started, through chains), and fixes the
 * baseline window that the "new behaviour" analysis compares against.
 */
export async function resolveScope(input: InvestigationExecutionInput, deps: StageDependencies): Promise<ResolvedScope> {
  const accountId = parseArn(input.entityArn)?.accountId;
  if (!accountId) throw new Error(`EntityArn ${input.entityArn} names no account`);
  const { scopeStartTime: from, scopeEndTime: to } = input;
  let principalKey: string;
  let sessions: SessionView[];
  const roots = new Set<string>();
  if (input.entityType === 'IAM_ROLE') {
    const roleArn = normalizeRoleArn(input.entityArn) ?? input.entityArn;
    principalKey = `role#${roleArn}`;
    const withRoots = await deps.queries.sessionsOfRole(roleArn, from, to);
    for (const session of withRoots) roots.add(session.root ? `${session.root.type}:${session.root.name}` : 'unresolved');
    sessions = withRoots;
  } else {
    principalKey = `iam-user#${input.entityArn}`;
    sessions = await deps.queries.sessionsFromOrigin(principalKey, from, to);
    roots.add(`iam-user:${input.entityArn.split('/').pop()}`);
  }
  const baseline = baselineWindow(from, deps.config.baselineDays);
  // Maturity needs only the earliest data in the baseline: one key read, not the baseline itself.
  const dataFrom = await deps.queries.firstHour(subjectOfAccount(accountId), baseline.from, from);
  return {
    principalKey,
    accountSubject: subjectOfAccount(accountId),
    accountId,
    baselineStartTime: baseline.from,
    baselineEndTime: baseline.to,
    baselineMature: baselineIsMature(from, dataFrom, deps.config.minBaselineDays),
    sessionCount: sessions.length,
    sessionsWithoutCreationEvent: sessions.filter((s) => !s.creationEventSeen).length,
    rootPrincipals: [...roots].sort().slice(0, 50),
  };
}

export const handler = stageHandler('ResolveScope', (input: InvestigationExecutionInput) => resolveScope(input, stageDependencies()));

import { normalizeRoleArn } from '../core/cloudtrail/arn';
import { subjectOfSession } from '../core/cloudtrail/activity';
import { analyzeImpossibleTravel } from '../core/analysis';
import type { ActivityItem } from '../core/model/items';
import type { SessionView } from '../core/queries/session-view';
import { countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';

/**
 * Stage: IMPOSSIBLE_TRAVEL. Each traveller is one session (a role's sessions legitimately run in several
 * places at once) or the IAM user itself; consecutive locations of one traveller are compared.
 */
const CONCURRENT_READS = 8;

async function inBatches<T, R>(values: readonly T[], size: number, fn: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < values.length; i += size) results.push(...(await Promise.all(values.slice(i, i + size).map(fn))));
  return results;
}

export async function impossibleTravel(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const { scopeStartTime: from, scopeEndTime: to } = input;
  let sessions: SessionView[] = [];
  let activity: ActivityItem[];
  if (input.entityType === 'IAM_ROLE') {
    sessions = await deps.queries.sessionsOfRole(normalizeRoleArn(input.entityArn) ?? input.entityArn, from, to);
    activity = (await inBatches(sessions, CONCURRENT_READS, (s) => deps.queries.activityItems(subjectOfSession(s.sessionId), from, to))).flat();
  } else {
    // A user is one traveller; its console and MFA-token calls are already in its principal aggregates.
    activity = await deps.queries.activityItems(input.scope.principalKey, from, to);
  }
  const indicators = analyzeImpossibleTravel({
    activity,
    sessions: sessions.map((s) => ({ sessionId: s.sessionId, createdAt: s.createdAt, createdAtSource: s.createdAtSource, ...(s.sourceIp ? { sourceIp: s.sourceIp } : {}) })),
    geo: deps.geo,
    options: deps.config.impossibleTravel,
  });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'ImpossibleTravel', indicators: countByType(indicators) };
}

export const handler = (input: StageInput): Promise<StageResult> => impossibleTravel(input, stageDependencies());

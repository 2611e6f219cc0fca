import { analyzeImpossibleTravel } from '../core/analysis';
import { activityBySession, countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';

/**
 * Stage: IMPOSSIBLE_TRAVEL. Each traveller is one session (a role's sessions legitimately run in several
 * places at once) or the IAM user itself; consecutive locations of one traveller are compared.
 */
export async function impossibleTravel(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const { sessions, activity } = await activityBySession(input, deps);
  const indicators = analyzeImpossibleTravel({
    activity,
    sessions: sessions.map((s) => ({ sessionId: s.sessionId, createdAt: s.createdAt, createdAtSource: s.createdAtSource, ...(s.sourceIp ? { sourceIp: s.sourceIp } : {}) })),
    geo: deps.geo,
    options: deps.config.impossibleTravel,
  });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'ImpossibleTravel', indicators: countByType(indicators) };
}

export const handler = stageHandler('ImpossibleTravel', (input: StageInput) => impossibleTravel(input, stageDependencies()));

import { analyzeInstanceCredentialUse, analyzeTtps, consoleLoginsWithoutMfa } from '../core/analysis';
import { activityBySession, countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';

/**
 * Stage: API calls in scope mapped to MITRE ATT&CK tactics, techniques and procedures (TTP_OBSERVED).
 * A role's calls are read per session: a session's hourly item usually has one source address, so each
 * call can be attributed to its IP, where the role's own items mix all its sessions' sources. Also: console
 * sign-ins without MFA, and EC2 instance credentials used from an address other than the instance's.
 */
export async function ttpsObserved(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const { sessions, activity } = await activityBySession(input, deps);
  const indicators = [...analyzeTtps({ activity }), ...consoleLoginsWithoutMfa(activity), ...analyzeInstanceCredentialUse({ sessions, activity })];
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'TtpsObserved', indicators: countByType(indicators) };
}

export const handler = stageHandler('TtpsObserved', (input: StageInput) => ttpsObserved(input, stageDependencies()));

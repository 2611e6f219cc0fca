import { analyzeTtps } from '../core/analysis';
import { countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';

/** Stage: API calls in scope mapped to MITRE ATT&CK tactics, techniques and procedures (TTP_OBSERVED). */
export async function ttpsObserved(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const activity = await deps.queries.activityItems(input.scope.principalKey, input.scopeStartTime, input.scopeEndTime);
  const indicators = analyzeTtps({ activity });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'TtpsObserved', indicators: countByType(indicators) };
}

export const handler = (input: StageInput): Promise<StageResult> => ttpsObserved(input, stageDependencies());

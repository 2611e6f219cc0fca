import { analyzeFlaggedIps } from '../core/analysis';
import { sumActivity } from '../core/queries/activity-totals';
import { countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';

/** Stage: FLAGGED_IP_ADDRESS for source addresses in scope that the configured threat-intel lists name. */
export async function flaggedIps(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const totals = sumActivity(await deps.queries.activityItems(input.scope.principalKey, input.scopeStartTime, input.scopeEndTime));
  const { matcher } = await deps.threatIntel();
  const indicators = analyzeFlaggedIps({ sourceIps: Object.keys(totals.sourceIps), matcher });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'FlaggedIps', indicators: countByType(indicators) };
}

export const handler = stageHandler('FlaggedIps', (input: StageInput) => flaggedIps(input, stageDependencies()));

import { analyzeFlaggedIps, ipAddressCounts } from '../core/analysis';
import { sumActivity } from '../core/queries/activity-totals';
import { activityBySession, countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';

/** Stage: FLAGGED_IP_ADDRESS for source addresses in scope (a user's chained role sessions included) that the configured threat-intel lists name. */
export async function flaggedIps(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const totals = sumActivity((await activityBySession(input, deps)).activity);
  const { matcher } = await deps.threatIntel();
  const indicators = analyzeFlaggedIps({ sourceIps: Object.keys(ipAddressCounts(totals.sourceIps)), matcher });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'FlaggedIps', indicators: countByType(indicators) };
}

export const handler = stageHandler('FlaggedIps', (input: StageInput) => flaggedIps(input, stageDependencies()));

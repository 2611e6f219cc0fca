import { analyzeFlaggedIps, ipAddressCounts } from '../core/analysis';
import { sumActivity } from '../core/queries/activity-totals';
import { activityBySession, countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';
import { instanceFlowPeers } from '../queries/instance-flow-peers';

/**
 * Stage: FLAGGED_IP_ADDRESS for source addresses in scope (a user's chained role sessions included) that the
 * configured threat-intel lists name, and for the peers in the VPC flow logs of the instances the entity's
 * sessions ran on (an instance role's sessions name their instance).
 */
export async function flaggedIps(input: StageInput, deps: StageDependencies): Promise<StageResult> {
  const { sessions, activity } = await activityBySession(input, deps);
  const totals = sumActivity(activity);
  const { matcher } = await deps.threatIntel();
  const flowPeers = deps.flows ? (await instanceFlowPeers(deps.flows, sessions, input.scopeStartTime, input.scopeEndTime)).peers : [];
  const indicators = analyzeFlaggedIps({ sourceIps: [...Object.keys(ipAddressCounts(totals.sourceIps)), ...flowPeers], matcher });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'FlaggedIps', indicators: countByType(indicators) };
}

export const handler = stageHandler('FlaggedIps', (input: StageInput) => flaggedIps(input, stageDependencies()));

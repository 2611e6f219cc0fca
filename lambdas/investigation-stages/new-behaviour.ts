import { analyzeNewness } from '../core/analysis';
import { sumActivity } from '../core/queries/activity-totals';
import { countByType, stageDependencies, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';

/**
 * Stage: NEW_GEOLOCATION, NEW_ASO and NEW_USER_AGENT against the entity's baseline window, with
 * IsNewForEntireAccount from the account-wide activity of the same window. Skipped (no indicators) while
 * the baseline is immature, like Detective's training period: everything would look new.
 */
export interface NewBehaviourResult extends StageResult {
  skippedReason?: string;
}

export async function newBehaviour(input: StageInput, deps: StageDependencies): Promise<NewBehaviourResult> {
  const { scope } = input;
  if (!scope.baselineMature) {
    return { stage: 'NewBehaviour', indicators: {}, skippedReason: `less than ${deps.config.minBaselineDays} days of data before the scope` };
  }
  // The baseline is read once, and only the breakdowns newness compares (the account's edge hour is left out).
  const [inScope, baseline, accountBaseline] = await Promise.all([
    deps.queries.activityItems(scope.principalKey, input.scopeStartTime, input.scopeEndTime),
    deps.queries.activityItems(scope.principalKey, scope.baselineStartTime, input.scopeStartTime),
    deps.queries.activityItems(scope.accountSubject, scope.baselineStartTime, input.scopeStartTime),
  ]);
  const indicators = analyzeNewness({
    scope: sumActivity(inScope),
    baseline: sumActivity(baseline),
    accountBaseline: sumActivity(accountBaseline),
    geo: deps.geo,
    options: deps.config.newness,
  });
  await deps.store.putIndicators(input.investigationId, indicators);
  return { stage: 'NewBehaviour', indicators: countByType(indicators) };
}

export const handler = stageHandler('NewBehaviour', (input: StageInput) => newBehaviour(input, stageDependencies()));

import { analyzeRelatedFindings, ipAddressCounts, type GuardDutyFindingSummary } from '../core/analysis';
import { sumActivity } from '../core/queries/activity-totals';
import { activityBySession, stageDependencies, countByType, type StageDependencies, type StageInput, type StageResult } from './stage-context';
import { stageHandler } from './stage-handler';

/**
 * Stage: RELATED_FINDING and RELATED_FINDING_GROUP: GuardDuty findings that name the entity, one of the
 * access keys it used in scope, or share a source address with its activity. Findings come from every
 * configured source (the findings table the trigger fills; the GuardDuty API in AWS), de-duplicated by id.
 */
export interface RelatedFindingsStageResult extends StageResult {
  maxRelatedFindingSeverity?: number;
}

export async function relatedFindings(input: StageInput, deps: StageDependencies): Promise<RelatedFindingsStageResult> {
  const { scopeStartTime: from, scopeEndTime: to } = input;
  const totals = sumActivity((await activityBySession(input, deps)).activity);
  const scopeIps = Object.keys(ipAddressCounts(totals.sourceIps));
  const byId = new Map<string, GuardDutyFindingSummary>();
  for (const source of deps.findingSources) {
    for (const finding of await source.findingsFor(input.entityArn, from, to, scopeIps)) {
      const known = byId.get(finding.id);
      if (!known || finding.updatedAt > known.updatedAt) byId.set(finding.id, finding);
    }
  }
  const result = analyzeRelatedFindings({ entityArn: input.entityArn, scopeStart: from, scopeEnd: to, scopeIps, findings: [...byId.values()] });
  await deps.store.putIndicators(input.investigationId, result.indicators);
  const severities = result.related.map((r) => r.finding.severity);
  return {
    stage: 'RelatedFindings',
    indicators: countByType(result.indicators),
    ...(severities.length > 0 ? { maxRelatedFindingSeverity: Math.max(...severities) } : {}),
  };
}

export const handler = stageHandler('RelatedFindings', (input: StageInput) => relatedFindings(input, stageDependencies()));

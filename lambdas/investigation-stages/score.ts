import { scoreSeverity, type Indicator, type SeverityAssessment } from '../core/analysis';
import { stageDependencies, type StageDependencies, type StageInput } from './stage-context';
import { stageHandler } from './stage-handler';

/**
 * Last stage: scores the investigation's severity from all its indicators (the rule table in
 * lambdas/core/analysis/severity.ts) and marks it SUCCESSFUL.
 */
export interface ScoreInput extends StageInput {
  analysis: { stage: string; maxRelatedFindingSeverity?: number }[];
}

export interface ScoreResult extends SeverityAssessment {
  indicatorCount: number;
}

export async function score(input: ScoreInput, deps: StageDependencies): Promise<ScoreResult> {
  const indicators: Indicator[] = [];
  let after: Parameters<StageDependencies['store']['listIndicators']>[1]['after'];
  do {
    const page = await deps.store.listIndicators(input.investigationId, { maxResults: 100, ...(after ? { after } : {}) });
    indicators.push(...(page.items as Indicator[]));
    after = page.next;
  } while (after);
  const related = input.analysis.map((result) => result.maxRelatedFindingSeverity).filter((s): s is number => s !== undefined);
  const assessment = scoreSeverity(indicators, related.length > 0 ? { maxRelatedFindingSeverity: Math.max(...related) } : {});
  await deps.store.completeInvestigation(input.investigationId, assessment.severity);
  return { ...assessment, indicatorCount: indicators.length };
}

export const handler = stageHandler('Score', (input: ScoreInput) => score(input, stageDependencies()));

import type { ApiCounts } from '../cloudtrail/activity';

/**
 * Detective's "newly observed API calls" and "API calls with increased volume", against the entity's own
 * baseline (the days before the scope):
 * - new: an API called in scope and never in the baseline;
 * - increased: an API seen in the baseline whose scope count is at least INCREASED_VOLUME_MIN_CALLS and at
 *   least INCREASED_VOLUME_FACTOR times what the baseline's daily mean predicts for the scope (its daily mean
 *   times the scope's length in days, a scope shorter than a day counting as one day, so a burst within a few
 *   hours is compared with a whole ordinary day).
 * The daily mean divides by the days of the baseline that hold data (a young deployment's 10 days, not 45).
 */
export const INCREASED_VOLUME_MIN_CALLS = 10;
export const INCREASED_VOLUME_FACTOR = 3;

export interface NewApiCall {
  ApiName: string;
  Calls: number;
  FailedCalls: number;
}

export interface IncreasedApiCall extends NewApiCall {
  BaselineCalls: number;
  BaselineDailyMean: number;
  /** Scope calls over the expected count (daily mean × scope days). */
  Increase: number;
}

export interface ApiBehaviour {
  NewApiCalls: NewApiCall[];
  IncreasedVolumeApiCalls: IncreasedApiCall[];
}

const round = (value: number) => Math.round(value * 100) / 100;

export function apiBehaviour(input: { scope: Record<string, ApiCounts>; baseline: Record<string, ApiCounts>; scopeDays: number; baselineDataDays: number }): ApiBehaviour {
  const newCalls: NewApiCall[] = [];
  const increased: IncreasedApiCall[] = [];
  const days = Math.max(input.baselineDataDays, 1);
  for (const [api, counts] of Object.entries(input.scope)) {
    const before = input.baseline[api]?.calls ?? 0;
    if (before === 0) {
      newCalls.push({ ApiName: api, Calls: counts.calls, FailedCalls: counts.failures });
      continue;
    }
    const mean = before / days;
    const expected = mean * Math.max(1, input.scopeDays);
    if (counts.calls >= INCREASED_VOLUME_MIN_CALLS && counts.calls >= INCREASED_VOLUME_FACTOR * expected) {
      increased.push({ ApiName: api, Calls: counts.calls, FailedCalls: counts.failures, BaselineCalls: before, BaselineDailyMean: round(mean), Increase: round(counts.calls / expected) });
    }
  }
  newCalls.sort((a, b) => b.Calls - a.Calls || a.ApiName.localeCompare(b.ApiName));
  increased.sort((a, b) => b.Increase - a.Increase || a.ApiName.localeCompare(b.ApiName));
  return { NewApiCalls: newCalls, IncreasedVolumeApiCalls: increased };
}

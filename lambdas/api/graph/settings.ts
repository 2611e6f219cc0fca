import { SUMMARY_MAX_HOURS } from '../../core/graph/requests';
import { DAY_MS, formatTimestamp } from '../../core/investigation/time';
import { ObjectReader, Violations } from '../../core/investigation/validation';
import type { ProfileDependencies } from './dependencies';

/**
 * POST /graph/getSettings: what a client must know before it asks for a scope, so that a window picker can
 * offer only what the API accepts: the retention (a scope may not start before `EarliestScopeStartTime`;
 * older data has expired) and the longest scopes. No read: the deployment's settings and the clock.
 */
export interface GetSettingsResponse {
  RetentionDays: number;
  /** The earliest ScopeStartTime the graph routes accept now (now minus the retention). */
  EarliestScopeStartTime: string;
  /** The longest profile and investigation scope, in days. */
  MaxScopeDays: number;
  /** The longest getSummary window, in hours. */
  SummaryMaxHours: number;
  /** The server's clock, against which the earliest start was computed. */
  Now: string;
}

export function getSettings(deps: Pick<ProfileDependencies, 'retentionDays' | 'maxScopeDays' | 'now'>, body: unknown): GetSettingsResponse {
  const violations = new Violations();
  // An empty object, or Detective's GraphArn alone.
  const reader = ObjectReader.of(body, '', ['GraphArn'], violations);
  reader?.string('GraphArn', { maxLength: 2048 });
  violations.throwIfAny();
  const now = deps.now();
  return {
    RetentionDays: deps.retentionDays,
    EarliestScopeStartTime: formatTimestamp(now - deps.retentionDays * DAY_MS),
    MaxScopeDays: deps.maxScopeDays,
    SummaryMaxHours: SUMMARY_MAX_HOURS,
    Now: formatTimestamp(now),
  };
}

import type { LocationGranularity } from './geo';
import { DEFAULT_IMPOSSIBLE_TRAVEL_OPTIONS, type ImpossibleTravelOptions } from './impossible-travel';
import { DEFAULT_NEWNESS_OPTIONS, type NewnessOptions } from './newness';

/**
 * Analysis settings, read from an environment-like record (the handler passes process.env; tests pass plain
 * objects), so the core stays free of global state.
 *
 * Baseline: Detective compares scope-time activity with "the 45 days before the scope time" (Detective user
 * guide, "Training period for new behavior graphs", and the profile panels' baselines), and needs at least two
 * weeks of data before its comparisons mean anything (its training period). Same defaults here.
 */

export const DEFAULT_BASELINE_DAYS = 45;
export const DEFAULT_MIN_BASELINE_DAYS = 14;

export const ANALYSIS_ENV = {
  baselineDays: 'BASELINE_DAYS',
  minBaselineDays: 'MIN_BASELINE_DAYS',
  maxTravelSpeedKmh: 'IMPOSSIBLE_TRAVEL_MAX_SPEED_KMH',
  minTravelDistanceKm: 'IMPOSSIBLE_TRAVEL_MIN_DISTANCE_KM',
  countryLevelRadiusKm: 'IMPOSSIBLE_TRAVEL_COUNTRY_LEVEL_RADIUS_KM',
  locationGranularity: 'NEW_GEOLOCATION_GRANULARITY',
  userAgentMatch: 'NEW_USER_AGENT_MATCH',
} as const;

export interface AnalysisConfig {
  baselineDays: number;
  minBaselineDays: number;
  impossibleTravel: ImpossibleTravelOptions;
  newness: NewnessOptions;
}

function positiveNumber(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function oneOf<T extends string>(env: Record<string, string | undefined>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

export function analysisConfigFromEnv(env: Record<string, string | undefined>): AnalysisConfig {
  return {
    baselineDays: positiveNumber(env, ANALYSIS_ENV.baselineDays, DEFAULT_BASELINE_DAYS),
    minBaselineDays: positiveNumber(env, ANALYSIS_ENV.minBaselineDays, DEFAULT_MIN_BASELINE_DAYS),
    impossibleTravel: {
      maxSpeedKmh: positiveNumber(env, ANALYSIS_ENV.maxTravelSpeedKmh, DEFAULT_IMPOSSIBLE_TRAVEL_OPTIONS.maxSpeedKmh),
      minDistanceKm: positiveNumber(env, ANALYSIS_ENV.minTravelDistanceKm, DEFAULT_IMPOSSIBLE_TRAVEL_OPTIONS.minDistanceKm),
      countryLevelRadiusKm: positiveNumber(env, ANALYSIS_ENV.countryLevelRadiusKm, DEFAULT_IMPOSSIBLE_TRAVEL_OPTIONS.countryLevelRadiusKm),
    },
    newness: {
      ...DEFAULT_NEWNESS_OPTIONS,
      locationGranularity: oneOf<LocationGranularity>(env, ANALYSIS_ENV.locationGranularity, ['city', 'country'], DEFAULT_NEWNESS_OPTIONS.locationGranularity),
      userAgentMatch: oneOf(env, ANALYSIS_ENV.userAgentMatch, ['exact', 'product'] as const, DEFAULT_NEWNESS_OPTIONS.userAgentMatch),
    },
  };
}

export interface TimeWindow {
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, exclusive: the scope start. */
  to: string;
}

const DAY_MS = 86_400_000;

/** The baseline window: the `days` days before the scope start. */
export function baselineWindow(scopeStart: string, days: number = DEFAULT_BASELINE_DAYS): TimeWindow {
  const start = Date.parse(scopeStart);
  if (Number.isNaN(start)) throw new Error(`not a time: ${scopeStart}`);
  return { from: new Date(start - days * DAY_MS).toISOString(), to: new Date(start).toISOString() };
}

/**
 * Whether the baseline holds enough history for "new" to mean anything: Trailhound must have ingested data
 * from at least `minDays` before the scope. With less (a fresh deployment), newness indicators would flag
 * everything the entity does, so the caller should skip them, as Detective does during its training period.
 */
export function baselineIsMature(scopeStart: string, dataAvailableFrom: string | undefined, minDays: number = DEFAULT_MIN_BASELINE_DAYS): boolean {
  if (!dataAvailableFrom) return false;
  return Date.parse(scopeStart) - Date.parse(dataAvailableFrom) >= minDays * DAY_MS;
}

import { DEFAULT_MAX_SCOPE_DAYS } from '../core/investigation/requests';
import { DEFAULT_COMPACTION_SETTLE_MINUTES } from '../core/storage/hours';
import { DEFAULT_RETENTION_DAYS, RETENTION_DAYS_ENV, type TableDesign } from './table-design';

/** Reads the deployment's settings from the environment, failing fast with the variable's name. */
export function tableName(design: TableDesign, env: NodeJS.ProcessEnv = process.env): string {
  const name = env[design.envVar];
  if (!name) throw new Error(`environment variable ${design.envVar} (name of the ${design.id} table) is not set`);
  return name;
}

/** A whole number of days >= 1 from `name`, or `fallback` when unset. */
function wholeDays(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new Error(`${name} must be a whole number of days >= 1, got "${raw}"`);
  return days;
}

export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
  return wholeDays(env, RETENTION_DAYS_ENV, DEFAULT_RETENTION_DAYS);
}

/** Longest investigation scope the API and the GuardDuty trigger accept, in days. */
export const MAX_SCOPE_DAYS_ENV = 'INVESTIGATION_MAX_SCOPE_DAYS';

export function maxScopeDays(env: NodeJS.ProcessEnv = process.env): number {
  return wholeDays(env, MAX_SCOPE_DAYS_ENV, DEFAULT_MAX_SCOPE_DAYS);
}

/** The EventBridge rule's default severity floor (GuardDuty MEDIUM starts at 4.0); the local mode applies the same. */
export const DEFAULT_GUARDDUTY_MIN_SEVERITY = 4;

/** Overrides DEFAULT_COMPACTION_SETTLE_MINUTES (lambdas/core/storage/hours.ts); local mode sets `immediate`. */
export const COMPACTION_SETTLE_MINUTES_ENV = 'COMPACTION_SETTLE_MINUTES';

/** `immediate`: compact an hour as soon as asked, even before it ends (local mode, whose logs are all there). */
export function compactionSettleMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[COMPACTION_SETTLE_MINUTES_ENV];
  if (raw === undefined || raw === '') return DEFAULT_COMPACTION_SETTLE_MINUTES * 60_000;
  if (raw === 'immediate') return -3_600_000;
  const minutes = Number(raw);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 720) throw new Error(`${COMPACTION_SETTLE_MINUTES_ENV} must be a whole number of minutes from 0 to 720, got "${raw}"`);
  return minutes * 60_000;
}

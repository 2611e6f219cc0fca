import { DEFAULT_RETENTION_DAYS, RETENTION_DAYS_ENV, type TableDesign } from './table-design';

/** Reads the deployment's settings from the environment, failing fast with the variable's name. */
export function tableName(design: TableDesign, env: NodeJS.ProcessEnv = process.env): string {
  const name = env[design.envVar];
  if (!name) throw new Error(`environment variable ${design.envVar} (name of the ${design.id} table) is not set`);
  return name;
}

export function retentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[RETENTION_DAYS_ENV];
  if (raw === undefined || raw === '') return DEFAULT_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new Error(`${RETENTION_DAYS_ENV} must be a whole number of days >= 1, got "${raw}"`);
  return days;
}

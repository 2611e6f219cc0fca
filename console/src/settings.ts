import { call } from './api';

/**
 * The deployment's settings (POST /graph/getSettings): the retention, so a scope picker offers only starts the
 * API accepts. Asked once per page load and shared: they change only with a redeployment.
 */
export interface Settings {
  RetentionDays: number;
  EarliestScopeStartTime: string;
  MaxScopeDays: number;
  SummaryMaxHours: number;
  Now: string;
  /** When this browser received them (its own clock: the server's may differ). */
  receivedAt: number;
}

let asked: Promise<Settings> | undefined;

export function settings(): Promise<Settings> {
  asked ??= call<Omit<Settings, 'receivedAt'>>('/graph/getSettings', {}).then((s) => ({ ...s, receivedAt: Date.now() })).catch((error: unknown) => {
    // A failure is not kept: the next picker asks again.
    asked = undefined;
    throw error;
  });
  return asked;
}

/**
 * The earliest start the API accepts now: the server's earliest, moved on by the time since it answered, up to
 * the next whole minute (the pickers choose minutes).
 */
export function earliestStart(s: Settings): number {
  return Math.ceil((Date.parse(s.EarliestScopeStartTime) + (Date.now() - s.receivedAt)) / 60_000) * 60_000;
}

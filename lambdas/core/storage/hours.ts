/**
 * Hours are the unit of compaction: one account's CloudTrail events of one UTC hour are merged into one
 * item per principal. Hours are written `YYYY-MM-DDTHH`, which sorts as time does.
 */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export function hourOf(isoTime: string): string {
  return isoTime.slice(0, 13);
}

export function hourStartMs(hour: string): number {
  return Date.parse(`${hour}:00:00Z`);
}

export function hourOfMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** `<account>#<hour>`: the partition of an account's hour (its log objects, its compaction). */
export function hourKeyOf(accountId: string, hour: string): string {
  return `${accountId}#${hour}`;
}

export function parseHourKey(hourKey: string): { accountId: string; hour: string } | undefined {
  const match = /^(\d{12}|[^#]+)#(\d{4}-\d{2}-\d{2}T\d{2})$/.exec(hourKey);
  return match ? { accountId: match[1], hour: match[2] } : undefined;
}

/** The hours that overlap the half-open interval [fromMs, toMs). */
export function hoursOverlapping(fromMs: number, toMs: number): string[] {
  const hours: string[] = [];
  for (let start = Math.floor(fromMs / HOUR_MS) * HOUR_MS; start < toMs; start += HOUR_MS) hours.push(hourOfMs(start));
  return hours;
}

/** Whether the whole hour lies inside [fromMs, toMs). */
export function hourWithin(hour: string, fromMs: number, toMs: number): boolean {
  const start = hourStartMs(hour);
  return start >= fromMs && start + HOUR_MS <= toMs;
}

/**
 * Minutes after an hour's end before it is compacted: CloudTrail delivers a call's log within about 15 minutes,
 * so the hour's objects are then nearly all in. Objects arriving later recompact the hour.
 */
export const DEFAULT_COMPACTION_SETTLE_MINUTES = 20;

/** When the hour holding the last instant before `endMs` is compacted and readable. */
export function compactedBy(endMs: number, settleMs: number): number {
  const lastHourStart = Math.floor((endMs - 1) / HOUR_MS) * HOUR_MS;
  return lastHourStart + HOUR_MS + settleMs;
}

/**
 * RFC 3339 timestamps, the wire format of Detective's `Timestamp` members (Smithy `date-time`).
 * `Date.parse` alone is too lenient (it rolls 2024-02-30 over to March 1st), so the fields are checked first.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch milliseconds of an RFC 3339 timestamp, or undefined when it is not one. */
export function parseTimestamp(value: string): number | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
}

/** The one format the API writes: UTC with milliseconds (what Detective documents, e.g. 2021-08-18T16:35:56.284Z). */
export function formatTimestamp(millis: number): string {
  return new Date(millis).toISOString();
}

export const DAY_MS = 24 * 60 * 60 * 1000;

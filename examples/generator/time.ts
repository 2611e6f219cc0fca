/**
 * The time formats CloudTrail uses. All times are epoch milliseconds in UTC; the generator never reads the
 * local clock or time zone, so output does not depend on the machine that runs it.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Epoch millis of a UTC date and time (month is 1-based). */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Drops sub-second precision: CloudTrail event times have whole seconds. */
export function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/** `eventTime` and `sessionContext.attributes.creationDate`: ISO 8601 with second precision, e.g. 2026-10-05T09:13:22Z. */
export function isoSeconds(ms: number): string {
  return new Date(floorSecond(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `responseElements.credentials.expiration` in STS events is not ISO: CloudTrail writes it in a
 * US-English medium date/time style without a zone (the value is UTC), e.g. "Oct 5, 2026, 10:13:22 AM".
 */
export function credentialExpiration(ms: number): string {
  const d = new Date(floorSecond(ms));
  const hours = d.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const meridiem = hours < 12 ? 'AM' : 'PM';
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hour12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${meridiem}`;
}

/** The `YYYYMMDDTHHmmZ` part of a log file name (the delivery time). */
export function logFileStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** The `YYYYMMDDTHHmmssZ` part of a digest file name (the digest end time). */
export function digestFileStamp(ms: number): string {
  const d = new Date(ms);
  return `${logFileStamp(ms).slice(0, -1)}${pad(d.getUTCSeconds())}Z`;
}

/** The `YYYY/MM/DD` folders of a CloudTrail S3 key. */
export function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** Start of the UTC day containing `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Start of the UTC hour containing `ms`. */
export function startOfHour(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(ms: number): number {
  return new Date(ms).getUTCDay();
}

export function isWeekend(ms: number): boolean {
  const day = weekday(ms);
  return day === 0 || day === 6;
}

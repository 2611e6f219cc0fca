/**
 * The UTC day a CloudTrail log object's key names: its file name's delivery time
 * (`<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_…`), else the `YYYY/MM/DD/` folders. Used to pick the objects
 * of a date range out of a bucket listing without reading them.
 */
const FILE_TIME = /_(\d{4})(\d{2})(\d{2})T\d{4}Z_[^/]*$/;
const FOLDERS = /\/(\d{4})\/(\d{2})\/(\d{2})\//;

export function dayOfKey(key: string): string | undefined {
  const match = FILE_TIME.exec(key) ?? FOLDERS.exec(key);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

/**
 * Whether a key's day lies in [from, to] (days as `YYYY-MM-DD`, or instants whose day is taken). Keys without a
 * day (not CloudTrail's layout) are let through: ingestion classifies them and records why it skips them.
 */
export function keyInDays(key: string, from: string, to: string): boolean {
  const day = dayOfKey(key);
  if (day === undefined) return true;
  return day >= from.slice(0, 10) && day <= to.slice(0, 10);
}

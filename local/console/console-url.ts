/**
 * The console's address to print: its summary page on the last 24 hours of the logs just ingested (their
 * object keys name their delivery time, `…_20230710T1235Z_…`), so a first look shows data, not an empty day.
 */
const DELIVERY_TIME = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;
const HOUR = 3_600_000;

export function consoleUrl(base: string, objectKeys: readonly string[], now = Date.now()): string {
  let latest = 0;
  for (const key of objectKeys) {
    const m = DELIVERY_TIME.exec(key);
    if (m) latest = Math.max(latest, Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`));
  }
  if (!latest || latest > now) return `${base}/`;
  const end = Math.min(Math.ceil((latest + 1) / HOUR) * HOUR, now);
  const params = new URLSearchParams({ from: new Date(end - 24 * HOUR).toISOString(), to: new Date(end).toISOString() });
  return `${base}/#/summary?${params}`;
}

/**
 * The console's GuardDuty findings page, printed after `--guardduty-events FILE`: the 30 days up to the end of
 * the ingested logs (findings are about those logs), or the page's own default (the last 30 days).
 */
export function findingsConsoleUrl(base: string, objectKeys: readonly string[], now = Date.now()): string {
  const summary = new URL(consoleUrl(base, objectKeys, now).replace('/#/summary?', '/?'));
  const to = summary.searchParams.get('to');
  if (!to) return `${base}/#/findings`;
  const end = Math.ceil(Date.parse(to) / (24 * HOUR)) * 24 * HOUR;
  const params = new URLSearchParams({ from: new Date(end - 30 * 24 * HOUR).toISOString(), to: new Date(end).toISOString() });
  return `${base}/#/findings?${params}`;
}

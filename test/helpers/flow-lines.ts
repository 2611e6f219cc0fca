import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Raw VPC flow log lines for tests' independent counts: gunzip, split on spaces, the header naming the fields.
 * Never through the code under test.
 */
export type RawFlow = Record<string, string>;

/** The OK lines of one text flow log file, with the flow log id its name carries. */
export function okFlowLines(key: string, body: Buffer): { flowLogId: string; rows: RawFlow[] } {
  const [header, ...lines] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  const fields = header.split(' ');
  const rows = lines.map((line): RawFlow => Object.fromEntries(line.split(' ').map((value, i) => [fields[i], value]))).filter((r) => r['log-status'] === 'OK');
  return { flowLogId: /_(fl-[0-9a-f]+)_/.exec(key)?.[1] ?? key, rows };
}

/** The OK lines of the text flow log files among `files` (local paths with their S3 keys). */
export function okFlowLinesOfFiles(files: readonly { key: string; path: string }[]): { flowLogId: string; rows: RawFlow[] }[] {
  return files.filter((file) => file.key.includes('/vpcflowlogs/') && file.key.endsWith('.log.gz')).map((file) => okFlowLines(file.key, readFileSync(file.path)));
}

const hourOf = (r: RawFlow): string => new Date(Math.floor(Number(r.start) / 3600) * 3_600_000).toISOString();

/**
 * The lines that count: per hour (of the flow's start) and interface, those of one flow log, the one with the
 * most OK lines of the interface in the hour, the lower flow-log id on a tie (README "VPC Flow Logs"). Two flow
 * logs over one interface deliver the same traffic; it counts once.
 *
 * `instanceOf` (ENI → instance, the mapping the test knows) makes the slot the instance instead: a line keyed
 * by `instance-id` only and a line of its ENI are one traffic. Exact for instances with one interface (with
 * several, the code may keep each ENI from another log; these tests use one).
 */
export function oneLogPerInterfaceHour(files: readonly { flowLogId: string; rows: readonly RawFlow[] }[], instanceOf?: Readonly<Record<string, string>>): RawFlow[] {
  const named = (value: string | undefined) => (value && value !== '-' ? value : undefined);
  const groups = new Map<string, Map<string, RawFlow[]>>();
  for (const file of files) {
    for (const r of file.rows) {
      const eni = named(r['interface-id']);
      const subject = instanceOf ? (named(r['instance-id']) ?? (eni && instanceOf[eni]) ?? eni) : r['interface-id'];
      const slot = `${hourOf(r)} ${subject}`;
      const byLog = groups.get(slot) ?? new Map<string, RawFlow[]>();
      byLog.set(file.flowLogId, [...(byLog.get(file.flowLogId) ?? []), r]);
      groups.set(slot, byLog);
    }
  }
  return [...groups.values()].flatMap((byLog) => [...byLog].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))[0][1]);
}

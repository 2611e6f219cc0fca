import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { dynamoDocumentClient } from '../lambdas/adapters/aws-clients';
import { FlowQueries, dynamoFlowItems } from '../lambdas/queries/flow-queries';
import { networkSection } from '../lambdas/queries/instance-network';
import { ACTIVITY_TABLE } from '../lambdas/shared/table-design';
import type { LogFile } from '../local/log-files';
import { flowLogKey, seededRandom } from '../test/helpers/flow-logs';
import { startMeteredStack } from './pipeline-run';

/**
 * `npx tsx bench/network-report-reads.ts [--days 46] [--records 200]`: what getNetworkReport's network section
 * asks of DynamoDB for one instance with a full baseline, metered on the SDK client (bench/meter.ts) over the
 * local stack: reading every baseline hour (the code before digests, `nowMs` not given), then the first and
 * the second report with digests (queries/baseline-reads.ts). Synthetic flow logs: one instance with two
 * interfaces, `--records` flows per interface-hour with 400 peers, `--days` days of hourly files before and
 * including the scope's day.
 */
const ACCOUNT = '123456789012';
const INSTANCE = 'i-0bec0000000000001';
const ENIS = ['eni-0bec0000000000001', 'eni-0bec0000000000002'];
const OWN = ['10.9.0.11', '10.9.0.12'];
const HEADER = 'version account-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function hourFile(hourMs: number, records: number, next: () => number): Buffer {
  const lines: string[] = [];
  ENIS.forEach((eni, e) => {
    for (let r = 0; r < records; r++) {
      const peer = `198.18.${Math.floor(next() * 2)}.${1 + Math.floor(next() * 200)}`;
      const port = [443, 443, 80, 22, 5432, 8080][Math.floor(next() * 6)];
      const start = Math.floor(hourMs / 1000) + Math.floor(next() * 3500);
      const inbound = next() < 0.5;
      const [src, dst, sport, dport] = inbound ? [peer, OWN[e], 40000 + r, port] : [OWN[e], peer, 40000 + r, port];
      lines.push(`2 ${ACCOUNT} ${INSTANCE} ${eni} ${src} ${dst} ${sport} ${dport} 6 ${1 + Math.floor(next() * 20)} ${100 + Math.floor(next() * 50_000)} ${start} ${start + 30} ${next() < 0.05 ? 'REJECT' : 'ACCEPT'} OK`);
    }
  });
  return gzipSync(`${HEADER}\n${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { days: { type: 'string', default: '46' }, records: { type: 'string', default: '200' } } });
  const days = Number(values.days);
  const records = Number(values.records);
  const scopeFrom = Date.parse('2026-10-22T00:00:00Z');
  const scope = { from: new Date(scopeFrom).toISOString(), to: new Date(scopeFrom + DAY_MS).toISOString() };
  const dir = mkdtempSync(join(tmpdir(), 'trailhound-network-reads-'));
  const files: LogFile[] = [];
  const next = seededRandom(7);
  for (let hour = scopeFrom + DAY_MS - days * DAY_MS; hour < scopeFrom + DAY_MS; hour += HOUR_MS) {
    const key = flowLogKey(ACCOUNT, Math.floor(hour / 1000) + 300, `h${hour.toString(36)}`, 'us-east-1', 'fl-0bec00000000000a');
    const path = join(dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, hourFile(hour, records, next));
    files.push({ path, key, size: statSync(path).size });
  }
  const session = await startMeteredStack(36500);
  try {
    await session.stack.upload(files);
    await session.stack.drain();
    const flows = new FlowQueries(dynamoFlowItems(dynamoDocumentClient(), session.stack.tableNames[ACTIVITY_TABLE.envVar] as string));
    const window = { baselineDays: 45, minBaselineDays: 14 };
    const now = scopeFrom + 3 * DAY_MS;
    const runs: [string, (typeof window & { nowMs?: number }) | undefined][] = [
      ['every baseline hour read (before)', window],
      ['digests, first report (builds them)', { ...window, nowMs: now }],
      ['digests, second report', { ...window, nowMs: now }],
      ['every baseline hour read (again)', window],
    ];
    console.log(`getNetworkReport's section, one instance (2 interfaces, ${records} flows per interface-hour, ${days} days of hourly files, scope ${scope.from.slice(0, 10)}), DynamoDB metered on the SDK client`);
    let reference: string | undefined;
    for (const [label, options] of runs) {
      session.meter.reset();
      const started = process.hrtime.bigint();
      const section = await networkSection(flows, [INSTANCE], scope, options ?? window);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const d = session.meter.dynamo;
      const requests = Object.entries(d.requests).map(([command, count]) => `${command.replace('Command', '')} ${count}`).join(', ');
      console.log(`  ${label.padEnd(38)} ${String(d.itemReads).padStart(6)} items read  ${String(d.readUnits).padStart(8)} read units  ${String(d.writeUnits).padStart(5)} write units  ${ms.toFixed(0).padStart(6)} ms  (${requests})`);
      const json = JSON.stringify(section);
      if (reference !== undefined && json !== reference) throw new Error(`${label}: the section differs from the one read from every hour`);
      reference ??= json;
      if (label.startsWith('every') && reference === json && section.Instances[0]) console.log(`    baseline: ${section.Instances[0].Baseline.Hours} hours, ${section.Instances[0].Baseline.Peers} peers, ${section.Instances[0].Baseline.Ports} ports`);
    }
  } finally {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

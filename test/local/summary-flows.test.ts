import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LOCAL_BUCKET, LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { buildSummary } from '../../local/summary';
import { flowLogKey } from '../helpers/flow-logs';

/**
 * The summary `npm start` prints, for flow logs: CloudTrail events and flow records counted apart (NODATA,
 * SKIPDATA and bad lines told), and the instances with the most traffic. The records are the VPC user guide's
 * examples (test/fixtures/flowlogs), moved to recent hours so that the retention keeps them; every expected
 * number is counted here from the raw lines, by the header's field names.
 */
jest.setTimeout(180_000);

const FIXTURES = join(__dirname, '..', 'fixtures', 'flowlogs');
const ACCOUNT = '123456789010';
const HOUR_MS = 3_600_000;
// Two whole hours two days back: inside any retention, and settled.
const HOUR_10 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 48 * HOUR_MS;
const HOUR_11 = HOUR_10 + HOUR_MS;
const STATUSES = new Set(['OK', 'NODATA', 'SKIPDATA']);

interface Delivery {
  fixture: string;
  hourMs: number;
  flowLogId: string;
}

/** The fixture's lines with each well-formed record moved into the hour, a minute apart, its duration kept. */
function moved(fixture: string, hourMs: number): string {
  const [header, ...lines] = readFileSync(join(FIXTURES, fixture), 'utf8').split('\n');
  const names = header.split(' ');
  const start = names.indexOf('start');
  const end = names.indexOf('end');
  const out = lines.map((line, i) => {
    const fields = line.split(' ');
    if (fields.length !== names.length || !/^\d+$/.test(fields[start]) || !/^\d+$/.test(fields[end])) return line;
    const duration = Number(fields[end]) - Number(fields[start]);
    fields[start] = String(hourMs / 1000 + 60 * i);
    fields[end] = String(hourMs / 1000 + 60 * i + duration);
    return fields.join(' ');
  });
  return [header, ...out].join('\n');
}

/** Independently of the parser: a record as the user guide defines it (every field, ports, addresses, status). */
function parseRaw(text: string): { records: Record<string, string>[]; bad: number } {
  const [header, ...lines] = text.split('\n');
  const names = header.split(' ');
  const records: Record<string, string>[] = [];
  let bad = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const record = Object.fromEntries(names.map((name, i) => [name, fields[i]]));
    const port = (p: string) => p === '-' || (Number.isInteger(Number(p)) && Number(p) >= 0 && Number(p) <= 65535);
    const address = (a: string) => a === '-' || isIP(a) !== 0;
    const valid = fields.length === names.length && STATUSES.has(record['log-status']) && port(record.srcport) && port(record.dstport) && address(record.srcaddr) && address(record.dstaddr);
    if (valid) records.push(record);
    else bad++;
  }
  return { records, bad };
}

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailhound-summary-flows-'));
  stack = await LocalStack.start({ dataDir: join(dir, 'state'), inMemory: true });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local summary with VPC flow logs', () => {
  it('counts flow records apart from CloudTrail events and lists the instances with the most traffic, as the raw lines say', async () => {
    const deliveries: Delivery[] = [
      { fixture: 'default-format.log', hourMs: HOUR_10, flowLogId: 'fl-0aaaaaaaaaaaaaaa0' },
      // The same interface an hour later, in the same flow log, with broken lines.
      { fixture: 'bad-lines.log', hourMs: HOUR_11, flowLogId: 'fl-0aaaaaaaaaaaaaaa0' },
      // A custom format naming the instance.
      { fixture: 'tcp-flags.log', hourMs: HOUR_10, flowLogId: 'fl-0bbbbbbbbbbbbbbb0' },
    ];
    const texts = deliveries.map((d) => moved(d.fixture, d.hourMs));
    for (const [i, d] of deliveries.entries()) {
      const path = join(dir, 'logs', flowLogKey(ACCOUNT, d.hourMs / 1000, `hash${i}`, 'eu-west-1', d.flowLogId));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(texts[i]));
    }
    const files = listLogFiles(join(dir, 'logs'));
    await stack.upload(files);
    await stack.drain();
    expect(stack.deadLetters).toEqual({ ingest: 0, compaction: 0 });

    const lines = await buildSummary({
      documents: stack.documents,
      queries: stack.queries,
      flows: stack.flows,
      tables: { ingestedObjects: stack.ingestedObjectsTable },
      objectKeys: files.map((file) => `s3://${LOCAL_BUCKET}/${file.key}`),
      deadLettered: [],
    });

    const raw = texts.map(parseRaw);
    const records = raw.flatMap((r) => r.records);
    const status = (s: string) => records.filter((r) => r['log-status'] === s).length;
    const bad = raw.reduce((sum, r) => sum + r.bad, 0);
    expect(bad).toBeGreaterThan(0);
    expect(lines).toContain('  CloudTrail records: 0 ingested, 0 duplicates dropped, 0 rejected');
    expect(lines).toContain(`  VPC flow log records: ${records.length} ingested (${status('NODATA')} NODATA, ${status('SKIPDATA')} SKIPDATA), ${bad} rejected, from 3 objects`);
    expect(lines).toContain('No CloudTrail activity was ingested.');

    // Per interface: bytes of its OK records (in, out and of unknown direction together) and its rejected flows.
    // An interface that logged only NODATA or SKIPDATA is listed with none, as the console's summary lists it.
    const traffic = new Map<string, { instance?: string; bytes: number; rejected: number }>();
    for (const r of records) {
      const entry = traffic.get(r['interface-id']) ?? { bytes: 0, rejected: 0 };
      traffic.set(r['interface-id'], entry);
      if (r['instance-id']) entry.instance = r['instance-id'];
      if (r['log-status'] !== 'OK') continue;
      entry.bytes += Number(r.bytes);
      if (r.action === 'REJECT') entry.rejected++;
    }
    expect([...traffic.values()].filter((t) => t.bytes === 0)).toHaveLength(1);
    const header = lines.findIndex((line) => line.startsWith('VPC flow traffic, '));
    expect(lines[header]).toContain(`the ${traffic.size} busiest EC2 instances, or interfaces where no instance is known`);
    const rows = lines.slice(header + 3, header + 3 + traffic.size).map((line) => line.trim().split(/\s+/));
    const shown = rows.map(([entity, account, bytesIn, bytesOut, unknown, rejected, interfaces]) => ({
      entity,
      account,
      bytes: [bytesIn, bytesOut, unknown].reduce((sum, n) => sum + Number(n.replace(/,/g, '')), 0),
      rejected: Number(rejected),
      interfaces,
    }));
    const expected = [...traffic.entries()]
      .map(([eni, t]) => ({ entity: t.instance ?? eni, account: ACCOUNT, bytes: t.bytes, rejected: t.rejected, interfaces: eni }))
      .sort((a, b) => b.bytes - a.bytes || a.entity.localeCompare(b.entity));
    expect(shown).toEqual(expected);
  });
});

import { gunzipSync } from 'node:zlib';
import type { AsyncBuffer } from 'hyparquet';
import { readFlowParquet } from '../../lambdas/core/flowlogs/read-parquet';
import { readFlowText, type FlowSink } from '../../lambdas/core/flowlogs/read-text';
import type { FlowRecord } from '../../lambdas/core/flowlogs/flow-record';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { writeParquet, type ParquetColumn, type ParquetValue } from '../helpers/parquet-writer';
import { flowLogFile, flowLogKey } from '../helpers/flow-logs';
import { FakeFlowStack } from './fake-flow-stack';

const ACCOUNT = '111122223333';
const HOUR_START = Date.parse('2026-03-01T10:00:00Z') / 1000;

/** The Parquet schema VPC Flow Logs uses for the default fields: underscores, integers typed. */
const COLUMNS: ParquetColumn[] = [
  { name: 'version', type: 'int32' },
  { name: 'account_id', type: 'string' },
  { name: 'interface_id', type: 'string' },
  { name: 'srcaddr', type: 'string' },
  { name: 'dstaddr', type: 'string' },
  { name: 'srcport', type: 'int32' },
  { name: 'dstport', type: 'int32' },
  { name: 'protocol', type: 'int32' },
  { name: 'packets', type: 'int64' },
  { name: 'bytes', type: 'int64' },
  { name: 'start', type: 'int64' },
  { name: 'end', type: 'int64' },
  { name: 'action', type: 'string' },
  { name: 'log_status', type: 'string' },
];

/** The same records as a text file, as Parquet rows (`-` becomes null), in row groups of `groupSize`. */
function parquetOf(text: string, groupSize: number): Buffer {
  const rows = text.split('\n').slice(1).filter((line) => line !== '').map((line) => line.split(' ').map((value, index): ParquetValue => (value === '-' ? null : COLUMNS[index].type === 'string' ? value : COLUMNS[index].type === 'int64' ? BigInt(value) : Number(value))));
  const groups: ParquetValue[][][] = [];
  for (let i = 0; i < rows.length; i += groupSize) groups.push(rows.slice(i, i + groupSize));
  return writeParquet(COLUMNS, groups);
}

class Collect implements FlowSink {
  records: FlowRecord[] = [];
  reasons: string[] = [];
  add(record: FlowRecord): void {
    this.records.push(record);
  }
  reject(reason: string): void {
    this.reasons.push(reason);
  }
}

function bufferOf(bytes: Buffer, reads: [number, number][] = []): AsyncBuffer {
  return {
    byteLength: bytes.length,
    slice: async (start, end) => {
      reads.push([start, end ?? bytes.length]);
      return bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.length)) as ArrayBuffer;
    },
  };
}

describe('readFlowParquet', () => {
  const text = gunzipSync(flowLogFile({ accountId: ACCOUNT, windowStart: HOUR_START, records: 3000, seed: 5 })).toString('utf8');

  it('gives the same records as the text delivery of the same flows, NODATA included', async () => {
    const fromText = new Collect();
    await readFlowText((async function* () {
      yield Buffer.from(text);
    })(), fromText);
    const fromParquet = new Collect();
    const outcome = await readFlowParquet(bufferOf(parquetOf(text, 700)), fromParquet);
    expect(outcome).toEqual({ lines: 3000 });
    expect(fromParquet.reasons).toEqual([]);
    expect(fromParquet.records).toEqual(fromText.records);
    expect(fromParquet.records.some((r) => r.logStatus === 'NODATA')).toBe(true);
  });

  it('reads one row group at a time, never the whole file at once', async () => {
    const file = parquetOf(text, 500);
    const reads: [number, number][] = [];
    await readFlowParquet(bufferOf(file, reads), new Collect());
    const largest = Math.max(...reads.map(([start, end]) => end - start));
    expect(largest).toBeLessThan(file.length / 3);
  });

  it('reports a truncated file or a file of other columns, and counts bad values per row', async () => {
    const file = parquetOf(text, 500);
    const truncated = await readFlowParquet(bufferOf(file.subarray(0, file.length - 100)), new Collect());
    expect(truncated.formatError).toMatch(/^parquet: /);
    const other = await readFlowParquet(bufferOf(writeParquet([{ name: 'eventName', type: 'string' }], [[['AssumeRole']]])), new Collect());
    expect(other.formatError).toMatch(/^not a flow log: /);
    const bad = new Collect();
    const rows: ParquetValue[][] = [[2, ACCOUNT, 'eni-0a', '10.0.0.1', 'not-an-address', 1, 2, 6, 1n, 1n, 1n, 2n, 'ACCEPT', 'OK'], [2, ACCOUNT, 'eni-0a', '10.0.0.1', '10.0.0.2', 1, 2, 6, 1n, 1n, 1n, 2n, 'ACCEPT', 'OK']];
    await readFlowParquet(bufferOf(writeParquet(COLUMNS, [rows])), bad);
    expect(bad.reasons).toEqual(['dstaddr is not an IP address']);
    expect(bad.records).toHaveLength(1);
  });

  it('ingests and compacts a Parquet delivery under Hive-compatible per-hour prefixes like its text twin', async () => {
    const hive = (name: string) => `AWSLogs/aws-account-id=${ACCOUNT}/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=03/day=01/hour=10/${name}`;
    const textKey = flowLogKey(ACCOUNT, HOUR_START, 'txt');
    const parquetName = flowLogKey(ACCOUNT, HOUR_START, 'pq').split('/').pop()?.replace('.log.gz', '.log.parquet') as string;
    const results = [];
    for (const [key, body] of [
      [textKey, flowLogFile({ accountId: ACCOUNT, windowStart: HOUR_START, records: 3000, seed: 5 })],
      [hive(parquetName), parquetOf(text, 700)],
    ] as const) {
      const stack = new FakeFlowStack(() => new Date('2026-03-01T13:00:00Z'));
      stack.put(key, body);
      const ingested = await ingestObject({ bucket: 'logs', key }, stack.ingestDeps());
      expect(ingested).toMatchObject({ status: 'DONE', accepted: 3000 });
      await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps());
      results.push([...stack.activity.entries()].filter(([k]) => k.startsWith('flow-eni#')).map(([k, item]) => [k, item.totals]));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[0].length).toBeGreaterThan(0);
  });
});

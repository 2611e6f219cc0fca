import { gunzipSync } from 'node:zlib';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { interfaceRows, type FlowInterfaceItem, type FlowPeersBody, decodeBody } from '../../lambdas/core/flowlogs/flow-items';
import { flowLogFile, flowLogKey, interfaceAddressOf, interfaceIdOf } from '../helpers/flow-logs';
import { FakeFlowStack } from './fake-flow-stack';

const ACCOUNT = '111122223333';
const HOUR_START = Date.parse('2026-03-01T10:00:00Z') / 1000;
const AFTER = () => new Date('2026-03-01T13:00:00Z');

/** The independent view: the raw lines, split by hand. */
function rawRecords(files: Buffer[]): string[][] {
  return files.flatMap((file) => gunzipSync(file).toString('utf8').split('\n').slice(1).filter((line) => line !== '').map((line) => line.split(' ')));
}

function setup(): { stack: FakeFlowStack; files: Buffer[]; keys: string[] } {
  const stack = new FakeFlowStack(AFTER);
  // Three windows of the hour, the last one running past its end (records starting in the next hour).
  const windows = [HOUR_START, HOUR_START + 1500, HOUR_START + 3400];
  const files = windows.map((start, index) => flowLogFile({ accountId: ACCOUNT, windowStart: start, records: 3000, seed: index + 1, spanSeconds: 400 }));
  const keys = windows.map((start, index) => flowLogKey(ACCOUNT, start, `h${index}`));
  files.forEach((file, index) => stack.put(keys[index], file));
  return { stack, files, keys };
}

async function ingestAll(stack: FakeFlowStack, keys: string[]): Promise<void> {
  for (const key of keys) await ingestObject({ bucket: 'logs', key, etag: `e-${key}` }, stack.ingestDeps());
}

describe('flow log pipeline: ingest per object, compact per account-hour', () => {
  it('registers each object under the hours of its records and counts NODATA', async () => {
    const { stack, files, keys } = setup();
    await ingestAll(stack, keys);
    const raw = rawRecords(files);
    const items = keys.map((key) => stack.ingested.get(`s3://logs/${key}`));
    expect(items.map((item) => item?.status)).toEqual(['DONE', 'DONE', 'DONE']);
    expect(items.reduce((sum, item) => sum + (item?.accepted ?? 0), 0)).toBe(raw.length);
    expect(items.reduce((sum, item) => sum + (item?.nodata ?? 0), 0)).toBe(raw.filter((r) => r[13] === 'NODATA').length);
    expect(items[2]?.hours).toEqual([`flow#${ACCOUNT}#2026-03-01T10`, `flow#${ACCOUNT}#2026-03-01T11`]);
    expect(new Set(stack.requests.map((r) => r.hourKey))).toEqual(new Set([`flow#${ACCOUNT}#2026-03-01T10`, `flow#${ACCOUNT}#2026-03-01T11`]));
  });

  it('writes one item per interface and hour whose totals match the raw records, in and out', async () => {
    const { stack, files, keys } = setup();
    await ingestAll(stack, keys);
    const outcome = await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps());
    expect(outcome.status).toBe('compacted');
    const raw = rawRecords(files).filter((r) => r[13] === 'OK' && Number(r[10]) < HOUR_START + 3600);
    for (let index = 0; index < 8; index++) {
      const eni = interfaceIdOf(index);
      const [item] = stack.query(`flow-eni#${eni}`) as unknown as FlowInterfaceItem[];
      const mine = raw.filter((r) => r[2] === eni);
      const inbound = mine.filter((r) => r[4] === interfaceAddressOf(index));
      const outbound = mine.filter((r) => r[3] === interfaceAddressOf(index));
      expect(item.totals.in.bytes).toBe(inbound.reduce((sum, r) => sum + Number(r[9]), 0));
      expect(item.totals.out.bytes).toBe(outbound.reduce((sum, r) => sum + Number(r[9]), 0));
      expect(item.totals.unknown.flows).toBe(0);
      expect(item.totals.in.rejectedFlows + item.totals.out.rejectedFlows).toBe(mine.filter((r) => r[12] === 'REJECT').length);
      // The drill-down rows add up to the totals.
      const rows = interfaceRows(item);
      expect(rows.reduce((sum, row) => sum + row[1], 0)).toBe(item.totals.in.bytes + item.totals.out.bytes);
      const port22 = rows.filter((row) => row[0].endsWith('|6|22')).reduce((sum, row) => sum + row[1], 0);
      expect(port22).toBe(mine.filter((r) => r[6] === '22').reduce((sum, r) => sum + Number(r[9]), 0));
    }
    const peers = decodeBody<FlowPeersBody>(stack.query(`flow-peers#${ACCOUNT}`)[0].body as Uint8Array);
    const peer = '198.51.0.2';
    const expected = raw.filter((r) => r[3] === peer || r[4] === peer).reduce((sum, r) => sum + Number(r[9]), 0);
    const stored = peers.peers[peer].reduce((sum, entry) => sum + entry[1] + entry[2], 0);
    expect(stored).toBe(expected);
    // Writes per compaction: one per interface, the peer index, the account registration, the manifest.
    expect(stack.activityWrites).toBe(8 + 3);
  });

  it('counts a file once when the same file arrives under another key, and a redelivery is not read again', async () => {
    const { stack, files, keys } = setup();
    await ingestAll(stack, keys);
    await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps());
    const before = structuredClone([...stack.activity.entries()].filter(([key]) => !key.startsWith('flow-account#')));
    const copy = `backup/AWSLogs/o-abcdefghij/${keys[0].slice('AWSLogs/'.length)}`;
    stack.put(copy, files[0], 'e-copy');
    await ingestObject({ bucket: 'logs', key: copy, etag: 'e-copy' }, stack.ingestDeps());
    const redelivery = await ingestObject({ bucket: 'logs', key: keys[1], etag: `e-${keys[1]}` }, stack.ingestDeps());
    expect(redelivery.status).toBe('DUPLICATE');
    const again = await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps());
    expect(again).toMatchObject({ status: 'compacted', objects: 4, files: 3 });
    expect([...stack.activity.entries()].filter(([key]) => !key.startsWith('flow-account#'))).toEqual(before);
    expect(await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps())).toMatchObject({ status: 'unchanged' });
  });

  it('writes the same items after a crash halfway through a compaction', async () => {
    const reference = setup();
    await ingestAll(reference.stack, reference.keys);
    await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, reference.stack.compactionDeps());
    const { stack, keys } = setup();
    await ingestAll(stack, keys);
    stack.crashAfterWrites = 4;
    await expect(compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps())).rejects.toThrow('crash');
    expect(stack.query(`flow-account#${ACCOUNT}`)).toEqual([]);
    await compactFlowHour(`flow#${ACCOUNT}#2026-03-01T10`, stack.compactionDeps());
    const strip = (entries: [string, Record<string, unknown>][]) => entries.map(([key, item]) => [key, { ...item, compactedAt: undefined }]).sort();
    expect(strip([...stack.activity.entries()])).toEqual(strip([...reference.stack.activity.entries()]));
  });

  it('records a damaged object with the records before the damage, and skips a key that names no flow log file', async () => {
    const stack = new FakeFlowStack(AFTER);
    const file = flowLogFile({ accountId: ACCOUNT, windowStart: HOUR_START, records: 2000 });
    const key = flowLogKey(ACCOUNT, HOUR_START, 'broken');
    stack.put(key, file.subarray(0, Math.floor(file.length / 2)));
    const result = await ingestObject({ bucket: 'logs', key }, stack.ingestDeps());
    expect(result.status).toBe('DONE_WITH_ERRORS');
    expect(result.error).toMatch(/^gzip/);
    expect(result.accepted).toBeGreaterThan(0);
    const odd = await ingestObject({ bucket: 'logs', key: `AWSLogs/${ACCOUNT}/vpcflowlogs/eu-west-1/notes.txt` }, stack.ingestDeps());
    expect(odd.status).toBe('SKIPPED');
  });
});

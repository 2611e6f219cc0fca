import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import { foldFlowLog, MAX_KERNEL_RECORDS, type FlowCore, type FlowLogFile, type FoldedFlowLog } from '../../lambdas/compact-hour/fold-flow-log';
import { ObjectGoneError } from '../../lambdas/adapters/s3-objects';
import { parseFlowLogKey } from '../../lambdas/core/flowlogs/flow-key';
import { interfaceItem, peersItem } from '../../lambdas/core/flowlogs/flow-items';
import { FLOW_HEADER, flowLogKey, flowLogText } from '../helpers/flow-logs';

/**
 * The compaction's fold of one flow log's account-hour (fold-flow-log.ts) by both cores: the WebAssembly kernel
 * where it covers the log, the JavaScript core otherwise. Every interface item and the peer index item must be
 * byte for byte the JavaScript core's, the file counts (read, missing, damaged) the same, and the flows equal to
 * tallies of the raw lines made here.
 */
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const FIXTURES = join(__dirname, '..', 'fixtures', 'flowlogs');

/** An in-memory bucket: objects by key, each read in 8 KB chunks as S3 streams them. */
function bucket(objects: Map<string, Buffer>) {
  return async (_bucket: string, key: string) => {
    const body = objects.get(key);
    if (!body) throw new ObjectGoneError('logs', key);
    return {
      format: 'text' as const,
      body: (async function* () {
        for (let at = 0; at < body.length; at += 8192) yield body.subarray(at, at + 8192);
      })(),
    };
  };
}

function fileOf(key: string, records = 0): FlowLogFile {
  const name = parseFlowLogKey(key);
  if (!name) throw new Error(`not a flow log key: ${key}`);
  return { objectKey: `s3://logs/${key}`, bucket: 'logs', key, name, records };
}

/** Every item the compaction stores from the fold, as comparable text (bodies as base64: byte-identical). */
function storedItems(folded: FoldedFlowLog): string[] {
  const json = (item: { body: Uint8Array }) => JSON.stringify({ ...item, body: Buffer.from(item.body).toString('base64') });
  return [...folded.hour.interfaces.map((iface) => json(interfaceItem(folded.hour, iface, 1))), json(peersItem(folded.hour, 1))];
}

async function bothCores(files: FlowLogFile[], objects: Map<string, Buffer>, accountId = ACCOUNT, hour = HOUR): Promise<Record<FlowCore, FoldedFlowLog>> {
  const kernel = await foldFlowLog(files, accountId, hour, bucket(objects), 'kernel');
  const javascript = await foldFlowLog(files, accountId, hour, bucket(objects), 'javascript');
  expect(javascript.core).toBe('javascript');
  expect(storedItems(kernel)).toEqual(storedItems(javascript));
  expect(kernel.hour.counts).toEqual(javascript.hour.counts);
  for (const count of ['missingObjects', 'damagedObjects'] as const) expect(kernel[count]).toBe(javascript[count]);
  expect([...kernel.filesRead].sort()).toEqual([...javascript.filesRead].sort());
  kernel.release();
  return { kernel, javascript };
}

/** OK flows of the account-hour, tallied from the raw text (the header naming the fields). */
function tallyOk(texts: readonly string[], accountId = ACCOUNT, hourStart = T0): number {
  let ok = 0;
  for (const text of texts) {
    const [header, ...lines] = text.split('\n');
    const at = Object.fromEntries(header.split(' ').map((field, index) => [field, index]));
    for (const line of lines) {
      const fields = line.split(' ');
      if (fields.length !== header.split(' ').length || fields[at['log-status']] !== 'OK') continue;
      const address = (text: string) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(text) || text.includes(':');
      const port = (text: string) => /^\d{1,5}$/.test(text) && Number(text) <= 65535;
      if (!address(fields[at.srcaddr]) || !address(fields[at.dstaddr]) || !port(fields[at.srcport]) || !port(fields[at.dstport])) continue;
      const start = Number(fields[at.start]);
      if (fields[at['account-id']] === accountId && start >= hourStart && start < hourStart + 3600) ok++;
    }
  }
  return ok;
}

const flowsOf = (folded: FoldedFlowLog): number => folded.hour.counts.flows;

describe('foldFlowLog: the kernel and the JavaScript core store the same items', () => {
  test('default-format files go through the kernel, with other accounts, other hours and NODATA lines', async () => {
    const objects = new Map<string, Buffer>();
    const texts: string[] = [];
    const files: FlowLogFile[] = [];
    for (let i = 0; i < 4; i++) {
      // The last file's window starts in the hour after: its records are outside this hour.
      const start = T0 + (i === 3 ? 3600 : i * 900);
      let text = flowLogText({ accountId: ACCOUNT, windowStart: start, records: 3000 + 500 * i, interfaces: 30, peers: 700, seed: 11 + i, shape: i % 2 ? 'uniform' : 'heavy-tail' });
      if (i === 1) text += flowLogText({ accountId: OTHER, windowStart: start, records: 400, seed: 5 }).split('\n').slice(1).join('\n');
      const key = flowLogKey(ACCOUNT, start, `h${i}`);
      objects.set(key, gzipSync(text));
      texts.push(text);
      files.push(fileOf(key, 3000 + 500 * i));
    }
    const { kernel } = await bothCores(files, objects);
    expect(kernel.core).toBe('kernel');
    expect(kernel.fallbackReason).toBeUndefined();
    expect(flowsOf(kernel)).toBe(tallyOk(texts));
    expect(flowsOf(kernel)).toBeGreaterThan(8000);
    expect(kernel.filesRead.size).toBe(4);
  });

  test('the documentation examples: bad lines stay in the kernel, IPv6 and a custom format fall back', async () => {
    const cases = [
      { file: 'bad-lines.log', core: 'kernel', hour: '2014-12-14T04', hourStart: 1418529600 },
      { file: 'default-format.log', core: 'javascript', hour: '2014-12-14T04', hourStart: 1418529600 },
      { file: 'tcp-flags.log', core: 'javascript', hour: undefined, hourStart: 0 },
    ];
    for (const { file, core, hour, hourStart } of cases) {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const start = Number(/ (1\d{9}) /.exec(text.split('\n')[1])?.[1]);
      const hourOf = hour ?? new Date(start * 1000).toISOString().slice(0, 13);
      const key = flowLogKey('123456789010', Math.floor(start / 3600) * 3600, 'doc');
      const { kernel } = await bothCores([fileOf(key)], new Map([[key, gzipSync(text)]]), '123456789010', hourOf);
      expect({ file, core: kernel.core }).toEqual({ file, core });
      if (core === 'javascript') expect(kernel.fallbackReason).toEqual(expect.any(String));
      if (file === 'bad-lines.log') expect(flowsOf(kernel)).toBe(tallyOk([text], '123456789010', hourStart));
    }
  });

  test('any number of protocols stays in the kernel (its rows keyed by a (protocol, port) dictionary)', async () => {
    const lines = [FLOW_HEADER];
    // 40 protocols (TCP, UDP, ICMP, ICMPv6, GRE, ESP, SCTP, … and unassigned numbers), each on two ports and
    // two peers, some rejected: rows, pairs and their port lists all mix protocols.
    const protocols = [6, 17, 1, 58, 47, 50, 51, 132, 2, 4, 41, 89, 103, 112, 115, 136, 137, 0, 255, 254, ...Array.from({ length: 20 }, (_, i) => 140 + i)];
    protocols.forEach((protocol, i) => {
      for (const port of [443, 1000 + i])
        for (const peer of [1, 2]) lines.push(`2 ${ACCOUNT} eni-0a000000000000001 10.0.0.4 203.0.113.${peer} 40000 ${port} ${protocol} 3 ${300 + i} ${T0 + i} ${T0 + 60} ${i % 3 ? 'ACCEPT' : 'REJECT'} OK`);
    });
    const key = flowLogKey(ACCOUNT, T0, 'p40');
    const { kernel } = await bothCores([fileOf(key)], new Map([[key, gzipSync(`${lines.join('\n')}\n`)]]));
    expect(kernel.core).toBe('kernel');
    expect(kernel.fallbackReason).toBeUndefined();
    expect(flowsOf(kernel)).toBe(lines.length - 1);
    const rows = kernel.hour.interfaces[0].rows;
    expect(new Set(rows.map(([key]) => key.split('|')[3])).size).toBe(protocols.length);
  });

  test('a truncated gzip keeps the lines before the damage; an empty object and a gone one are counted', async () => {
    const text = flowLogText({ accountId: ACCOUNT, windowStart: T0, records: 20_000, interfaces: 12, peers: 300, seed: 3 });
    const whole = gzipSync(text);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const keys = { whole: flowLogKey(ACCOUNT, T0 + 600, 'w'), cut: flowLogKey(ACCOUNT, T0, 'c'), empty: flowLogKey(ACCOUNT, T0 + 300, 'e'), gone: flowLogKey(ACCOUNT, T0 + 900, 'g') };
    const other = flowLogText({ accountId: ACCOUNT, windowStart: T0 + 600, records: 500, seed: 4 });
    const objects = new Map([
      [keys.cut, cut],
      [keys.empty, gzipSync('')],
      [keys.whole, gzipSync(other)],
    ]);
    const files = [fileOf(keys.cut), fileOf(keys.empty), fileOf(keys.gone), fileOf(keys.whole)];
    const { kernel } = await bothCores(files, objects);
    expect(kernel).toMatchObject({ core: 'kernel', damagedObjects: 2, missingObjects: 1 });
    expect(kernel.fallbackReason).toBeUndefined();
    // What gunzip gives of the cut file before the damage, then its complete lines: an upper bound (a stream may
    // stop a little earlier), and most of the file's first 60%.
    const partial = gunzipSync(cut, { finishFlush: zlib.Z_SYNC_FLUSH }).toString('latin1');
    const completeLines = partial.slice(0, partial.lastIndexOf('\n') + 1);
    const cutFlows = flowsOf(kernel) - tallyOk([other]);
    expect(cutFlows).toBeLessThanOrEqual(tallyOk([completeLines]));
    expect(cutFlows).toBeGreaterThan(tallyOk([completeLines]) - 200);
    expect(cutFlows).toBeGreaterThan(tallyOk([text]) * 0.5);
  });

  test('a gzip cut at a line that reads as a record: the cut line is not counted', async () => {
    const record = (i: number) => `2 ${ACCOUNT} eni-0a000000000000001 10.0.0.4 203.0.113.${i} 40000 443 6 3 300 ${T0 + i} ${T0 + 60} ACCEPT OK`;
    // The stream ends (no trailer) right after a whole record without its newline: as readFlowText, that line
    // may be the start of a longer one and is left out.
    const text = `${FLOW_HEADER}\n${record(1)}\n${record(2)}\n${record(3)}`;
    const key = flowLogKey(ACCOUNT, T0, 'flush');
    const { kernel } = await bothCores([fileOf(key)], new Map([[key, gzipSync(text, { finishFlush: zlib.Z_FULL_FLUSH })]]));
    expect(kernel).toMatchObject({ core: 'kernel', damagedObjects: 1 });
    expect(flowsOf(kernel)).toBe(2);
  });

  test('the same file under two keys is read once', async () => {
    const text = flowLogText({ accountId: ACCOUNT, windowStart: T0, records: 800, seed: 9 });
    const key = flowLogKey(ACCOUNT, T0, 'twice');
    const copy = `copies/${key.split('/').pop()}`;
    const objects = new Map([
      [key, gzipSync(text)],
      [copy, gzipSync(text)],
    ]);
    const { kernel } = await bothCores([fileOf(key), fileOf(copy)], objects);
    expect(kernel.filesRead.size).toBe(1);
    expect(flowsOf(kernel)).toBe(tallyOk([text]));
  });

  test('folds running at once (local mode compacts several hours concurrently) each keep their own kernel', async () => {
    const hours = [0, 1, 2].map((i) => {
      const text = flowLogText({ accountId: ACCOUNT, windowStart: T0, records: 4000, interfaces: 10, peers: 200, seed: 30 + i });
      const key = flowLogKey(ACCOUNT, T0, `c${i}`);
      return { text, files: [fileOf(key, 4000)], objects: new Map([[key, gzipSync(text)]]) };
    });
    // Started together and interleaved at every chunk; each result read only after all have finished.
    const folded = await Promise.all(hours.map(({ files, objects }) => foldFlowLog(files, ACCOUNT, HOUR, bucket(objects), 'kernel')));
    for (const [i, { files, objects, text }] of hours.entries()) {
      const javascript = await foldFlowLog(files, ACCOUNT, HOUR, bucket(objects), 'javascript');
      expect(folded[i].core).toBe('kernel');
      expect(storedItems(folded[i])).toEqual(storedItems(javascript));
      expect(flowsOf(folded[i])).toBe(tallyOk([text]));
    }
    // Released, an instance serves the next fold; a result still held is not overwritten by it.
    folded[0].release();
    const again = await foldFlowLog(hours[2].files, ACCOUNT, HOUR, bucket(hours[2].objects), 'kernel');
    expect(storedItems(again)).toEqual(storedItems(folded[2]));
    expect(storedItems(folded[1])).toEqual(storedItems(await foldFlowLog(hours[1].files, ACCOUNT, HOUR, bucket(hours[1].objects), 'javascript')));
    for (const fold of [again, folded[1], folded[2]]) fold.release();
  });

  test('a detached hour survives its kernel folding the next log (one instance per compaction)', async () => {
    const logs = [0, 1].map((i) => {
      const text = flowLogText({ accountId: ACCOUNT, windowStart: T0, records: 5000, interfaces: 12, peers: 400, seed: 50 + i, shape: i ? 'uniform' : 'heavy-tail' });
      const key = flowLogKey(ACCOUNT, T0, `d${i}`, 'eu-west-1', `fl-0d${i}00000000000000`);
      return { text, files: [fileOf(key, 5000)], objects: new Map([[key, gzipSync(text)]]) };
    });
    const first = await foldFlowLog(logs[0].files, ACCOUNT, HOUR, bucket(logs[0].objects), 'kernel');
    first.detach();
    // The instance the first hour read is idle again: the second log's fold takes it and overwrites its memory.
    const second = await foldFlowLog(logs[1].files, ACCOUNT, HOUR, bucket(logs[1].objects), 'kernel');
    first.release(); // after detach(): must not hand the instance the second hour reads to another fold
    const third = await foldFlowLog(logs[0].files, ACCOUNT, HOUR, bucket(logs[0].objects), 'kernel');
    for (const [i, folded] of [first, second, third].entries()) {
      const log = logs[i % 2];
      expect(folded.core).toBe('kernel');
      expect(storedItems(folded)).toEqual(storedItems(await foldFlowLog(log.files, ACCOUNT, HOUR, bucket(log.objects), 'javascript')));
      expect(flowsOf(folded)).toBe(tallyOk([log.text]));
    }
    for (const folded of [second, third]) folded.release();
  });

  test('an hour with more records than the kernel is laid out for goes to the JavaScript core', async () => {
    const text = flowLogText({ accountId: ACCOUNT, windowStart: T0, records: 100, seed: 2 });
    const key = flowLogKey(ACCOUNT, T0, 'big');
    const { kernel } = await bothCores([fileOf(key, MAX_KERNEL_RECORDS + 1)], new Map([[key, gzipSync(text)]]));
    expect(kernel.core).toBe('javascript');
    expect(kernel.fallbackReason).toMatch(/more than/);
  });

  test('no memory for a kernel instance: the JavaScript core folds the hour', async () => {
    const text = flowLogText({ accountId: ACCOUNT, windowStart: T0, records: 300, seed: 8 });
    const key = flowLogKey(ACCOUNT, T0, 'oom');
    // A capacity no idle instance has, so a new one is made; the runtime cannot give it memory.
    const webAssembly = (globalThis as unknown as { WebAssembly: { Instance: new (...args: unknown[]) => object } }).WebAssembly;
    const instance = jest.spyOn(webAssembly, 'Instance').mockImplementation(() => {
      throw new RangeError('WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance');
    });
    try {
      const { kernel } = await bothCores([fileOf(key, MAX_KERNEL_RECORDS - 1)], new Map([[key, gzipSync(text)]]));
      expect(kernel.core).toBe('javascript');
      expect(kernel.fallbackReason).toMatch(/no memory/);
      expect(flowsOf(kernel)).toBe(tallyOk([text]));
    } finally {
      instance.mockRestore();
    }
  });
});

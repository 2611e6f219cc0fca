import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FlowHourAggregator, MAX_PEER_PAIRS, MAX_PEERS, MAX_ROWS_PER_INTERFACE, type FlowHour, type FlowRow } from '../../lambdas/core/flowlogs/flow-aggregate';
import { interfaceItem, peersItem } from '../../lambdas/core/flowlogs/flow-items';
import { readFlowText } from '../../lambdas/core/flowlogs/read-text';
import { WasmFlowHour, type WasmFlowHourResult } from '../../lambdas/core/flowlogs/wasm-flow-hour';
import { FLOW_KERNEL_SOURCE_SHA256 } from '../../lambdas/core/flowlogs/wasm/flow-kernel-wasm';
import { FLOW_HEADER, flowLogText } from '../helpers/flow-logs';

/**
 * The WebAssembly kernel's account-hour (wasm-flow-hour.ts) against FlowHourAggregator's on the same objects: every
 * interface item and the peer index item byte for byte, and the counts against tallies of the raw lines made here.
 */
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const HOUR = '2026-03-01T10';
const HOUR_START = Date.parse(`${HOUR}:00:00Z`) / 1000;
const EXPIRES = 1_800_000_000;
/** The malformed lines mixedObject puts in (the tallies skip them). */
const BAD_LINES = new Set<string>();

interface LogObject {
  keyAccount: string;
  text: string;
}

async function jsHour(objects: readonly LogObject[]): Promise<{ hour: FlowHour; rejected: number }> {
  const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
  let rejected = 0;
  for (const object of objects) {
    const gz = gzipSync(object.text);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = 0; at < gz.length; at += 8192) yield gz.subarray(at, at + 8192);
    }
    await readFlowText(chunks(), { add: (record) => aggregator.add(record, object.keyAccount), reject: () => void rejected++ });
  }
  return { hour: aggregator.finish(), rejected };
}

function wasmHour(kernel: WasmFlowHour, objects: readonly LogObject[], chunkBytes = 50_000): WasmFlowHourResult {
  kernel.begin(ACCOUNT, HOUR);
  for (const object of objects) {
    kernel.beginFile(object.keyAccount);
    const bytes = gunzipSync(gzipSync(object.text));
    for (let at = 0; at < bytes.length; at += chunkBytes) kernel.push(bytes.subarray(at, at + chunkBytes));
    kernel.endFile();
  }
  return kernel.finish();
}

/** An item as comparable JSON, its gzip body as base64 (byte-identical bodies, not only equal rows). */
function itemJson(item: { body: Uint8Array }): string {
  return JSON.stringify({ ...item, body: Buffer.from(item.body).toString('base64') });
}

/** Independent tallies of the raw lines: OK and NODATA lines of the account-hour, lines outside it. */
function tally(objects: readonly LogObject[]): { ok: number; nodata: number; skipdata: number; outside: number; bytes: number } {
  const t = { ok: 0, nodata: 0, skipdata: 0, outside: 0, bytes: 0 };
  for (const object of objects) {
    const lines = object.text.split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(' ');
      if (f.length !== 14 || BAD_LINES.has(line)) continue;
      const account = f[1] === '-' ? object.keyAccount : f[1];
      const start = Number(f[10]);
      if (account !== ACCOUNT || start < HOUR_START || start >= HOUR_START + 3600) t.outside++;
      else if (f[13] === 'NODATA') t.nodata++;
      else if (f[13] === 'SKIPDATA') t.skipdata++;
      else {
        t.ok++;
        t.bytes += Number(f[9]);
      }
    }
  }
  return t;
}

async function expectSameItems(objects: readonly LogObject[], kernel: WasmFlowHour): Promise<{ js: FlowHour; wasm: FlowHour }> {
  const js = await jsHour(objects);
  const result = wasmHour(kernel, objects);
  if (!result.supported) throw new Error(`unsupported: ${result.reason}`);
  const wasm = result.hour;
  expect(result.rejected).toBe(js.rejected);
  expect(wasm.counts).toEqual(js.hour.counts);
  expect(wasm.cappedPeers).toBe(js.hour.cappedPeers);
  expect(wasm.interfaces.map((iface) => iface.interfaceId)).toEqual(js.hour.interfaces.map((iface) => iface.interfaceId));
  for (let i = 0; i < js.hour.interfaces.length; i++) {
    expect(itemJson(interfaceItem(wasm, wasm.interfaces[i], EXPIRES))).toBe(itemJson(interfaceItem(js.hour, js.hour.interfaces[i], EXPIRES)));
  }
  expect(itemJson(peersItem(wasm, EXPIRES))).toBe(itemJson(peersItem(js.hour, EXPIRES)));
  // The documented records, built from the views when read: the peer index in the same order, the rows in any order.
  expect(JSON.stringify(wasm.peers)).toBe(JSON.stringify(js.hour.peers));
  expect(JSON.stringify(wasm.peerPorts)).toBe(JSON.stringify(js.hour.peerPorts));
  const byKey = (rows: readonly FlowRow[]): FlowRow[] => [...rows].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (let i = 0; i < js.hour.interfaces.length; i++) expect(byKey(wasm.interfaces[i].rows)).toEqual(byKey(js.hour.interfaces[i].rows));
  // Encoding leaves the hour as it was (the same item twice).
  for (let i = 0; i < js.hour.interfaces.length; i++) {
    expect(itemJson(interfaceItem(wasm, wasm.interfaces[i], EXPIRES))).toBe(itemJson(interfaceItem(js.hour, js.hour.interfaces[i], EXPIRES)));
  }
  // Against the raw lines, not only against the JavaScript path.
  const t = tally(objects);
  expect(wasm.counts.flows).toBe(t.ok);
  expect(wasm.counts.nodata).toBe(t.nodata);
  expect(wasm.counts.skipdata).toBe(t.skipdata);
  expect(wasm.counts.outsideHour).toBe(t.outside);
  const sum = (f: (hour: FlowHour['interfaces'][number]) => number): number => wasm.interfaces.reduce((s, iface) => s + f(iface), 0);
  expect(sum((iface) => iface.totals.in.flows + iface.totals.out.flows + iface.totals.unknown.flows)).toBe(t.ok);
  expect(sum((iface) => iface.totals.in.bytes + iface.totals.out.bytes + iface.totals.unknown.bytes)).toBe(t.bytes);
  expect(sum((iface) => iface.rows.reduce((s, row) => s + row[3], 0))).toBe(t.ok);
  return { js: js.hour, wasm };
}

/** A default-format object of the hour, crossing both its ends, with hand-made lines among the generated ones. */
function mixedObject(seed: number): LogObject {
  const text = flowLogText({ accountId: ACCOUNT, windowStart: HOUR_START - 300, spanSeconds: 3600 + 600, records: 20_000, interfaces: 6, peers: 400, seed });
  const eni = 'eni-0000000000a000001';
  const extra = [
    'garbage line',
    '',
    '   ',
    `2 ${ACCOUNT} ${eni} 10.0.0.5 198.51.0.9 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} ACCEPT OK extra-field`,
    `2 ${ACCOUNT} not-an-eni 10.0.0.5 198.51.0.9 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} ACCEPT OK`,
    `2 ${ACCOUNT} ${eni} 10.0.0.5 198.51.0.9 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} MAYBE OK`,
    `2 ${ACCOUNT} ${eni} 010.0.0.5 198.51.0.9 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} ACCEPT OK`,
    `2 ${ACCOUNT} ${eni} - - - - - - - ${HOUR_START + 100} ${HOUR_START + 160} - SKIPDATA`,
    `2 ${ACCOUNT} eni-0000000000a0000ff - - - - - - - ${HOUR_START + 100} ${HOUR_START + 160} - NODATA`,
    // the object key's account, another account, and neither address the interface's own (unknown direction)
    `2 - ${eni} 10.0.0.5 198.51.0.9 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} ACCEPT OK`,
    `2 ${OTHER} ${eni} 10.0.0.5 198.51.0.9 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} ACCEPT OK`,
    `2 ${ACCOUNT} ${eni} 172.31.7.7 172.31.8.8 1234 5432 6 5 700 ${HOUR_START + 7} ${HOUR_START + 67} REJECT OK`,
    `2 ${ACCOUNT} ${eni} 198.51.9.9 198.51.9.10 53 40000 17 1 80 ${HOUR_START + 9} ${HOUR_START + 69} ACCEPT OK\r`,
    `2 ${ACCOUNT} ${eni} 10.0.0.5 198.51.0.9 - - 1 2 200 ${HOUR_START + 11} ${HOUR_START + 71} ACCEPT OK`,
    // one pair with 12 port codes (the peer index keeps the first 8 by arrival), some seen twice
    ...[9000, 21, 9001, 22, 21, 23, 9002, 24, 25, 9000, 26, 27, 28, 29].map(
      (port, i) => `2 ${ACCOUNT} eni-0000000000a000002 203.0.113.7 10.0.0.6 60000 ${port} ${i % 3 === 0 ? 17 : 6} 1 ${50 + i} ${HOUR_START + 20 + i} ${HOUR_START + 80} ACCEPT OK`,
    ),
  ];
  for (const line of extra.slice(0, 7)) BAD_LINES.add(line);
  const lines = text.trimEnd().split('\n');
  for (let i = 0; i < extra.length; i++) lines.splice(1 + i * 997, 0, extra[i]);
  return { keyAccount: ACCOUNT, text: `${lines.join('\n')}\n` };
}

describe('wasm flow hour', () => {
  const kernel = new WasmFlowHour(400_000);

  test('the compiled kernel is the source in wasm/as (rebuild with node lambdas/core/flowlogs/wasm/build.mjs)', () => {
    const source = readFileSync(join(__dirname, '../../lambdas/core/flowlogs/wasm/as/flow-kernel.ts'));
    expect(createHash('sha256').update(source).digest('hex')).toBe(FLOW_KERNEL_SOURCE_SHA256);
  });

  test('mixed objects: rejected, blank, NODATA, SKIPDATA, other hours and accounts, unknown direction', async () => {
    const objects = [mixedObject(1), mixedObject(2), { keyAccount: ACCOUNT, text: flowLogText({ accountId: OTHER, windowStart: HOUR_START, records: 500, seed: 3 }) }];
    const { js, wasm } = await expectSameItems(objects, kernel);
    expect(js.counts.skipdata).toBeGreaterThan(0);
    expect(js.counts.nodata).toBeGreaterThan(0);
    expect(js.counts.outsideHour).toBeGreaterThan(500);
    expect(js.interfaces.some((iface) => iface.totals.unknown.flows > 0)).toBe(true);
    expect(wasm.interfaces.some((iface) => iface.rows.some((row) => row[0].endsWith('|1|-1')))).toBe(true);
    expect(js.peerPorts['203.0.113.7']['eni-0000000000a000002']).toHaveLength(8);
  });

  test.each([21, 22, 23])('heavy-tail objects, seed %i', async (seed) => {
    const objects = [0, 1].map((k) => ({
      keyAccount: ACCOUNT,
      text: flowLogText({ accountId: ACCOUNT, windowStart: HOUR_START + k * 1800 - 60, spanSeconds: 1900, records: 15_000, interfaces: 12, peers: 3000, seed: seed * 10 + k, shape: 'heavy-tail' }),
    }));
    await expectSameItems(objects, kernel);
  });

  test('an interface past the live row cap', async () => {
    const text = flowLogText({ accountId: ACCOUNT, windowStart: HOUR_START, spanSeconds: 3000, records: 30_000, interfaces: 2, peers: 6000, seed: 7 });
    const { js } = await expectSameItems([{ keyAccount: ACCOUNT, text }], kernel);
    expect(js.interfaces.some((iface) => iface.cappedFlows > 0 && iface.rows.length > MAX_ROWS_PER_INTERFACE)).toBe(true);
  });

  test('the same hour in any chunking', async () => {
    const objects = [mixedObject(4)];
    const a = wasmHour(kernel, objects, 1);
    const b = wasmHour(kernel, objects, 65_536 * 3 + 7);
    if (!a.supported || !b.supported) throw new Error('unsupported');
    expect(a.hour.interfaces.map((iface) => itemJson(interfaceItem(a.hour, iface, EXPIRES)))).toEqual(b.hour.interfaces.map((iface) => itemJson(interfaceItem(b.hour, iface, EXPIRES))));
    expect(itemJson(peersItem(a.hour, EXPIRES))).toBe(itemJson(peersItem(b.hour, EXPIRES)));
  });

  test('peers past MAX_PEERS, then pairs past MAX_PEER_PAIRS', async () => {
    // 60,000 peers once each (the last 10,000 past MAX_PEERS), then the first 30,000 on two more interfaces
    // (pairs 50,000 -> 110,000: the last 10,000 past MAX_PEER_PAIRS).
    const lines = [FLOW_HEADER];
    const line = (iface: number, n: number, i: number): string => {
      const peer = `198.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const own = `10.0.0.${iface + 4}`;
      const start = HOUR_START + (i % 3500);
      return i % 2 === 0
        ? `2 ${ACCOUNT} eni-0b${iface} ${peer} ${own} ${40000 + (i % 999)} 443 6 2 ${100 + (i % 77)} ${start} ${start + 30} ACCEPT OK`
        : `2 ${ACCOUNT} eni-0b${iface} ${own} ${peer} ${40000 + (i % 999)} 22 6 2 ${100 + (i % 77)} ${start} ${start + 30} REJECT OK`;
    };
    let i = 0;
    for (let n = 0; n < 60_000; n++) lines.push(line(n % 4, n, i++));
    for (let n = 0; n < 30_000; n++) for (const shift of [1, 2]) lines.push(line((n + shift) % 4, n, i++));
    const big = new WasmFlowHour(200_000);
    const { js } = await expectSameItems([{ keyAccount: ACCOUNT, text: `${lines.join('\n')}\n` }], big);
    expect(Object.keys(js.peers).length).toBe(MAX_PEERS);
    expect(Object.values(js.peers).reduce((sum, byInterface) => sum + Object.keys(byInterface).length, 0)).toBe(MAX_PEER_PAIRS);
    expect(js.cappedPeers).toBe(20_000);
  });

  test('edge-case lines: parsed, rejected or unsupported as the JavaScript parser does', async () => {
    const base = ['2', ACCOUNT, 'eni-0000000000a000001', '10.0.0.5', '198.51.0.9', '443', '50000', '6', '3', '300', `${HOUR_START + 5}`, `${HOUR_START + 65}`, 'ACCEPT', 'OK'];
    const variant = (index: number, value: string): string => base.map((field, i) => (i === index ? value : field)).join(' ');
    const lines = [
      base.join(' '),
      base.join('  '),
      base.join('\t'),
      ` ${base.join(' ')}`,
      `${base.join(' ')} `,
      variant(0, 'x'), variant(0, '-'), variant(0, '5'),
      variant(1, '11112222333'), variant(1, '1111222233334'), variant(1, '-'),
      variant(2, 'ENI-0a'), variant(2, `eni-${'a'.repeat(33)}`), variant(2, 'eni-xyz'), variant(2, 'eni-'), variant(2, 'abcdefghi-0a'), variant(2, 'i-0a'), variant(2, '-'),
      variant(3, '256.0.0.1'), variant(3, '1.2.3'), variant(3, '1.2.3.4.5'), variant(3, '01.2.3.4'), variant(3, '-'), variant(4, '0.0.0.0'),
      variant(5, '65535'), variant(5, '65536'), variant(5, '-1'), variant(5, '+5'), variant(5, '05'), variant(5, '-'),
      variant(7, '255'), variant(7, '256'), variant(7, '-'), variant(7, '17'), variant(7, '1'), variant(7, '58'), variant(7, '47'),
      variant(8, '-'), variant(8, '0'), variant(9, '999999999999999'), variant(9, '9999999999999999'), variant(9, '1e3'), variant(9, '-'),
      variant(10, `${HOUR_START + 70}`), variant(10, '-'), variant(10, '0'), variant(11, '-'), variant(11, `${2 ** 32}`),
      variant(12, 'accept'), variant(12, '-'), variant(12, 'REJECT'),
      variant(13, 'ok'), variant(13, '-'), variant(13, 'NODATA'), variant(13, 'SKIPDATA'), variant(13, 'OKAY'),
      base.slice(0, 13).join(' '),
      `${base.join(' ')} extra`,
      'x'.repeat(20_000),
      `${'y '.repeat(10_000)}`,
    ];
    const results: string[] = [];
    for (const line of lines) {
      const text = `${FLOW_HEADER}\n${base.join(' ')}\n${line}\n${variant(3, '10.0.0.7')}\n`;
      const objects = [{ keyAccount: ACCOUNT, text }];
      const result = wasmHour(kernel, objects);
      if (!result.supported) {
        results.push(`unsupported: ${result.reason}`);
        continue;
      }
      const js = await jsHour(objects);
      const same =
        result.rejected === js.rejected &&
        JSON.stringify(result.hour.counts) === JSON.stringify(js.hour.counts) &&
        result.hour.interfaces.length === js.hour.interfaces.length &&
        result.hour.interfaces.every((iface, i) => itemJson(interfaceItem(result.hour, iface, EXPIRES)) === itemJson(interfaceItem(js.hour, js.hour.interfaces[i], EXPIRES))) &&
        itemJson(peersItem(result.hour, EXPIRES)) === itemJson(peersItem(js.hour, EXPIRES));
      results.push(same ? 'same' : `differs: ${line.slice(0, 80)}`);
    }
    expect(results.filter((result) => result.startsWith('differs'))).toEqual([]);
    expect(results.filter((result) => result.startsWith('unsupported'))).toEqual([expect.stringContaining('interface id'), expect.stringContaining('2^32')]);
    expect(results.filter((result) => result === 'same').length).toBe(lines.length - 2);
  });

  test('IPv6, a custom header and a kernel limit are unsupported', () => {
    const ipv6 = `${FLOW_HEADER}\n2 ${ACCOUNT} eni-0a 2001:db8::1 10.0.0.4 443 50000 6 3 300 ${HOUR_START + 5} ${HOUR_START + 65} ACCEPT OK\n`;
    const ipv6Result = wasmHour(kernel, [{ keyAccount: ACCOUNT, text: ipv6 }]);
    expect(ipv6Result).toEqual({ supported: false, reason: expect.stringContaining('IPv6') });
    const custom = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction\n`;
    expect(wasmHour(kernel, [{ keyAccount: ACCOUNT, text: custom }]).supported).toBe(false);
    const small = new WasmFlowHour(100);
    const many = flowLogText({ accountId: ACCOUNT, windowStart: HOUR_START, records: 500, seed: 5 });
    expect(wasmHour(small, [{ keyAccount: ACCOUNT, text: many }])).toEqual({ supported: false, reason: expect.stringContaining('limit') });
    // the kernel is usable after a failed hour
    const after = wasmHour(small, [{ keyAccount: ACCOUNT, text: flowLogText({ accountId: ACCOUNT, windowStart: HOUR_START, records: 50, seed: 5 }) }]);
    expect(after.supported).toBe(true);
  });
});

import { gzipSync, gunzipSync } from 'node:zlib';
import { FlowHourAggregator, MAX_ROWS_PER_INTERFACE } from '../../lambdas/core/flowlogs/flow-aggregate';
import { readFlowText } from '../../lambdas/core/flowlogs/read-text';

/**
 * The aggregator's typed-array tables against sums computed here from the raw lines (gunzip, split), on a
 * version 5 format whose flow-direction says which side is the interface's: every row and every peer-index
 * entry, and the row cap.
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const HOUR_START = Date.parse(`${HOUR}:00:00Z`) / 1000;
const HEADER = 'account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function file(records: number, interfaces: number, peers: number, seed: number): Buffer {
  const next = random(seed);
  const lines = [HEADER];
  for (let i = 0; i < records; i++) {
    const iface = Math.floor(next() * interfaces);
    const own = `10.0.0.${iface + 4}`;
    const n = Math.floor(next() * peers);
    const peer = `198.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const ingress = next() < 0.5;
    const port = [22, 443, 3389][Math.floor(next() * 3)];
    const ephemeral = 32768 + Math.floor(next() * 1000);
    const start = HOUR_START + Math.floor(next() * 3000);
    const [src, dst, srcport, dstport] = ingress ? [peer, own, ephemeral, port] : [own, peer, ephemeral, port];
    const action = next() < 0.2 ? 'REJECT' : 'ACCEPT';
    lines.push(`${ACCOUNT} eni-${(0xa00 + iface).toString(16)} ${src} ${dst} ${srcport} ${dstport} 6 ${1 + Math.floor(next() * 9)} ${40 + Math.floor(next() * 9000)} ${start} ${start + 30} ${action} OK ${ingress ? 'ingress' : 'egress'}`);
  }
  return gzipSync(`${lines.join('\n')}\n`);
}

type Sums = [number, number, number, number, number];

/** Rows and peer-index entries from the raw lines, with split and nothing else. */
function rawView(bytes: Buffer) {
  const rows = new Map<string, Map<string, Sums>>();
  const peers = new Map<string, Map<string, number[]>>();
  for (const line of gunzipSync(bytes).toString('utf8').split('\n').slice(1)) {
    if (line === '') continue;
    const [, eni, src, dst, srcport, dstport, protocol, packets, bytesText, start, end, action, , direction] = line.split(' ');
    const ingress = direction === 'ingress';
    const peer = ingress ? src : dst;
    const key = `${ingress ? 'in' : 'out'}|${action}|${peer}|${protocol}|${Math.min(Number(srcport), Number(dstport))}`;
    const byKey = rows.get(eni) ?? rows.set(eni, new Map()).get(eni)!;
    const row = byKey.get(key) ?? [0, 0, 0, Infinity, -Infinity];
    byKey.set(key, [row[0] + Number(bytesText), row[1] + Number(packets), row[2] + 1, Math.min(row[3], Number(start)), Math.max(row[4], Number(end))]);
    const byEni = peers.get(peer) ?? peers.set(peer, new Map()).get(peer)!;
    const entry = byEni.get(eni) ?? [0, 0, 0, 0, 0, Infinity, -Infinity];
    byEni.set(eni, [entry[0] + (ingress ? Number(bytesText) : 0), entry[1] + (ingress ? 0 : Number(bytesText)), entry[2] + Number(packets), entry[3] + 1, entry[4] + (action === 'REJECT' ? 1 : 0), Math.min(entry[5], Number(start)), Math.max(entry[6], Number(end))]);
  }
  return { rows, peers };
}

async function aggregate(bytes: Buffer) {
  const aggregator = new FlowHourAggregator(ACCOUNT, HOUR);
  await readFlowText((async function* () {
    yield bytes;
  })(), { add: (record) => aggregator.add(record), reject: (reason) => { throw new Error(reason); } });
  return aggregator.finish();
}

describe('FlowHourAggregator against sums of the raw lines', () => {
  it('gives every row and every peer-index entry the sums of its records', async () => {
    const bytes = file(20_000, 6, 400, 7);
    const hour = await aggregate(bytes);
    const raw = rawView(bytes);
    expect(hour.counts.flows).toBe(20_000);
    expect(hour.interfaces.map((iface) => iface.interfaceId).sort()).toEqual([...raw.rows.keys()].sort());
    for (const iface of hour.interfaces) {
      expect(iface.cappedFlows).toBe(0);
      const expected = [...(raw.rows.get(iface.interfaceId) as Map<string, Sums>)].map(([key, sums]) => [key, ...sums]);
      expect([...iface.rows].sort()).toEqual(expected.sort());
    }
    expect(Object.keys(hour.peers).sort()).toEqual([...raw.peers.keys()].sort());
    for (const [peer, byEni] of raw.peers) expect(hour.peers[peer]).toEqual(Object.fromEntries(byEni));
  });

  it('folds the flows of new keys beyond the row cap into `*` rows, and never caps the totals', async () => {
    const bytes = file(12_000, 1, 100_000, 11);
    const hour = await aggregate(bytes);
    const [iface] = hour.interfaces;
    const raw = rawView(bytes);
    expect((raw.rows.get(iface.interfaceId) as Map<string, Sums>).size).toBeGreaterThan(MAX_ROWS_PER_INTERFACE);
    const stars = iface.rows.filter(([key]) => key.includes('|*|'));
    expect(stars.length).toBeGreaterThan(0);
    // The cap holds the keyed rows; the `*` rows (one per direction and action at most) come on top.
    expect(iface.rows.length - stars.length).toBe(MAX_ROWS_PER_INTERFACE);
    expect(stars.length).toBeLessThanOrEqual(4);
    expect(stars.reduce((sum, row) => sum + row[3], 0)).toBe(iface.cappedFlows);
    expect(iface.rows.reduce((sum, row) => sum + row[3], 0)).toBe(12_000);
    const rawBytes = [...(raw.rows.get(iface.interfaceId) as Map<string, Sums>).values()].reduce((sum, row) => sum + row[0], 0);
    expect(iface.totals.in.bytes + iface.totals.out.bytes).toBe(rawBytes);
    expect(iface.rows.reduce((sum, row) => sum + row[1], 0)).toBe(rawBytes);
  });
});

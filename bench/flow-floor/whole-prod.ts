// The production core's totals for whole-check.mjs: FlowHourAggregator driven as bench/flow-core-run.ts drives it
// (one aggregator per hour of `start`, the object key's account as fallback), over data/SHAPE. Prints one JSON line
// with the names of whole.mjs SUMMARY (those the production results give).
import { readFlowText } from '../../lambdas/core/flowlogs/read-text';
import { FlowHourAggregator } from '../../lambdas/core/flowlogs/flow-aggregate';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const ACCOUNT = '111122223333';
async function* chunks(file: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < file.length; offset += 64 * 1024) yield file.subarray(offset, offset + 64 * 1024);
}
async function main(): Promise<void> {
  const dir = join(__dirname, 'data', process.argv[2] ?? 'heavy-tail');
  const files = readdirSync(dir).filter((n) => n.endsWith('.log.gz')).sort().map((n) => readFileSync(join(dir, n)));
  const hours = new Map<number, FlowHourAggregator>();
  let records = 0, rejected = 0;
  for (const file of files) {
    await readFlowText(chunks(file), {
      add: (record) => {
        records++;
        const hourNumber = Math.floor(record.start / 3600);
        let aggregator = hours.get(hourNumber);
        if (!aggregator) hours.set(hourNumber, (aggregator = new FlowHourAggregator(record.accountId ?? ACCOUNT, new Date(hourNumber * 3_600_000).toISOString().slice(0, 13))));
        aggregator.add(record, ACCOUNT);
      },
      reject: () => void rejected++,
    });
  }
  const s = { records, rejected, flows: 0, rows: 0, cappedFlows: 0, bytesIn: 0, bytesOut: 0, bytesUnknown: 0, pairs: 0, cappedPeers: 0, pairPorts: 0, pairPortCodeSum: 0,
    nodata: 0, skipdata: 0, outsideHour: 0, rowBytes: 0, rowFlows: 0, pairBytesIn: 0, pairBytesOut: 0, pairFlows: 0, packets: 0, interfaceHours: 0, liveRows: 0, rejectedFlows: 0, pairRejected: 0, orderHash: 0 };
  for (const aggregator of hours.values()) {
    const hour = aggregator.finish();
    s.flows += hour.counts.flows; s.nodata += hour.counts.nodata; s.skipdata += hour.counts.skipdata; s.outsideHour += hour.counts.outsideHour; s.cappedPeers += hour.cappedPeers;
    for (const iface of hour.interfaces) {
      s.interfaceHours++;
      s.rows += iface.rows.length; s.cappedFlows += iface.cappedFlows;
      s.bytesIn += iface.totals.in.bytes; s.bytesOut += iface.totals.out.bytes; s.bytesUnknown += iface.totals.unknown.bytes;
      for (const t of Object.values(iface.totals)) { s.packets += t.packets; s.rejectedFlows += t.rejectedFlows; }
      for (const row of iface.rows) { s.rowBytes += row[1]; s.rowFlows += row[3]; if (!row[0].includes('*')) s.liveRows++; }
    }
    for (const [peer, byInterface] of Object.entries(hour.peers)) {
      for (const [id, c] of Object.entries(byInterface)) {
        s.orderHash = (Math.imul(s.orderHash, 31) + c[3]) >>> 0; // the peer index's order: peers by address text, then interface id
        s.pairs++; s.pairBytesIn += c[0]; s.pairBytesOut += c[1]; s.pairFlows += c[3]; s.pairRejected += c[4];
        for (const name of hour.peerPorts[peer][id]) { const [protocol, port] = name.split('/').map(Number); s.pairPorts++; s.pairPortCodeSum += (protocol + 1) * 65537 + port + 1; }
      }
    }
  }
  console.log(JSON.stringify(s));
}
main().catch((error: unknown) => { console.error(error); process.exit(1); });

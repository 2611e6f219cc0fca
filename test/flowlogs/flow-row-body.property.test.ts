import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import type { FlowRow } from '../../lambdas/core/flowlogs/flow-aggregate';
import { rowColumns, rowsOfBody } from '../../lambdas/core/flowlogs/flow-row-body';
import { flowLogText } from '../helpers/flow-logs';

const T0 = Date.parse('2026-03-01T10:00:00Z') / 1000;
const peer = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('*'));
const row = fc.tuple(fc.constantFrom('in|ACCEPT', 'out|REJECT', 'unknown|ACCEPT'), peer, fc.integer({ min: -1, max: 255 }), fc.integer({ min: -1, max: 65535 }), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: T0 - 600, max: T0 + 7200 }), fc.nat({ max: 7200 })).map(([da, address, protocol, port, bytes, packets, flows, first, span]): FlowRow => {
  const key = address === '*' ? `${da}|*|*|*` : `${da}|${address}|${protocol}|${port}`;
  return [key, bytes, packets, flows, first, first + span];
});

describe('flow row bodies by column', () => {
  it('give back every row, key and counts, in order (through JSON)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), (rows) => {
        expect(rowsOfBody(JSON.parse(JSON.stringify(rowColumns(rows, T0))))).toEqual(rows);
      }),
    );
  });

  it('still read version 1 bodies (a JSON array of rows)', () => {
    const rows: FlowRow[] = [['in|ACCEPT|10.0.0.1|6|443', 10, 1, 1, T0, T0 + 60]];
    expect(rowsOfBody(JSON.parse(JSON.stringify(rows)))).toEqual(rows);
  });

  it('compress smaller than one JSON array per row, on synthetic flows', () => {
    // Rows built straight from the raw lines (one per record), independently of the aggregator.
    const lines = flowLogText({ accountId: '111122223333', windowStart: T0, records: 4000, interfaces: 1, peers: 3000, seed: 3 }).trim().split('\n').slice(1);
    const rows = lines.map((line): FlowRow => {
      const f = line.split(' ');
      return [`in|${f[12] === '-' ? 'ACCEPT' : f[12]}|${f[3] === '-' ? '*' : f[3]}|${f[7] === '-' ? '*' : f[7]}|${f[6] === '-' ? '*' : f[6]}`, Number(f[9]) || 0, Number(f[8]) || 0, 1, Number(f[10]), Number(f[11])];
    });
    const byRow = gzipSync(JSON.stringify(rows)).byteLength;
    const byColumn = gzipSync(JSON.stringify(rowColumns(rows, T0))).byteLength;
    expect(rowsOfBody(JSON.parse(JSON.stringify(rowColumns(rows, T0))))).toEqual(rows);
    expect(byColumn).toBeLessThan(byRow);
  });
});

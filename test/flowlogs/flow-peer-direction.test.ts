import { gunzipSync, gzipSync } from 'node:zlib';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { FlowQueries } from '../../lambdas/queries/flow-queries';
import { FLOW_HEADER, flowLogKey } from '../helpers/flow-logs';
import { FakeFlowStack } from './fake-flow-stack';

/**
 * The peer index keeps bytes of unknown direction apart from bytes out, as getFlowVolume does (its rows):
 * an interface whose records, in the default format, only ever show the same two private addresses cannot
 * learn which is its own, so every record is of unknown direction. Expected values come from the raw lines.
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const SCOPE = { from: `${HOUR}:00:00Z`, to: '2026-03-01T11:00:00Z' };
const ENI_UNKNOWN = 'eni-0aaaaaaaaaaaaaaa1';
const ENI_KNOWN = 'eni-0bbbbbbbbbbbbbbb2';
const [A, B] = ['10.2.0.5', '10.2.0.9'];
const PUBLIC = ['203.0.113.5', '198.51.100.7'];

function file(): Buffer {
  const lines = [FLOW_HEADER];
  for (let i = 0; i < 40; i++) {
    const [src, dst] = i % 3 === 0 ? [B, A] : [A, B];
    lines.push(`2 ${ACCOUNT} ${ENI_UNKNOWN} ${src} ${dst} 40000 5432 6 ${2 + i} ${500 + 17 * i} ${T0 + 60 * i} ${T0 + 60 * i + 30} ACCEPT OK`);
    // Another interface talking to B and to public peers: its address (10.2.0.20) is learned, its direction known.
    const peer = i % 2 === 0 ? B : PUBLIC[i % 4 === 1 ? 0 : 1];
    const [s, d] = i % 5 < 2 ? [peer, '10.2.0.20'] : ['10.2.0.20', peer];
    lines.push(`2 ${ACCOUNT} ${ENI_KNOWN} ${s} ${d} 40001 443 6 ${1 + i} ${300 + 11 * i} ${T0 + 60 * i} ${T0 + 60 * i + 30} ACCEPT OK`);
  }
  return gzipSync(`${lines.join('\n')}\n`);
}

type Raw = Record<string, string>;
function raw(body: Buffer): Raw[] {
  const [header, ...lines] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  return lines.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [header.split(' ')[i], value])));
}
const bytes = (rows: Raw[]) => rows.reduce((sum, r) => sum + Number(r.bytes), 0);

describe('the peer index: bytes of unknown direction', () => {
  it('are neither in nor out, and match what getFlowVolume counts for the same peer', async () => {
    const stack = new FakeFlowStack(() => new Date('2026-03-01T13:00:00Z'));
    const body = file();
    const key = flowLogKey(ACCOUNT, T0, 'dir');
    stack.put(key, body);
    await ingestObject({ bucket: 'logs', key }, stack.ingestDeps());
    await compactFlowHour(`flow#${ACCOUNT}#${HOUR}`, stack.compactionDeps());
    const queries = new FlowQueries(stack.port());
    const lines = raw(body);

    const { interfaces } = await queries.peers(B, SCOPE);
    const unknownSide = interfaces.find((view) => view.interfaceId === ENI_UNKNOWN);
    // Neither address can be told the interface's own: a record's peer is its destination.
    const toB = lines.filter((r) => r['interface-id'] === ENI_UNKNOWN && r.dstaddr === B);
    expect(unknownSide).toMatchObject({ bytesIn: 0, bytesOut: 0, bytesUnknownDirection: bytes(toB), flows: toB.length });
    const volume = await queries.interfaceVolume(ENI_UNKNOWN, { ...SCOPE, filter: { peer: B } });
    expect(volume.series.reduce((sum, point) => sum + point.bytesUnknownDirection, 0)).toBe(unknownSide?.bytesUnknownDirection);
    expect(volume.series.reduce((sum, point) => sum + point.bytesOut + point.bytesIn, 0)).toBe(0);

    const knownSide = interfaces.find((view) => view.interfaceId === ENI_KNOWN);
    const known = lines.filter((r) => r['interface-id'] === ENI_KNOWN);
    expect(knownSide).toMatchObject({ bytesIn: bytes(known.filter((r) => r.srcaddr === B)), bytesOut: bytes(known.filter((r) => r.dstaddr === B)), bytesUnknownDirection: 0 });
  });
});

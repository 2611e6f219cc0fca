import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { mappingItems } from '../../lambdas/core/flowlogs/flow-items';
import { FlowQueries, FlowScopeError } from '../../lambdas/queries/flow-queries';
import { flowLogFile, flowLogKey, interfaceAddressOf, interfaceIdOf } from '../helpers/flow-logs';
import { FakeFlowStack } from './fake-flow-stack';

const ACCOUNT = '111122223333';
const HOUR_START = Date.parse('2026-03-01T10:00:00Z') / 1000;
const AFTER = () => new Date('2026-03-02T13:00:00Z');

async function pipeline(): Promise<{ stack: FakeFlowStack; raw: string[][] }> {
  const stack = new FakeFlowStack(AFTER);
  // Two hours of records, two files per hour.
  const starts = [HOUR_START, HOUR_START + 1800, HOUR_START + 3600, HOUR_START + 5400];
  const files = starts.map((start, index) => flowLogFile({ accountId: ACCOUNT, windowStart: start, records: 2000, seed: 10 + index, spanSeconds: 1200 }));
  starts.forEach((start, index) => stack.put(flowLogKey(ACCOUNT, start, `q${index}`), files[index]));
  for (const [index, start] of starts.entries()) await ingestObject({ bucket: 'logs', key: flowLogKey(ACCOUNT, start, `q${index}`) }, stack.ingestDeps());
  for (const hour of ['2026-03-01T10', '2026-03-01T11']) await compactFlowHour(`flow#${ACCOUNT}#${hour}`, stack.compactionDeps());
  const raw = files.flatMap((file) => gunzipSync(file).toString('utf8').split('\n').slice(1).filter((line) => line !== '').map((line) => line.split(' '))).filter((r) => r[13] === 'OK');
  return { stack, raw };
}

const sum = (rows: string[][]): number => rows.reduce((total, r) => total + Number(r[9]), 0);

describe('FlowQueries', () => {
  it("gives an instance's volume per hour and per day, inbound and outbound, through its interfaces", async () => {
    const { stack, raw } = await pipeline();
    // The mapping CloudTrail's RunInstances would give: i-0abc owns interfaces 1 and 2.
    for (const index of [1, 2]) {
      const items = mappingItems('i-0abc0abc0abc0abc0', interfaceIdOf(index), ACCOUNT, 'cloudtrail', 2_000_000_000);
      await stack.compactionDeps().putItems([items.byInstance, items.byInterface]);
    }
    const queries = new FlowQueries(stack.port());
    const hourly = await queries.instanceVolume('i-0abc0abc0abc0abc0', { from: '2026-03-01T10:00:00Z', to: '2026-03-01T12:00:00Z' });
    const mine = raw.filter((r) => r[2] === interfaceIdOf(1) || r[2] === interfaceIdOf(2));
    const inHour = (r: string[], hour: number) => Math.floor((Number(r[10]) - HOUR_START) / 3600) === hour;
    const inbound = (r: string[]) => r[4] === interfaceAddressOf(Number.parseInt(r[2].slice(4), 16) - 0x0a000000);
    expect(hourly.series.map((p) => [p.time, p.bytesIn, p.bytesOut])).toEqual([
      ['2026-03-01T10:00:00.000Z', sum(mine.filter((r) => inHour(r, 0) && inbound(r))), sum(mine.filter((r) => inHour(r, 0) && !inbound(r)))],
      ['2026-03-01T11:00:00.000Z', sum(mine.filter((r) => inHour(r, 1) && inbound(r))), sum(mine.filter((r) => inHour(r, 1) && !inbound(r)))],
    ]);
    const daily = await queries.instanceVolume('i-0abc0abc0abc0abc0', { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', granularity: 'DAY' });
    expect(daily.series).toHaveLength(1);
    expect(daily.series[0].bytesIn + daily.series[0].bytesOut).toBe(sum(mine));
  });

  it('drills down by peer CIDR, port, direction and action', async () => {
    const { stack, raw } = await pipeline();
    const queries = new FlowQueries(stack.port());
    const eni = interfaceIdOf(3);
    const mine = raw.filter((r) => r[2] === eni);
    const scope = { from: '2026-03-01T10:00:00Z', to: '2026-03-01T12:00:00Z' };
    const ssh = await queries.interfaceVolume(eni, { ...scope, filter: { port: 22, protocol: 6 } });
    expect(ssh.series.reduce((t, p) => t + p.bytesIn + p.bytesOut, 0)).toBe(sum(mine.filter((r) => r[6] === '22')));
    const rejectedFromNet = await queries.interfaceVolume(eni, { ...scope, filter: { peer: '198.51.0.0/16', action: 'REJECT', direction: 'in' } });
    expect(rejectedFromNet.series.reduce((t, p) => t + p.bytesIn, 0)).toBe(sum(mine.filter((r) => r[3].startsWith('198.51.') && r[12] === 'REJECT')));
    expect(rejectedFromNet.byAction.map((b) => b.key)).toEqual(['REJECT']);
  });

  it('finds the interfaces that talked to an address or a CIDR block, with first and last seen', async () => {
    const { stack, raw } = await pipeline();
    const queries = new FlowQueries(stack.port());
    const scope = { from: '2026-03-01T10:30:00Z', to: '2026-03-01T11:10:00Z' };
    const result = await queries.peers('172.31.0.0/16', scope);
    expect(result.from).toBe('2026-03-01T10:00:00.000Z');
    expect(result.to).toBe('2026-03-01T12:00:00.000Z');
    const touching = raw.filter((r) => r[3].startsWith('172.31.') || r[4].startsWith('172.31.'));
    expect(new Set(result.interfaces.map((i) => i.interfaceId))).toEqual(new Set(touching.map((r) => r[2])));
    expect(result.interfaces.reduce((t, i) => t + i.bytesIn + i.bytesOut, 0)).toBe(sum(touching));
    const one = result.interfaces.find((i) => i.interfaceId === interfaceIdOf(0));
    const oneRaw = touching.filter((r) => r[2] === interfaceIdOf(0));
    expect(one?.firstSeen).toBe(new Date(Math.min(...oneRaw.map((r) => Number(r[10]))) * 1000).toISOString());
    expect(one?.lastSeen).toBe(new Date(Math.max(...oneRaw.map((r) => Number(r[11]))) * 1000).toISOString());
  });

  it('ranks interfaces by traffic, naming the instance the records give', async () => {
    const { stack, raw } = await pipeline();
    const text = readFileSync(join(__dirname, '../fixtures/flowlogs/tcp-flags.log'));
    const key = flowLogKey('123456789010', 1566848875, 'tcp');
    stack.put(key, gzipSync(text));
    await ingestObject({ bucket: 'logs', key }, stack.ingestDeps());
    await compactFlowHour('flow#123456789010#2019-08-26T19', stack.compactionDeps());
    const queries = new FlowQueries(stack.port());
    const top = await queries.topInstances({ from: '2026-03-01T10:00:00Z', to: '2026-03-01T12:00:00Z' }, 3);
    const byEni = new Map<string, number>();
    for (const r of raw) byEni.set(r[2], (byEni.get(r[2]) ?? 0) + Number(r[9]));
    const expected = [...byEni.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    expect(top.ranks.map((r) => [r.interfaceIds[0], r.bytesIn + r.bytesOut])).toEqual(expected);
    const documented = await queries.topInstances({ from: '2019-08-26T19:00:00Z', to: '2019-08-26T20:00:00Z' }, 3);
    expect(documented.ranks.map((r) => r.instanceId)).toEqual(['i-01234567890123456']);
    expect(await queries.interfacesOf('i-01234567890123456')).toContain('eni-00123456789abcdef');
  });

  it('refuses MINUTE and scopes that are not ranges', async () => {
    const queries = new FlowQueries(new FakeFlowStack(AFTER).port());
    await expect(queries.interfaceVolume('eni-1', { from: '2026-03-01T10:00:00Z', to: '2026-03-01T11:00:00Z', granularity: 'MINUTE' as never })).rejects.toThrow(FlowScopeError);
    await expect(queries.peers('10.0.0.1', { from: '2026-03-01T11:00:00Z', to: '2026-03-01T10:00:00Z' })).rejects.toThrow(FlowScopeError);
  });
});

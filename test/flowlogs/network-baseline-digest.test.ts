import { gzipSync } from 'node:zlib';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { digestPlan } from '../../lambdas/core/flowlogs/baseline-digest';
import { FlowQueries, type FlowItemsPort } from '../../lambdas/queries/flow-queries';
import { networkSection } from '../../lambdas/queries/instance-network';
import { flowLogKey } from '../helpers/flow-logs';
import { SAMPLE_ACCOUNT, hourOf, loadSampleFlows, ownAddresses, type SampleFlows } from './sample-flows';

/**
 * getNetworkReport's baseline from per-interface-day digests (issue 10 follow-up): the same section as reading
 * every baseline hour, the hour items read once, and a late file in a baseline day seen by the next report.
 * Reads are counted on the port (items returned per kind of subject), the writes on the fake table.
 */
jest.setTimeout(120_000);

const SCOPE = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };
const DAY_MS = 86_400_000;

let sample: SampleFlows;

beforeAll(async () => {
  sample = await loadSampleFlows();
});

/** Counts the items each kind of subject returned (`flow-eni#`, `flow-eni-day#`, …). */
function countingPort(inner: FlowItemsPort): { port: FlowItemsPort; items: Map<string, number>; reset(): void } {
  const items = new Map<string, number>();
  const kind = (subject: string) => subject.replace(/#.*/, '#');
  return {
    items,
    reset: () => items.clear(),
    port: {
      query: async (subject, from, to) => {
        const found = await inner.query(subject, from, to);
        items.set(kind(subject), (items.get(kind(subject)) ?? 0) + found.length);
        return found;
      },
      get: (subject, slot) => inner.get(subject, slot),
      ...(inner.putIfUnchanged ? { putIfUnchanged: inner.putIfUnchanged } : {}),
    },
  };
}

const window = (nowMs?: number) => ({ baselineDays: 45, minBaselineDays: 14, ...(nowMs !== undefined ? { nowMs } : {}) });

describe('network report baseline digests', () => {
  it('gives the same section as reading every baseline hour, and reads the hour items once', async () => {
    const instances = [sample.web1, sample.web2];
    const bare = countingPort(sample.stack.port());
    const expected = await networkSection(new FlowQueries(bare.port), instances, SCOPE, window());
    const baselineHourItems = bare.items.get('flow-eni#') ?? 0;
    // The sample's two days before the scope hold flow data: the baseline must not be empty.
    expect(expected.Instances.every((instance) => instance.Baseline.Hours > 0)).toBe(true);

    const now = sample.now;
    expect(digestPlan(Date.parse(SCOPE.from) - 45 * DAY_MS, Date.parse(SCOPE.from), now).days.length).toBe(45);
    const counted = countingPort(sample.stack.writablePort());
    const first = await networkSection(new FlowQueries(counted.port), instances, SCOPE, window(now));
    expect(first).toEqual(expected);
    const firstHourItems = counted.items.get('flow-eni#') ?? 0;
    expect(firstHourItems).toBe(baselineHourItems);
    expect(sample.stack.digestWrites).toBeGreaterThan(0);

    counted.reset();
    const writes = sample.stack.digestWrites;
    const second = await networkSection(new FlowQueries(counted.port), instances, SCOPE, window(now));
    expect(second).toEqual(expected);
    const scopeHourItems = [...sample.stack.activity.keys()].filter((key) => key.startsWith('flow-eni#') && key.split('|')[1] >= SCOPE.from.slice(0, 13) && key.split('|')[1] < SCOPE.to.slice(0, 13)).length;
    // Only the scope's hour items are read again (of every interface of the instances); the baseline comes from digests.
    expect(counted.items.get('flow-eni#') ?? 0).toBeLessThanOrEqual(scopeHourItems);
    expect(counted.items.get('flow-eni#') ?? 0).toBeLessThan(firstHourItems);
    expect(counted.items.get('flow-eni-day#')).toBeGreaterThan(0);
    expect(sample.stack.digestWrites).toBe(writes);
  });

  it('sees a late file in a baseline day: the compaction marks the day stale and the next report rebuilds it', async () => {
    const now = sample.now;
    const port = sample.stack.writablePort();
    const before = await networkSection(new FlowQueries(port), [sample.web1], SCOPE, window(now));
    const web1 = before.Instances[0];
    // A late file of web-1's interface, two days before the scope, with a peer the baseline never had.
    const own = ownAddresses(sample.rows);
    const eni = [...sample.owners].find(([, instance]) => instance === sample.web1)![0];
    const lateHour = '2026-10-20T05';
    const start = Date.parse(`${lateHour}:00:00Z`) / 1000 + 60;
    const newPeer = '203.0.113.77';
    expect(sample.rows.some((r) => r.srcaddr === newPeer || r.dstaddr === newPeer)).toBe(false);
    expect(sample.rows.some((r) => r['interface-id'] === eni && hourOf(r) === `${lateHour}:00:00.000Z`)).toBe(true);
    const body = gzipSync(`version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 ${SAMPLE_ACCOUNT} ${eni} ${newPeer} ${own.get(eni)} 40000 8443 6 3 900 ${start} ${start + 30} ACCEPT OK\n`);
    // Of the flow log whose traffic the hour counts (another log's single line would be a duplicate, left out).
    const flowLogId = sample.stack.activity.get(`flow-eni#${eni}|${lateHour}#${SAMPLE_ACCOUNT}`)?.flowLogId as string;
    const key = flowLogKey(SAMPLE_ACCOUNT, start, 'late', 'us-east-1', flowLogId);
    sample.stack.put(key, body);
    await ingestObject({ bucket: 'logs', key }, sample.stack.ingestDeps());
    // The stack's clock is the sample's: days before the scope ended long enough ago to be marked.
    const outcome = await compactFlowHour(`flow#${SAMPLE_ACCOUNT}#${lateHour}`, sample.stack.compactionDeps());
    expect(outcome).toMatchObject({ status: 'compacted' });
    expect(sample.stack.activity.get(`flow-eni-day#${eni}|2026-10-20`)).toMatchObject({ stale: expect.any(String) });

    const after = await networkSection(new FlowQueries(port), [sample.web1], SCOPE, window(now));
    expect(after.Instances[0].Baseline.Peers).toBe(web1.Baseline.Peers + 1);
    const bare = await networkSection(new FlowQueries(sample.stack.port()), [sample.web1], SCOPE, window());
    expect(after).toEqual(bare);
    // Rebuilt: the day's digest is a digest again.
    expect(sample.stack.activity.get(`flow-eni-day#${eni}|2026-10-20`)).toHaveProperty('body');
  });
});

import { loadavg } from 'node:os';
import { flowGroupPlace } from '../lambdas/core/graph/flow-volume';
import { rankedPage } from '../lambdas/core/graph/group-ranking';

/**
 * `npx tsx bench/group-page-bench.ts`: the CPU time of one drill-down page's ranking over 50,000 peer groups
 * (bytes tying by the hundred, flows by the seven), beside a bare baseline in the same run: the full sort the
 * offset pages did (`Array.prototype.sort` with the same order), then a slice. Medians of 20 calls, 5 runs.
 */
const GROUPS = 50_000;
const groups = Array.from({ length: GROUPS }, (_, i) => ({
  Value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  BytesIn: 100 * (i % 500),
  BytesOut: 0,
  BytesUnknownDirection: 0,
  PacketsIn: 0,
  PacketsOut: 0,
  PacketsUnknownDirection: 0,
  AcceptedBytes: 0,
  RejectedBytes: 0,
  Flows: i % 7,
  RejectedFlows: 0,
}));
type Group = (typeof groups)[number];
const bytes = (g: Group): number => g.BytesIn + g.BytesOut + g.BytesUnknownDirection;

function fullSortPage(offset: number): Group[] {
  const ranked = [...groups].sort((a, b) => bytes(b) - bytes(a) || b.Flows - a.Flows || (a.Value < b.Value ? -1 : a.Value > b.Value ? 1 : 0));
  return ranked.slice(offset, offset + 100);
}

function medianMs(work: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[10];
}

// The third page's cut: where the full sort's second page ended.
const place = flowGroupPlace(fullSortPage(100)[99]);
const cut = { rank: [...place.rank], value: place.value };
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (let run = 1; run <= 5; run++) {
  const baseline = medianMs(() => fullSortPage(200));
  const first = medianMs(() => rankedPage(groups, flowGroupPlace));
  const third = medianMs(() => rankedPage(groups, flowGroupPlace, cut));
  console.log(`run ${run}: full sort + slice (baseline) ${baseline.toFixed(1)} ms; keyset page 1 ${first.toFixed(1)} ms; keyset page 3 ${third.toFixed(1)} ms`);
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

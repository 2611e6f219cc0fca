import { rmSync } from 'node:fs';
import type { ApiCallVolumeResponse } from '../../lambdas/core/graph/volume';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { listLogFiles } from '../../local/log-files';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { BUSY_HOUR, BUSY_USER_ARN, busyIp, busyTrailLog, countByIp, lateBusyLog, rawBusyRecords } from '../helpers/busy-trail';

/**
 * getApiCallVolume's group pages are keyset pages, over HTTP through the local pipeline: a late log delivered
 * between page 1 and page 2 raises a group of page 2 above the cut, grows groups of page 1 (the cut's own
 * among them) and adds new addresses. No address is listed twice, and the pages together are the raw records'
 * addresses, with their counts when listed, minus only the documented case: an address not yet listed that
 * now ranks before the cut (README "Paging a drill-down").
 */
jest.setTimeout(240_000);

const first = busyTrailLog();
let late: { logsDir: string; path: string } | undefined;
let pipeline: CorpusPipeline;

beforeAll(async () => {
  pipeline = await CorpusPipeline.start({ logsDir: first.logsDir });
});

afterAll(async () => {
  await pipeline?.stop();
  for (const dir of [first.logsDir, late?.logsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function page(NextToken?: string): Promise<ApiCallVolumeResponse> {
  const body = { EntityType: 'IAM_USER', EntityId: BUSY_USER_ARN, ScopeStartTime: `${BUSY_HOUR}:00:00Z`, ScopeEndTime: `${BUSY_HOUR}:59:59Z`, Granularity: 'HOUR', GroupBy: 'SOURCE_IP', ...(NextToken ? { NextToken } : {}) };
  const response = await fetch(`${pipeline.apiUrl}/graph/getApiCallVolume`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as ApiCallVolumeResponse;
}

type Counts = Map<string, [number, number]>;
const calls = (counts: Counts, ip: string): number => (counts.get(ip) ?? [0, 0]).reduce((a, b) => a + b, 0);
/** The documented ranking, written out here: the most calls first, then the address as text. */
const ranked = (counts: Counts): string[] => [...counts.keys()].sort((a, b) => calls(counts, b) - calls(counts, a) || (a < b ? -1 : a > b ? 1 : 0));

describe('getApiCallVolume: pages when a log arrives between them', () => {
  it('lists no address twice, and every address of the raw records but those that passed the cut unlisted', async () => {
    const before = countByIp(rawBusyRecords(first.path));
    const page1 = await page();
    const expectedPage1 = ranked(before).slice(0, MAX_GROUPS);
    expect(page1.Groups?.map((g) => g.Value)).toEqual(expectedPage1);
    expect(page1.NextToken).toEqual(expect.any(String));
    const cut = expectedPage1[MAX_GROUPS - 1];
    const onPage2 = ranked(before)[MAX_GROUPS + 20];
    const risen = busyIp(250);
    const fresh = busyIp(251);
    // One address of page 2 jumps to the top, a new one ranks first too, another new one last; the cut's own
    // address and one of page 1 grow, which with offset pages pushes page 1's last addresses onto page 2.
    late = lateBusyLog(
      new Map([
        [onPage2, 30],
        [risen, 40],
        [fresh, 1],
        [cut, 2],
        [expectedPage1[10], 5],
      ]),
    );
    await pipeline.localStack.upload(listLogFiles(late.logsDir));
    await pipeline.localStack.drain();

    const later: ApiCallVolumeResponse[] = [];
    let token = page1.NextToken;
    while (token && later.length < 10) {
      const next = await page(token);
      later.push(next);
      token = next.NextToken;
    }
    const now = countByIp([...rawBusyRecords(first.path), ...rawBusyRecords(late.path)]);
    // Totals are today's, on every page.
    expect(later.map((p) => p.SuccessCount + p.FailureCount)).toEqual(later.map(() => [...now.keys()].reduce((sum, ip) => sum + calls(now, ip), 0)));

    const listed = [...(page1.Groups ?? []), ...later.flatMap((p) => p.Groups ?? [])].map((g) => g.Value);
    expect(listed.length).toBe(new Set(listed).size);
    // Not listed: exactly the addresses not on page 1 that rank, today, before page 1's last as it was then.
    const cutCalls = calls(before, cut);
    const passedTheCut = [...now.keys()].filter((ip) => !expectedPage1.includes(ip) && (calls(now, ip) > cutCalls || (calls(now, ip) === cutCalls && ip < cut)));
    expect(passedTheCut.sort()).toEqual([onPage2, risen].sort());
    expect(new Set(listed)).toEqual(new Set([...now.keys()].filter((ip) => !passedTheCut.includes(ip))));
    // The later pages' groups have today's counts, in the ranking's order, and the new address is among them.
    const laterGroups = later.flatMap((p) => p.Groups ?? []);
    expect(new Map(laterGroups.map((g) => [g.Value, [g.SuccessCount, g.FailureCount]]))).toEqual(new Map(laterGroups.map((g) => [g.Value, now.get(g.Value)])));
    expect(laterGroups.map((g) => g.Value)).toEqual(ranked(now).filter((ip) => laterGroups.some((g) => g.Value === ip)));
    expect(laterGroups.map((g) => g.Value)).toContain(fresh);
    // Each page's OtherGroupCount is what follows it.
    expect(later.map((p) => p.OtherGroupCount ?? 0)).toEqual(later.map((_, i) => later.slice(i + 1).reduce((sum, p) => sum + (p.Groups?.length ?? 0), 0)));
  });
});

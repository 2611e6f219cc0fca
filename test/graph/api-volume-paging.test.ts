import { rmSync } from 'node:fs';
import type { ApiCallVolumeResponse } from '../../lambdas/core/graph/volume';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { BUSY_HOUR, BUSY_IPS, BUSY_USER_ARN, busyTrailLog, countByIp, rawBusyRecords } from '../helpers/busy-trail';
import { expectSchema } from '../helpers/openapi-schemas';

/**
 * getApiCallVolume's groups beyond MAX_GROUPS come in pages (NextToken), over HTTP through the local pipeline:
 * a user that called from 250 addresses in an hour. Every page's groups, together, are the raw records'
 * addresses once each, with their successes and failures.
 */
jest.setTimeout(240_000);

const { logsDir, path } = busyTrailLog();
const raw = rawBusyRecords(path);
let pipeline: CorpusPipeline;

beforeAll(async () => {
  pipeline = await CorpusPipeline.start({ logsDir });
});

afterAll(async () => {
  await pipeline?.stop();
  rmSync(logsDir, { recursive: true, force: true });
});

async function volume(body: object, accept = 'application/json'): Promise<{ status: number; text: string; nextToken: string | null }> {
  const response = await fetch(`${pipeline.apiUrl}/graph/getApiCallVolume`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text(), nextToken: response.headers.get('x-next-token') };
}

const request = { EntityType: 'IAM_USER', EntityId: BUSY_USER_ARN, ScopeStartTime: `${BUSY_HOUR}:00:00Z`, ScopeEndTime: `${BUSY_HOUR}:59:59Z`, Granularity: 'HOUR', GroupBy: 'SOURCE_IP' };

describe('getApiCallVolume: groups in pages', () => {
  it('gives every source IP once over pages of MAX_GROUPS, as the raw records count them', async () => {
    const expected = countByIp(raw);
    expect(expected.size).toBe(BUSY_IPS);
    const pages: ApiCallVolumeResponse[] = [];
    let NextToken: string | undefined;
    do {
      const result = await volume({ ...request, ...(NextToken ? { NextToken } : {}) });
      expect(result.status).toBe(200);
      const page = JSON.parse(result.text) as ApiCallVolumeResponse;
      expectSchema('GetApiCallVolumeResponse', page);
      pages.push(page);
      NextToken = page.NextToken;
    } while (NextToken && pages.length < 10);
    expect(pages.map((page) => page.Groups?.length)).toEqual([MAX_GROUPS, MAX_GROUPS, BUSY_IPS - 2 * MAX_GROUPS]);
    expect(pages.map((page) => page.OtherGroupCount)).toEqual([BUSY_IPS - MAX_GROUPS, BUSY_IPS - 2 * MAX_GROUPS, undefined]);
    const groups = pages.flatMap((page) => page.Groups ?? []);
    expect(new Map(groups.map((g) => [g.Value, [g.SuccessCount, g.FailureCount]]))).toEqual(expected);
    expect(groups.length).toBe(BUSY_IPS);
    // Each page holds the whole answer's totals; only the groups are paged.
    const failures = raw.filter((r) => r.errorCode).length;
    for (const page of pages) expect([page.SuccessCount, page.FailureCount]).toEqual([raw.length - failures, failures]);
  });

  it('pages the CSV too: the next token in x-next-token, the rows of every page the raw counts', async () => {
    const rows: string[][] = [];
    let NextToken: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const result = await volume({ ...request, ...(NextToken ? { NextToken } : {}) }, 'text/csv');
      expect(result.status).toBe(200);
      const [header, ...lines] = result.text.trimEnd().split('\r\n').map((line) => line.split(','));
      expect(header).toEqual(['Time', 'SOURCE_IP', 'SuccessCount', 'FailureCount']);
      rows.push(...lines);
      NextToken = result.nextToken ?? undefined;
      if (!NextToken) break;
    }
    // One hour bucket: one row per address.
    expect(new Map(rows.map((r) => [r[1], [Number(r[2]), Number(r[3])]]))).toEqual(countByIp(raw));
    expect(rows.length).toBe(BUSY_IPS);
  });

  it('answers 400 for a bad or foreign token, and for a NextToken without GroupBy', async () => {
    const token = (JSON.parse((await volume(request)).text) as ApiCallVolumeResponse).NextToken as string;
    expect(token).toEqual(expect.any(String));
    for (const NextToken of ['garbage', `${token}x`, `${token.slice(0, 4)}${token[4] === 'A' ? 'B' : 'A'}${token.slice(5)}`]) {
      const result = await volume({ ...request, NextToken });
      expect([NextToken, result.status]).toEqual([NextToken, 400]);
    }
    const foreign = await volume({ ...request, GroupBy: 'API', NextToken: token });
    expect(foreign.status).toBe(400);
    expect(JSON.parse(foreign.text).Message).toMatch(/other parameters/);
    // A JSON page's token is not a CSV page's.
    expect((await volume({ ...request, NextToken: token }, 'text/csv')).status).toBe(400);
    const result = await volume({ ...request, GroupBy: undefined, NextToken: token });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.text).Message).toMatch(/GroupBy/);
  });
});

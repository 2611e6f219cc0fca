import { readFileSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { BUSY_HOUR, BUSY_IPS, BUSY_USER_ARN, busyTrailLog, countByIp, rawBusyRecords } from '../helpers/busy-trail';
import { consoleSession, number } from './console-session';

/**
 * Issue 9: the API call volume drill-down pages beyond 100 groups ("More groups", the API's NextToken) and
 * downloads a level's groups as CSV. In headless Chromium over the local pipeline, on a crafted log: a user
 * that called from 250 addresses in an hour. Every number is counted here from the raw records.
 */
jest.setTimeout(600_000);

const { logsDir, path } = busyTrailLog();
const raw = rawBusyRecords(path);
const DAY = { from: `${BUSY_HOUR.slice(0, 10)}T00:00:00.000Z`, to: `${BUSY_HOUR.slice(0, 10)}T23:59:59.000Z` };

const session = consoleSession(() => CorpusPipeline.start({ console: consoleSite(), logsDir }));
const { open, tableRows } = session;
let page: Page;

beforeAll(() => {
  page = session.page;
});

afterAll(() => rmSync(logsDir, { recursive: true, force: true }));

/** A downloaded CSV's lines, split on commas (no cell here has a comma or a quote). */
async function downloaded(click: () => Promise<void>): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await download.path()) as string, 'utf8').trimEnd().split('\r\n').map((line) => line.split(','));
}

describe('API call volume: more than 100 groups and a CSV download', () => {
  it("pages the hour's source IPs with More groups, and downloads them all as the raw records count them", async () => {
    const expected = countByIp(raw);
    expect(expected.size).toBe(BUSY_IPS);
    const hash = `#/entity?${new URLSearchParams({ type: 'IAM_USER', id: BUSY_USER_ARN, ...DAY, bucket: `${BUSY_HOUR}:00:00.000Z` })}`;
    await open(hash, 'table[aria-label="Source IP addresses"]');
    // The table's rows (a locator waits without evaluating strings, which the console's CSP forbids).
    const rows = () => page.locator('table[aria-label="Source IP addresses"] tbody tr');
    const listed = async () => new Map((await tableRows('Source IP addresses')).map((r) => [r[0], [number(r[1]), number(r[2])]]));
    expect((await listed()).size).toBe(MAX_GROUPS);
    expect(await page.innerText('[data-testid="volume-group-count"]')).toBe(`${MAX_GROUPS} groups, ${BUSY_IPS - MAX_GROUPS} more`);
    await page.click(`[data-testid="drill-down"] button:has-text("More groups (${BUSY_IPS - MAX_GROUPS} more)")`);
    await rows().nth(2 * MAX_GROUPS - 1).waitFor();
    await page.click(`[data-testid="drill-down"] button:has-text("More groups (${BUSY_IPS - 2 * MAX_GROUPS} more)")`);
    await rows().nth(BUSY_IPS - 1).waitFor();
    expect(await page.locator('[data-testid="drill-down"] button:has-text("More groups")').count()).toBe(0);
    expect(await page.innerText('[data-testid="volume-group-count"]')).toBe(`${BUSY_IPS} groups`);
    expect(await listed()).toEqual(expected);

    const csv = await downloaded(() => page.click('[data-testid="drill-down"] button:has-text("Download CSV")'));
    expect(csv[0]).toEqual(['SOURCE_IP', 'SuccessCount', 'FailureCount']);
    expect(csv.length - 1).toBe(BUSY_IPS);
    expect(new Map(csv.slice(1).map((r) => [r[0], [Number(r[1]), Number(r[2])]]))).toEqual(expected);
  });
});

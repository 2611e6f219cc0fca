import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { consoleSession } from './console-session';
import { parseCsv } from '../helpers/csv';

/**
 * The report page's evidence beyond its first page: an indicator backed by 120 calls (a user launching EC2
 * instances 120 times from one address in an hour) shows 20 events, and "More evidence" adds the next pages
 * (listIndicatorEvidence's NextToken) until the raw records' events are all there, once each; "Download events
 * CSV" saves them all (the API's CSV pages of 50, followed by x-next-token).
 */
jest.setTimeout(600_000);

const ACCOUNT = '666677778888';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/launcher`;
const HOUR = '2026-11-06T14';
const CALLS = 120;
const PAGE = 20;

function launcherLog(): { logsDir: string; path: string } {
  const records = Array.from({ length: CALLS }, (_, n) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDALAUNCHER00000000', arn: USER_ARN, accountId: ACCOUNT, accessKeyId: 'AKIALAUNCHER00000000', userName: 'launcher' },
    eventTime: `${HOUR}:${String(Math.floor(n / 2)).padStart(2, '0')}:${n % 2 ? '37' : '07'}Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.77',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { instanceType: 't3.micro' },
    responseElements: null,
    requestID: `LAUNCH${n}`,
    eventID: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  }));
  const logsDir = mkdtempSync(join(tmpdir(), 'trailhound-launcher-'));
  const path = join(logsDir, `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/06/${ACCOUNT}_CloudTrail_us-east-1_20261106T1455Z_launch0000000000.json.gz`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  return { logsDir, path };
}

const { logsDir, path } = launcherLog();
/** The raw records' event ids, read back from the file written. */
const rawIds = (JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as { Records: { eventID: string; eventName: string }[] }).Records.filter((r) => r.eventName === 'RunInstances').map((r) => r.eventID);

const session = consoleSession(() => CorpusPipeline.start({ console: consoleSite(), logsDir }));
const { open } = session;
let page: Page;

beforeAll(() => {
  page = session.page;
});

afterAll(() => rmSync(logsDir, { recursive: true, force: true }));

describe('the report: an indicator’s evidence beyond its first page', () => {
  it('adds the next pages with More evidence until every raw event is listed once', async () => {
    expect(rawIds.length).toBe(CALLS);
    const run = await session.pipeline.investigate(USER_ARN, `${HOUR}:00:00Z`, `${HOUR}:59:59Z`);
    await open(`#/investigation?id=${encodeURIComponent(run.investigation.InvestigationId as string)}`, '[data-testid="severity"]');
    const group = page.locator('details.indicator-group', { hasText: 'Launched EC2 instances' }).first();
    await group.locator('summary').click();
    const row = group.locator('li', { hasText: 'Launched EC2 instances' }).first();
    await row.locator('button:has-text("Raw events")').click();
    // The rows of the table (a locator waits without evaluating strings, which the console's CSP forbids).
    const rows = row.locator('table[aria-label="Evidence events"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(PAGE);
    expect(await row.innerText()).toContain(`${PAGE} of ${CALLS} events`);
    for (let shown = PAGE; shown < CALLS; shown += PAGE) {
      await row.locator('button:has-text("More evidence")').click();
      await rows.nth(Math.min(shown + PAGE, CALLS) - 1).waitFor();
    }
    expect(await row.locator('button:has-text("More evidence")').count()).toBe(0);
    expect(await row.innerText()).toContain(`${CALLS} of ${CALLS} events`);
    const ids = await row.locator('table[aria-label="Evidence events"] tbody tr td:nth-child(6)').allInnerTexts();
    expect(ids.length).toBe(CALLS);
    expect(new Set(ids)).toEqual(new Set(rawIds));
  });

  it('downloads every event of the indicator as CSV, each raw record once, from pages of the API', async () => {
    // The row opened by the test above stays open.
    const row = page.locator('details.indicator-group li', { hasText: 'Launched EC2 instances' }).first();
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('button:has-text("Download events CSV")').click()]);
    expect(download.suggestedFilename()).toMatch(/^trailhound-\d+-[a-z_]+-\d+-events\.csv$/);
    const [header, ...data] = parseCsv(readFileSync((await download.path()) as string, 'utf8'));
    expect(header).toEqual(['EventId', 'EventTime', 'Api', 'SourceIpAddress', 'Principal', 'SessionId', 'Via', 'ErrorCode', 'Region', 'UserAgent', 'LogObject', 'RecordIndex', 'RecordStatus']);
    // More than one CSV page of 50: the header comes once, every raw event once.
    expect(data.length).toBe(CALLS);
    expect(data.map((r) => r[0]).sort()).toEqual([...rawIds].sort());
    for (const r of data) expect([r[2], r[3], r[12]]).toEqual([expect.stringContaining('RunInstances'), '198.51.100.77', 'FOUND']);
  });
});

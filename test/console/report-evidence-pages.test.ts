import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { consoleSession } from './console-session';

/**
 * The report page's evidence beyond its first page: an indicator backed by 45 calls (a user launching EC2
 * instances 45 times from one address in an hour) shows 20 events, and "More evidence" adds the next pages
 * (listIndicatorEvidence's NextToken) until the raw records' events are all there, once each.
 */
jest.setTimeout(600_000);

const ACCOUNT = '666677778888';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/launcher`;
const HOUR = '2026-11-06T14';
const CALLS = 45;

function launcherLog(): { logsDir: string; path: string } {
  const records = Array.from({ length: CALLS }, (_, n) => ({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDALAUNCHER00000000', arn: USER_ARN, accountId: ACCOUNT, accessKeyId: 'AKIALAUNCHER00000000', userName: 'launcher' },
    eventTime: `${HOUR}:${String(n).padStart(2, '0')}:07Z`,
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
    expect(await rows.count()).toBe(20);
    expect(await row.innerText()).toContain(`20 of ${CALLS} events`);
    await row.locator('button:has-text("More evidence")').click();
    await rows.nth(39).waitFor();
    await row.locator('button:has-text("More evidence")').click();
    await rows.nth(CALLS - 1).waitFor();
    expect(await row.locator('button:has-text("More evidence")').count()).toBe(0);
    expect(await row.innerText()).toContain(`${CALLS} of ${CALLS} events`);
    const ids = await row.locator('table[aria-label="Evidence events"] tbody tr td:nth-child(6)').allInnerTexts();
    expect(ids.length).toBe(CALLS);
    expect(new Set(ids)).toEqual(new Set(rawIds));
  });
});

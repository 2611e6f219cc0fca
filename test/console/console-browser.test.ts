import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { rawApi, rawRecords, rawUserActivity, type RawRecord } from '../corpus/raw-corpus';
import { watchedPage } from './browser';
import { consoleSession, number } from './console-session';
import { craftedLog, CRAFTED_CALLS, HOSTILE_AGENT, HOSTILE_BUCKET, HOSTILE_USER } from './crafted-log';

/**
 * The console in headless Chromium on the real corpus (plus one crafted log), through the local pipeline and
 * the local server, as `npm start` serves it. Every number checked is counted here from the raw records
 * (raw-corpus.ts: gunzip + JSON.parse), never taken from the API. Each page's screenshot is saved (console-session.ts).
 */
jest.setTimeout(300_000);

// The page's globals, as the callbacks run in the browser use them (the project's type-check has no DOM library).
declare const document: { images: { length: number }; scripts: ArrayLike<{ getAttribute(name: string): string | null }>; querySelectorAll(selector: string): { length: number } };
declare const location: { hash: string };

const ACCOUNT = '123837392027';
const BERT_JAN = `arn:aws:iam::${ACCOUNT}:user/bert-jan`;
const DAY = { from: '2023-07-10T00:00:00.000Z', to: '2023-07-11T00:00:00.000Z' };
const SCOPE = { from: '2023-07-10T11:00:00.000Z', to: '2023-07-10T13:00:00.000Z' };
const session = consoleSession(() => CorpusPipeline.start({ console: consoleSite(), extraFiles: [craftedLog()] }));
const { open, screenshot, tableRows } = session;
let pipeline: CorpusPipeline;
let page: Page;

beforeAll(() => {
  pipeline = session.pipeline;
  page = session.page;
});

const inScope = (from: string, to: string) => (r: RawRecord) => Date.parse(r.eventTime) >= Date.parse(from) && Date.parse(r.eventTime) < Date.parse(to);
/** bert-jan's own calls, each eventID once (as the raw records hold them; the crafted log is not his). */
const bertJanOwn = () => [...new Map(rawUserActivity('bert-jan').own.filter((r) => r.eventType !== 'AwsServiceEvent').map((r) => [r.eventID, r])).values()];

function countsBy(records: RawRecord[], key: (r: RawRecord) => string): Map<string, [number, number]> {
  const counts = new Map<string, [number, number]>();
  for (const r of records) {
    const c = counts.get(key(r)) ?? [0, 0];
    c[r.errorCode ? 1 : 0]++;
    counts.set(key(r), c);
  }
  return counts;
}
const rowsAsCounts = (rows: string[][]) => new Map(rows.map((r) => [r[0], [number(r[1]), number(r[2])] as [number, number]]));

const entityHash = (type: string, id: string, scope: { from: string; to: string }) => `#/entity?${new URLSearchParams({ type, id, from: scope.from, to: scope.to })}`;

describe('the console on the real corpus', () => {
  it('serves the app with a strict Content-Security-Policy, and refuses foreign origins', async () => {
    const response = await fetch(`${pipeline.apiUrl}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const foreign = await fetch(`${pipeline.apiUrl}/graph/getSummary`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: JSON.stringify({ ScopeStartTime: DAY.from, ScopeEndTime: DAY.to }) });
    expect(foreign.status).toBe(403);
    // No inline script in the page: everything runs from app.js.
    expect(await response.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("summary: bert-jan's calls of the day, the crafted user among the users, as text", async () => {
    await open(`#/summary?${new URLSearchParams(DAY)}`, 'table[aria-label="Top users"]');
    const users = await tableRows('Top users');
    const calls = (name: string) => number(users.find((r) => r[0] === name)?.[2] ?? 'NaN');
    const raw = rawRecords().filter((r) => r.userIdentity.type === 'IAMUser' && r.userIdentity.userName === 'bert-jan' && inScope(DAY.from, DAY.to)(r));
    expect(calls('bert-jan')).toBe(raw.length);
    expect(calls(HOSTILE_USER)).toBe(CRAFTED_CALLS);
    // Sparklines are drawn (canvas) for every principal.
    await page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Top users"] canvas').length === n, users.length);
    await screenshot('summary');
  });

  it("profile: bert-jan's calls in a scope, the roles he assumed in the chain graph, the drill-down by IP, API and caller", async () => {
    await open(entityHash('IAM_USER', BERT_JAN, SCOPE), '[data-testid="volume-total"]');
    await page.waitForSelector('[data-testid="chain-graph"] canvas');
    await page.waitForSelector('[data-chart="API call volume, success and failure"] canvas');
    const own = bertJanOwn().filter(inScope(SCOPE.from, SCOPE.to));
    expect(number(await page.innerText('[data-testid="volume-total"]'))).toBe(own.length);
    expect(number(await page.innerText('[data-testid="volume-failures"]'))).toBe(own.filter((r) => r.errorCode).length);

    // The roles he assumed: successful AssumeRole calls with his keys or with credentials they produced.
    const activity = rawUserActivity('bert-jan');
    const keys = new Set([...activity.own, ...activity.chained.map((c) => c.record)].map((r) => r.userIdentity.accessKeyId).filter(Boolean));
    const assumed = new Set(rawRecords().filter((r) => r.eventName === 'AssumeRole' && !r.errorCode && keys.has(r.userIdentity.accessKeyId) && inScope(SCOPE.from, SCOPE.to)(r)).map((r) => String(r.requestParameters?.roleArn).split('/').pop()));
    expect(assumed.size).toBeGreaterThan(0);
    const nodes = await page.$$eval('ul[aria-label="Nodes of the role-chain graph"] li', (items) => items.map((li) => li.textContent ?? ''));
    expect(new Set(nodes.filter((n) => n.startsWith('role: ')).map((n) => n.slice(6)))).toEqual(assumed);
    await screenshot('profile');

    // Drill-down: a click on the busiest minute's bar opens its source addresses.
    const busiest = [...countsBy(own, (r) => r.eventTime.slice(0, 16))].sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))[0][0];
    const index = (Date.parse(`${busiest}:00Z`) - Date.parse(SCOPE.from)) / 60_000;
    const chart = page.locator('[data-chart="API call volume, success and failure"]');
    await chart.locator('canvas').waitFor();
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.boundingBox()) as { x: number; y: number; width: number; height: number };
    await page.mouse.click(box.x + 48 + (index + 0.5) * ((box.width - 64) / 120), box.y + box.height - 40 - 4);
    await page.waitForSelector('table[aria-label="Source IP addresses"]');
    expect(decodeURIComponent(page.url())).toContain(`bucket=${busiest}:00.000Z`);
    const minute = own.filter((r) => r.eventTime.startsWith(busiest));
    expect(rowsAsCounts(await tableRows('Source IP addresses'))).toEqual(countsBy(minute, (r) => r.sourceIPAddress));
    const ip = (await tableRows('Source IP addresses'))[0][0];
    await page.click(`table[aria-label="Source IP addresses"] tbody tr:first-child button`);
    await page.waitForSelector('table[aria-label="APIs"]');
    const fromIp = minute.filter((r) => r.sourceIPAddress === ip);
    expect(rowsAsCounts(await tableRows('APIs'))).toEqual(countsBy(fromIp, rawApi));
    const api = (await tableRows('APIs'))[0][0];
    await page.click(`table[aria-label="APIs"] tbody tr:first-child button`);
    await page.waitForSelector('table[aria-label="Callers"]');
    const callers = await tableRows('Callers');
    expect(callers.reduce((sum, r) => sum + number(r[1]) + number(r[2]), 0)).toBe(fromIp.filter((r) => rawApi(r) === api).length);
    await screenshot('drill-down');
    // Back goes up one level: the drill-down is in the URL.
    await page.goBack();
    await page.waitForSelector('table[aria-label="APIs"]');
  });

  it('chain graph: clicking a role node opens that role’s profile', async () => {
    await open(entityHash('IAM_USER', BERT_JAN, SCOPE), '[data-testid="chain-graph"] canvas');
    const graph = page.locator('[data-testid="chain-graph"]');
    await graph.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot('chain-graph');
    // A panel above the graph that finishes loading after it moves it without a scroll or a resize (as on a
    // loaded machine): the click must still land on the node under the pointer.
    await graph.evaluate((element) => {
      const container = element as unknown as { ownerDocument: { createElement(tag: 'div'): { style: { height: string } } }; before(node: unknown): void };
      const panel = container.ownerDocument.createElement('div');
      panel.style.height = '90px';
      container.before(panel);
    });
    const target = await graph.evaluate((element) => {
      const cy = (element as unknown as { cy: { nodes(selector: string): { renderedPosition(): { x: number; y: number }; data(key: string): string }[] } }).cy;
      const node = cy.nodes('[kind = "role"]')[0];
      return { position: node.renderedPosition(), href: node.data('href') };
    });
    const box = (await graph.boundingBox()) as { x: number; y: number };
    await page.mouse.click(box.x + target.position.x, box.y + target.position.y);
    await page.waitForFunction((expected) => location.hash === expected, target.href);
    await page.waitForSelector('[data-testid="volume-total"]');
    expect(await page.innerText('h1')).toContain('IAM role');
  });

  it('search: keyboard only, from the menu to a result’s profile; sortable; CSV download', async () => {
    await open(`#/summary?${new URLSearchParams(DAY)}`, 'table[aria-label="Top users"]');
    const focusBy = async (test: string, key = 'Tab', max = 40) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press(key);
        if (await page.evaluate(test)) return;
      }
      throw new Error(`focus never reached: ${test}`);
    };
    // Each page puts the focus on its content (main); the menu is before it.
    await focusBy(`document.activeElement?.textContent === 'Search'`, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('form[aria-label="Search"]');
    await focusBy(`document.activeElement?.getAttribute('name') === 'type'`);
    await page.keyboard.type('IAM user');
    await focusBy(`document.activeElement?.getAttribute('name') === 'q'`);
    await page.keyboard.type('*e*');
    await page.keyboard.press('Enter');
    await page.waitForSelector('table[aria-label="Search results"]');
    const names = (await tableRows('Search results')).map((r) => r[0]);
    const expected = [...new Set(rawRecords().filter((r) => r.userIdentity.type === 'IAMUser' && inScope(DAY.from, DAY.to)(r)).map((r) => r.userIdentity.userName as string))].filter((n) => n.toLowerCase().includes('e'));
    expect(new Set(names)).toEqual(new Set([...expected, HOSTILE_USER]));
    // Sorting by name, descending, with the keyboard.
    await page.focus('table[aria-label="Search results"] th button');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    expect((await tableRows('Search results')).map((r) => r[0])).toEqual([...names].sort((a, b) => b.localeCompare(a)));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download CSV')]);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('EntityType,EntityId,DisplayName,FirstObservedTime,LastObservedTime');
    expect(lines.slice(1).map((line) => line.split(',')[2]).sort()).toEqual([...names].sort());
    await screenshot('search');
    await focusBy(`document.activeElement?.textContent === 'bert-jan'`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="volume-total"]');
    expect(decodeURIComponent(page.url())).toContain(`id=${BERT_JAN}`);
  });

  it('investigations: Investigate starts one from a profile; the report shows severity, rules, ATT&CK, raw evidence, mitigations; archive', async () => {
    await open(entityHash('IAM_USER', BERT_JAN, SCOPE), '[data-testid="volume-total"]');
    await page.click('text=Investigate this scope');
    await page.waitForFunction(() => location.hash.startsWith('#/investigation?'));
    const id = new URLSearchParams(page.url().split('?')[1]).get('id') as string;
    await pipeline.wait(id);
    await page.reload();
    await page.waitForSelector('[data-testid="severity"]');
    // A successful console sign-in without… : the ConsoleLogin indicator's evidence is his ConsoleLogin records.
    const logins = rawRecords().filter((r) => r.eventName === 'ConsoleLogin' && r.userIdentity.userName === 'bert-jan' && inScope(SCOPE.from, SCOPE.to)(r));
    expect(logins.length).toBeGreaterThan(0);
    expect(await page.innerText('.matrix')).toContain('Initial Access');
    expect(await page.locator('ul[aria-label="Matched rules"] li').count()).toBeGreaterThan(0);
    await page.click('details.indicator-group summary');
    const row = page.locator('details.indicator-group li', { hasText: 'signin:ConsoleLogin' }).first();
    await row.locator('button').click();
    await row.locator('table[aria-label="Evidence events"]').waitFor();
    const eventIds = await row.locator('table[aria-label="Evidence events"] tbody tr td:nth-child(6)').allInnerTexts();
    expect(new Set(eventIds)).toEqual(new Set(logins.filter((r) => r.sourceIPAddress === logins[0].sourceIPAddress).map((r) => r.eventID)));
    expect(await page.innerText('section[aria-label="Mitigations"]')).toMatch(/MFA|sign-in/);
    await screenshot('evidence');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot('report');
    await page.click('text=Archive');
    await page.waitForSelector('text=Unarchive');
    await open('#/investigations?state=ARCHIVED', 'table[aria-label="Investigations"]');
    expect((await tableRows('Investigations')).map((r) => r[0])).toEqual([id]);
    await screenshot('investigations');
    await open('#/investigations?state=ACTIVE', 'main .state.empty');
  });
});

describe('the crafted log', () => {
  it('renders a hostile user name, user agent and bucket name as inert text on every page', async () => {
    await open(`#/search?${new URLSearchParams({ type: 'S3_BUCKET', q: '*img*', ...DAY })}`, 'table[aria-label="Search results"]');
    expect((await tableRows('Search results')).map((r) => r[0])).toEqual([HOSTILE_BUCKET]);
    await open(entityHash('USER_AGENT', HOSTILE_AGENT, DAY), 'table[aria-label="Principals"]');
    expect(await page.innerText('h1')).toContain(HOSTILE_AGENT);
    expect((await tableRows('Principals')).map((r) => [r[0], number(r[4])])).toEqual([[HOSTILE_USER, CRAFTED_CALLS]]);
    expect((await tableRows('Apis')).map((r) => r[0])).toEqual(['s3:GetBucketAcl']);
    await screenshot('crafted');
    await open(`#/summary?${new URLSearchParams(DAY)}`, 'table[aria-label="Top users"]');
    // Nothing became an element: no <img>, no script but the app's, and no dialog (checked after each test).
    for (const hash of [`#/summary?${new URLSearchParams(DAY)}`, `#/search?${new URLSearchParams({ type: 'S3_BUCKET', q: '*img*', ...DAY })}`, entityHash('USER_AGENT', HOSTILE_AGENT, DAY)]) {
      await open(hash, 'main section');
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => ({ images: document.images.length, scripts: Array.from(document.scripts).map((s) => s.getAttribute('src')) }))).toEqual({ images: 0, scripts: ['app.js'] });
    }
  });

  it('shows an API refusal (a user or bucket name IAM and S3 would not accept) as an error state, as text', async () => {
    const own = await watchedPage(session.browser);
    for (const hash of [entityHash('IAM_USER', `arn:aws:iam::${ACCOUNT}:user/${HOSTILE_USER}`, DAY), entityHash('S3_BUCKET', HOSTILE_BUCKET, DAY)]) {
      await own.page.goto(`${pipeline.apiUrl}/${hash}`);
      await own.page.waitForSelector('main .state.error');
      expect(await own.page.innerText('main .state.error')).toMatch(/^ValidationException: /);
      expect(await own.page.evaluate(() => document.images.length)).toBe(0);
    }
    expect(own.dialogs).toEqual([]);
    // The only errors: the browser's notes of the 400 answers.
    expect(own.errors.every((e) => /status of 400/.test(e))).toBe(true);
    await own.page.context().close();
  });
});

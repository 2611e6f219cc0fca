import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { okFlowLinesOfFiles, oneLogPerInterfaceHour } from '../helpers/flow-lines';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../local/console/build';
import { consoleSite } from '../../local/console/static-site';
import { listLogFiles } from '../../local/log-files';
import { generateScenario } from '../../examples/generator';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { ATTACKER, C2, TOR_NODE, hourOf, ownAddresses, portOf, rawFlowEvidence, type Raw } from '../flowlogs/sample-flows';
import { parseCsv } from '../helpers/csv';
import { chromiumPresent, CHROMIUM, launchBrowser, watchedPage, type WatchedPage } from './browser';

/**
 * The report page's network section (issue 10 §3) in headless Chromium, on the bundled sample (CloudTrail and
 * flow logs, beside the corpus) through the local pipeline: an investigation of web-server-role over the
 * afternoon of the incident. Expected rows are counted here from the sample's raw flow files on disk (gunzip,
 * split), not from the API.
 */
jest.setTimeout(600_000);

type Row = { cells: ArrayLike<{ textContent: string | null }> };
const SAMPLE_DIR = join(__dirname, '..', '..', 'examples', 'cloudtrail');
const ROLE = 'arn:aws:iam::444455556666:role/web-server-role';
const SCOPE = { from: '2026-10-22T16:00:00.000Z', to: '2026-10-22T20:00:00.000Z' };
/** As in console-browser.test.ts: .scratch/screenshots, or docs/ with SCREENSHOTS_TO_DOCS=1. */
const DOCS = process.env.SCREENSHOTS_TO_DOCS === '1' ? join(__dirname, '..', '..', 'docs') : join(__dirname, '..', '..', '.scratch', 'screenshots');

let pipeline: CorpusPipeline;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let rows: Raw[];
let listDir: string;
const previousLists = process.env.THREAT_INTEL_FILES;
const { web1, web2 } = generateScenario().org.instances;

/** The OK lines that count: one flow log per interface and hour (the audit log repeats the web log's C&C hour). */
function rawFlowRows(): Raw[] {
  return oneLogPerInterfaceHour(okFlowLinesOfFiles(listLogFiles(SAMPLE_DIR)));
}

async function tableRows(label: string): Promise<string[][]> {
  return page.$$eval(`table[aria-label="${label}"] tbody tr`, (trs) => trs.map((tr) => [...Array.from((tr as unknown as Row).cells)].map((cell) => (cell.textContent ?? '').trim())));
}
const number = (text: string) => Number(text.replace(/,/g, ''));

beforeAll(async () => {
  if (!chromiumPresent()) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`);
  await ensureConsoleBuilt();
  rows = rawFlowRows();
  // A threat-intel list naming the attacker, whose address the role's sessions never called AWS from: flagged from flows only.
  listDir = mkdtempSync(join(tmpdir(), 'trailhound-intel-'));
  writeFileSync(join(listDir, 'attacker.txt'), `${ATTACKER}\n`);
  process.env.THREAT_INTEL_FILES = join(listDir, 'attacker.txt');
  pipeline = await CorpusPipeline.start({ console: consoleSite(), extraFiles: listLogFiles(SAMPLE_DIR) });
  browser = await launchBrowser();
  watched = await watchedPage(browser);
  page = watched.page;
});

afterAll(async () => {
  await browser?.close();
  await pipeline?.stop();
  if (previousLists === undefined) delete process.env.THREAT_INTEL_FILES;
  else process.env.THREAT_INTEL_FILES = previousLists;
  rmSync(listDir, { recursive: true, force: true });
});

describe('the report page and the instance profile: network section', () => {
  it("shows web-1's and web-2's top peers, new peers, unusual ports, rejected traffic, and the flow evidence of an address flagged from flows, as the raw flow lines count them", async () => {
    const run = await pipeline.investigate(ROLE, SCOPE.from, SCOPE.to);
    expect(run.outcome.status).toBe('SUCCEEDED');
    await page.goto(`${pipeline.apiUrl}/#/investigation?id=${run.investigation.InvestigationId}`);
    await page.waitForSelector(`table[aria-label="Top peers of ${web1.id}"]`, { timeout: 60_000 });
    const own = ownAddresses(rows);
    // Any log's instance-id maps its interface, whichever log's traffic counts.
    const ownerOf = new Map(okFlowLinesOfFiles(listLogFiles(SAMPLE_DIR)).flatMap((file) => file.rows).filter((r) => r['instance-id'] && r['instance-id'] !== '-').map((r) => [r['interface-id'], r['instance-id']]));
    const of = (instanceId: string, from: string, to: string) => rows.filter((r) => ownerOf.get(r['interface-id']) === instanceId && hourOf(r) >= from && hourOf(r) < to);
    const peerOf = (r: Raw) => (r.srcaddr === own.get(r['interface-id']) ? r.dstaddr : r.srcaddr);

    for (const instance of [web1.id, web2.id]) {
      const scoped = of(instance, SCOPE.from, SCOPE.to);
      const baseline = new Set(of(instance, '2026-09-07T16:00:00.000Z', SCOPE.from).map(peerOf));
      const bytes = new Map<string, number>();
      for (const r of scoped) bytes.set(peerOf(r), (bytes.get(peerOf(r)) ?? 0) + Number(r.bytes));
      const top = await tableRows(`Top peers of ${instance}`);
      const [busiest] = [...bytes].sort((a, b) => b[1] - a[1]);
      expect([top[0][0], number(top[0][1]) + number(top[0][2])]).toEqual(busiest);
      const fresh = [...bytes].filter(([peer]) => !baseline.has(peer)).sort((a, b) => b[1] - a[1]);
      expect((await tableRows(`New peers of ${instance}`)).map((r) => [r[0], number(r[1]) + number(r[2])])).toEqual(fresh.slice(0, 10));
    }
    expect((await tableRows(`New peers of ${web1.id}`)).map((r) => r[0])).toEqual(expect.arrayContaining([C2, ATTACKER]));
    expect((await tableRows(`New peers of ${web2.id}`)).map((r) => r[0])).toContain(TOR_NODE);
    const tor = (await tableRows(`Unusual ports of ${web2.id}`)).find((r) => r[0] === '6/9001');
    expect(tor?.[1]).toContain('TOR');
    const sshProbes = of(web1.id, SCOPE.from, SCOPE.to).filter((r) => r.action === 'REJECT' && r.srcaddr === ATTACKER && portOf(r) === '6/22');
    expect(sshProbes.length).toBeGreaterThan(0);
    const rejected = (await tableRows(`Rejected traffic of ${web1.id}`)).find((r) => r[0] === ATTACKER && r[1] === '6/22');
    expect(number(rejected![3])).toBe(sshProbes.length);
    // A peer links to its address profile.
    expect(await page.getAttribute(`table[aria-label="New peers of ${web1.id}"] a:text("${C2}")`, 'href')).toContain(`type=IP_ADDRESS`);
    // The attacker's FLAGGED_IP_ADDRESS indicator: no API call from it, its VPC flows with web-1 and web-2 as evidence.
    await page.click('details.indicator-group summary:has-text("FLAGGED_IP_ADDRESS")');
    const flagged = page.locator('details.indicator-group li', { hasText: ATTACKER }).first();
    await flagged.locator('button').click();
    await flagged.locator('table[aria-label="Flow evidence"]').waitFor();
    const evidence = await flagged.locator('table[aria-label="Flow evidence"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...Array.from((tr as unknown as Row).cells)].map((cell) => (cell.textContent ?? '').trim())));
    const attackerFlows = [web1.id, web2.id].flatMap((instance) => of(instance, SCOPE.from, SCOPE.to)).filter((r) => r.srcaddr === ATTACKER || r.dstaddr === ATTACKER);
    expect(attackerFlows.length).toBeGreaterThan(0);
    expect(evidence.reduce((t, r) => t + number(r[5]), 0)).toBe(attackerFlows.length);
    expect(evidence.reduce((t, r) => t + number(r[6]), 0)).toBe(attackerFlows.filter((r) => r.action === 'REJECT').length);
    expect(new Set(evidence.map((r) => r[1]))).toEqual(new Set([web1.id, web2.id]));
    // Its flows as CSV (listIndicatorEvidence, EvidenceKind FLOWS): one row per instance, interface and hour, as the raw lines count them.
    const expectedCsv = rawFlowEvidence(attackerFlows, own, (r) => `${hourOf(r)}|${ownerOf.get(r['interface-id'])}|${r['interface-id']}`);
    const [download] = await Promise.all([page.waitForEvent('download'), flagged.locator('button:has-text("Download flows CSV")').click()]);
    expect(download.suggestedFilename()).toMatch(/-flagged_ip_address-\d+-flows\.csv$/);
    const csv = parseCsv(readFileSync((await download.path()) as string, 'utf8'));
    expect(csv[0]).toEqual(['Hour', 'InstanceId', 'InterfaceId', 'BytesIn', 'BytesOut', 'BytesUnknownDirection', 'Packets', 'Flows', 'RejectedFlows', 'Ports']);
    expect(csv.slice(1)).toEqual(
      [...expectedCsv].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, e]) => [key.split('|')[0], key.split('|')[1], key.split('|')[2], e.bytesIn, e.bytesOut, 0, e.packets, e.flows, e.rejected, [...e.ports].sort().join(' ')].map(String)),
    );
    // An address flagged from flows only has no call: no events CSV to offer.
    expect(await flagged.locator('button:has-text("Download events CSV")').count()).toBe(0);
    // The same section on web-2's instance profile, over the same scope.
    await page.goto(`${pipeline.apiUrl}/#/entity?${new URLSearchParams({ type: 'EC2_INSTANCE', id: web2.id, from: SCOPE.from, to: SCOPE.to })}`);
    await page.waitForSelector(`table[aria-label="Unusual ports of ${web2.id}"]`, { timeout: 60_000 });
    expect((await tableRows(`Unusual ports of ${web2.id}`)).find((r) => r[0] === '6/9001')?.[1]).toContain('TOR');
    expect((await tableRows(`New peers of ${web2.id}`)).map((r) => r[0])).toContain(TOR_NODE);
    await page.goto(`${pipeline.apiUrl}/#/investigation?id=${run.investigation.InvestigationId}`);
    await page.waitForSelector(`table[aria-label="Top peers of ${web1.id}"]`, { timeout: 60_000 });
    mkdirSync(DOCS, { recursive: true });
    await page.locator('section[aria-label="Network (VPC flow logs)"]').screenshot({ path: join(DOCS, 'console-network.png') });
    expect({ errors: watched.errors, dialogs: watched.dialogs }).toEqual({ errors: [], dialogs: [] });
  });
});

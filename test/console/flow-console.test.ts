import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { okFlowLinesOfFiles, oneLogPerInterfaceHour } from '../helpers/flow-lines';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { listLogFiles } from '../../local/log-files';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { watchedPage } from './browser';
import { consoleSession, number } from './console-session';

/**
 * The console's VPC flow views in headless Chromium on the bundled sample (examples/, which has flow logs:
 * web-1 beacons to 139.180.133.61, 45.137.21.9 probes SSH), through the local pipeline and server as
 * `npm start` serves it. Every number checked is counted here from the raw flow lines (gunzip, split on
 * spaces, the header naming the fields) and, for the ENIs of the attacker's instances, the raw CloudTrail
 * `RunInstances` records: never taken from the API.
 */
jest.setTimeout(600_000);

declare const location: { hash: string };
declare const document: { images: { length: number }; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };

const SAMPLE = join(__dirname, '..', '..', 'examples', 'cloudtrail');
const C2 = '139.180.133.61';
const ATTACKER = '45.137.21.9';
const DAY = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };

type Raw = Record<string, string>;

/** The OK records that count: one flow log per interface and hour (the audit log repeats the web log's C&C hour). */
function rawFlows(): Raw[] {
  return oneLogPerInterfaceHour(okFlowLinesOfFiles(listLogFiles(SAMPLE)));
}

/** ENI → instance: the custom format's `instance-id`, and the raw `RunInstances` responses (the attacker's instances). */
function rawOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  // Any log's instance-id maps its interface, whichever log's traffic counts.
  for (const r of okFlowLinesOfFiles(listLogFiles(SAMPLE)).flatMap((file) => file.rows)) if (r['instance-id'] && r['instance-id'] !== '-') owners.set(r['interface-id'], r['instance-id']);
  for (const file of listLogFiles(SAMPLE).filter((f) => f.key.includes('/CloudTrail/') && f.key.endsWith('.json.gz'))) {
    const { Records } = JSON.parse(gunzipSync(readFileSync(file.path)).toString('utf8')) as { Records: { eventName: string; responseElements?: { instancesSet?: { items: { instanceId: string; networkInterfaceSet?: { items: { networkInterfaceId: string }[] } }[] } } | null }[] };
    for (const r of Records.filter((x) => x.eventName === 'RunInstances')) {
      for (const item of r.responseElements?.instancesSet?.items ?? []) for (const eni of item.networkInterfaceSet?.items ?? []) owners.set(eni.networkInterfaceId, item.instanceId);
    }
  }
  return owners;
}

const hourOf = (r: Raw) => new Date(Math.floor(Number(r.start) / 3600) * 3_600_000).toISOString();
const inDay = (r: Raw) => hourOf(r) >= DAY.from && hourOf(r) < DAY.to;
const sum = (rows: readonly Raw[]) => rows.reduce((total, r) => total + Number(r.bytes), 0);
const portOf = (r: Raw) => `${r.protocol}/${Math.min(Number(r.srcport), Number(r.dstport))}`;

/** The interface's own address: the one common to its records. */
function ownAddress(rows: readonly Raw[]): string {
  const seen = new Map<string, number>();
  for (const r of rows) for (const a of [r.srcaddr, r.dstaddr]) seen.set(a, (seen.get(a) ?? 0) + 1);
  return [...seen].sort((a, b) => b[1] - a[1])[0][0];
}

/** A record's direction from the interface's view: version 5's `flow-direction`, else by its own address. */
function directionOf(r: Raw, own: string): 'in' | 'out' | 'unknown' {
  if (r['flow-direction'] === 'ingress') return 'in';
  if (r['flow-direction'] === 'egress') return 'out';
  return r.dstaddr === own ? 'in' : r.srcaddr === own ? 'out' : 'unknown';
}

let flows: Raw[];
let owners: Map<string, string>;
let page: Page;

const session = consoleSession(() => CorpusPipeline.start({ console: consoleSite(), logsDir: SAMPLE }));
const { open, screenshot, tableRows } = session;

/** What the first word of a drill-down level's first column is: an address, a `<protocol>/<port>`, an action (or `*`). */
const LEVEL_CELL: Record<string, string> = { 'Peer IP addresses': '^([0-9a-f.:]+|\\*)$', Ports: '^((\\d+|-)/(\\d+|-)|\\*)$', Actions: '^(ACCEPT|REJECT|\\*)$' };

/**
 * Waits until a drill-down level's table shows that level's groups: the table appears while the level's groups
 * are still loading (empty, or the level before's rows), and a CI run once read it then.
 */
async function settledLevel(label: string): Promise<void> {
  await session.page.waitForFunction(
    ([table, cell]) => {
      const words = Array.from(document.querySelectorAll(`table[aria-label="${table}"] tbody tr td:first-child`)).map((td) => (td.textContent ?? '').trim().split(' ')[0]);
      return words.length > 0 && words.every((word) => new RegExp(cell).test(word));
    },
    [label, LEVEL_CELL[label]] as const,
  );
}

beforeAll(() => {
  flows = rawFlows();
  owners = rawOwners();
  page = session.page;
});

const entityHash = (type: string, id: string, scope: { from: string; to: string }) => `#/entity?${new URLSearchParams({ type, id, from: scope.from, to: scope.to })}`;

/** A group table as value → [bytes in, bytes out]. */
const groupsOf = (rows: string[][]) => new Map(rows.map((r) => [r[0].split(' ')[0], [number(r[1]), number(r[2])]]));

/** Raw rows of the instance grouped by `key`: value → [bytes in, bytes out]. */
function rawGroups(rows: readonly Raw[], own: string, key: (r: Raw) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const g = groups.get(key(r)) ?? [0, 0];
    const direction = directionOf(r, own);
    if (direction === 'in') g[0] += Number(r.bytes);
    else if (direction === 'out') g[1] += Number(r.bytes);
    groups.set(key(r), g);
  }
  return groups;
}

describe('VPC flows in the console, on the bundled sample', () => {
  it("web-1's profile: flow volume totals as the raw lines count them; a bar, a peer, then a port drill down to the actions", async () => {
    // The custom-format log names the instance, whichever log's traffic counts for the hour.
    const web1 = [...new Set(okFlowLinesOfFiles(listLogFiles(SAMPLE)).flatMap((file) => file.rows).filter((r) => r.dstaddr === C2 && r['instance-id'] !== undefined && r['instance-id'] !== '-').map((r) => r['instance-id']))];
    expect(web1).toHaveLength(1);
    const enis = new Set([...owners].filter(([, instance]) => instance === web1[0]).map(([eni]) => eni));
    const mine = flows.filter((r) => enis.has(r['interface-id']) && inDay(r));
    const own = ownAddress(mine);
    const peerOf = (r: Raw) => (directionOf(r, own) === 'in' ? r.srcaddr : r.dstaddr);
    expect(mine.every((r) => directionOf(r, own) !== 'unknown')).toBe(true);

    await open(entityHash('EC2_INSTANCE', web1[0], DAY), '[data-testid="flow-bytes-in"]');
    await page.waitForSelector('[data-chart^="VPC flow volume"] canvas');
    const shown = async (id: string) => number(await page.innerText(`[data-testid="${id}"]`));
    expect(await shown('flow-bytes-in')).toBe(sum(mine.filter((r) => directionOf(r, own) === 'in')));
    expect(await shown('flow-bytes-out')).toBe(sum(mine.filter((r) => directionOf(r, own) === 'out')));
    expect(await shown('flow-rejected')).toBe(sum(mine.filter((r) => r.action === 'REJECT')));
    expect(await shown('flow-accepted')).toBe(sum(mine.filter((r) => r.action === 'ACCEPT')));
    expect(await shown('flow-flows')).toBe(mine.length);
    expect(await shown('flow-rejected-flows')).toBe(mine.filter((r) => r.action === 'REJECT').length);
    expect(await page.locator('[data-testid="flow-bytes-unknown"]').count()).toBe(0);

    // The whole day's peers, each as the raw lines count it (the table lists the top ones).
    await settledLevel('Peer IP addresses');
    const dayPeers = rawGroups(mine, own, peerOf);
    const listed = groupsOf(await tableRows('Peer IP addresses'));
    // The route's documented limit of groups per answer (the rest is OtherGroupCount).
    expect(listed.size).toBe(Math.min(MAX_GROUPS, dayPeers.size));
    for (const [peer, counts] of listed) expect([peer, counts]).toEqual([peer, dayPeers.get(peer)]);
    await page.locator('section[aria-label="VPC flow volume"]').scrollIntoViewIfNeeded();
    await screenshot('flow-volume');

    // A click on the busiest hour's bar narrows the drill-down to that hour.
    const byHour = new Map<string, number>();
    for (const r of mine) byHour.set(hourOf(r), (byHour.get(hourOf(r)) ?? 0) + Number(r.bytes));
    const [busiest] = [...byHour].sort((a, b) => b[1] - a[1])[0];
    const index = (Date.parse(busiest) - Date.parse(DAY.from)) / 3_600_000;
    const chart = page.locator('[data-chart^="VPC flow volume"]');
    const box = (await chart.boundingBox()) as { x: number; y: number; width: number; height: number };
    // The plot area is fixed (flow-volume-panel.tsx): 64 px left, 16 right, 40 below.
    await page.mouse.click(box.x + 64 + (index + 0.5) * ((box.width - 80) / 24), box.y + box.height - 40 - 3);
    await page.waitForFunction((hour) => decodeURIComponent(location.hash).includes(`fbucket=${hour}`), busiest);
    await page.waitForSelector('nav[aria-label="Flow drill-down"] >> text=All times');
    await settledLevel('Peer IP addresses');
    const hour = mine.filter((r) => hourOf(r) === busiest);
    const hourPeers = rawGroups(hour, own, peerOf);
    const peers = await tableRows('Peer IP addresses');
    for (const [peer, counts] of groupsOf(peers)) expect([peer, counts]).toEqual([peer, hourPeers.get(peer)]);

    // The top peer's ports, then the top port's actions: each level as the raw lines of that hour count it.
    const peer = peers[0][0];
    await page.click('table[aria-label="Peer IP addresses"] tbody tr:first-child button');
    await settledLevel('Ports');
    const ofPeer = hour.filter((r) => peerOf(r) === peer);
    const ports = await tableRows('Ports');
    expect(groupsOf(ports)).toEqual(rawGroups(ofPeer, own, portOf));
    const port = ports[0][0].split(' ')[0];
    await page.click('table[aria-label="Ports"] tbody tr:first-child button');
    await settledLevel('Actions');
    const ofPort = ofPeer.filter((r) => portOf(r) === port);
    expect(groupsOf(await tableRows('Actions'))).toEqual(rawGroups(ofPort, own, (r) => r.action));
    const url = decodeURIComponent(page.url());
    expect(url).toContain(`fpeer=${peer}`);
    expect(url).toContain(`fport=${port}`);
    await page.locator('section[aria-label="VPC flow volume"]').scrollIntoViewIfNeeded();
    await screenshot('flow-drill-down');
    // Back goes up one level (the drill-down is in the URL); the breadcrumb goes back to the whole scope.
    await page.goBack();
    await settledLevel('Ports');
    await page.click('nav[aria-label="Flow drill-down"] >> text=All times');
    await page.waitForFunction(() => !location.hash.includes('fbucket='));
    await settledLevel('Peer IP addresses');

    // A deep link: the beacons' hour, the C&C address as the peer: its ports as the raw lines count them.
    const beacons = mine.filter((r) => peerOf(r) === C2);
    expect(beacons.length).toBeGreaterThan(0);
    const beaconHour = hourOf(beacons[0]);
    await open(`${entityHash('EC2_INSTANCE', web1[0], DAY)}&${new URLSearchParams({ fbucket: beaconHour, fpeer: C2 })}`, 'table[aria-label="Ports"]');
    await settledLevel('Ports');
    expect(groupsOf(await tableRows('Ports'))).toEqual(rawGroups(beacons.filter((r) => hourOf(r) === beaconHour), own, portOf));
  });

  it("45.137.21.9's profile: the instances it talked to, beside the principals that called AWS from it; its SSH probes by action", async () => {
    const rows = flows.filter((r) => (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && inDay(r));
    const byEntity = new Map<string, Raw[]>();
    for (const r of rows) {
      const id = owners.get(r['interface-id']) ?? r['interface-id'];
      byEntity.set(id, [...(byEntity.get(id) ?? []), r]);
    }
    await open(entityHash('IP_ADDRESS', ATTACKER, DAY), 'table[aria-label="Instances that communicated with this address"]');
    const table = await tableRows('Instances that communicated with this address');
    expect(new Set(table.map((r) => r[0].split(' ')[0]))).toEqual(new Set(byEntity.keys()));
    for (const r of table) {
      const raw = byEntity.get(r[0].split(' ')[0]) ?? [];
      // Bytes in: what the instance received from the address.
      expect([r[0], number(r[2]), number(r[3]), number(r[7]), number(r[8])]).toEqual([r[0], sum(raw.filter((x) => x.srcaddr === ATTACKER)), sum(raw.filter((x) => x.dstaddr === ATTACKER)), raw.length, raw.filter((x) => x.action === 'REJECT').length]);
    }
    // The principals that called AWS from the address, beside them.
    await page.waitForSelector('section[aria-label="Principals"] table');

    // Its flow volume: the ports, then SSH's actions.
    await page.waitForSelector('section[aria-label="VPC flow volume"] table[aria-label="Ports"]');
    await page.click('table[aria-label="Ports"] button:text-is("6/22 (TCP 22)")');
    await settledLevel('Actions');
    const ssh = rows.filter((r) => portOf(r) === '6/22');
    const actions = new Map((await tableRows('Actions')).map((r) => [r[0], number(r[5])]));
    expect(actions).toEqual(new Map(['ACCEPT', 'REJECT'].map((action) => [action, ssh.filter((r) => r.action === action).length] as const).filter(([, n]) => n > 0)));
    expect(actions.get('REJECT')).toBeGreaterThan(0);
    await page.locator('section[aria-label="EC2 instances and network interfaces"]').scrollIntoViewIfNeeded();
    await screenshot('flow-address');

    // Each instance opens its profile.
    const instance = table.map((r) => r[0]).find((id) => id.startsWith('i-')) as string;
    await page.click(`table[aria-label="Instances that communicated with this address"] a:text-is("${instance}")`);
    await page.waitForFunction((id) => decodeURIComponent(location.hash).includes(`type=EC2_INSTANCE&id=${id}`), instance);
    await page.waitForSelector('[data-testid="flow-bytes-in"]');
  });

  it('summary: the instances with the most traffic of the day, as the raw lines count them', async () => {
    await open(`#/summary?${new URLSearchParams(DAY)}`, 'table[aria-label="Top EC2 instances by traffic"]');
    const bytes = new Map<string, number>();
    for (const r of flows.filter(inDay)) {
      const id = owners.get(r['interface-id']) ?? r['interface-id'];
      bytes.set(id, (bytes.get(id) ?? 0) + Number(r.bytes));
    }
    const expected = [...bytes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    expect((await tableRows('Top EC2 instances by traffic')).map((r) => [r[0].split(' ')[0], number(r[4])])).toEqual(expected);
    await page.locator('section[aria-label="EC2 instances by VPC flow traffic"]').scrollIntoViewIfNeeded();
    await screenshot('summary-traffic');
  });

  it('an address without flows says so in both flow panels; a refused flow request is shown as its error, as text', async () => {
    // An address alice called AWS from that no flow names: its profile has principals, and no flows.
    const peers = new Set(flows.flatMap((r) => [r.srcaddr, r.dstaddr]));
    const calls = listLogFiles(SAMPLE)
      .filter((f) => f.key.includes('/CloudTrail/') && f.key.endsWith('.json.gz'))
      .flatMap((f) => (JSON.parse(gunzipSync(readFileSync(f.path)).toString('utf8')) as { Records: { eventTime: string; sourceIPAddress?: string; userIdentity?: { userName?: string } }[] }).Records);
    const quiet = calls.find((r) => r.userIdentity?.userName === 'alice' && r.eventTime.startsWith('2026-10-22') && /^\d+\.\d+\.\d+\.\d+$/.test(r.sourceIPAddress ?? '') && !peers.has(r.sourceIPAddress as string))?.sourceIPAddress;
    expect(quiet).toBeDefined();
    await open(entityHash('IP_ADDRESS', quiet as string, DAY), 'section[aria-label="VPC flow volume"] .state.empty');
    expect(await page.innerText('section[aria-label="VPC flow volume"] .state.empty')).toMatch(/^No VPC flow logged with this address/);
    expect(await page.innerText('section[aria-label="EC2 instances and network interfaces"] .state.empty')).toMatch(/^No instance or network interface exchanged traffic/);
    await page.waitForSelector('section[aria-label="Principals"] table');

    // Its own page: the refusal's 400 is a console error there, expected.
    const own = await watchedPage(session.browser);
    const hostile = 'refused <img src=x onerror=alert(9)>';
    await own.page.route('**/graph/getFlowVolume', (route) => route.fulfill({ status: 400, headers: { 'x-amzn-ErrorType': 'ValidationException' }, contentType: 'application/json', body: JSON.stringify({ Message: hostile }) }));
    await own.page.goto(`${session.pipeline.apiUrl}/${entityHash('EC2_INSTANCE', owners.values().next().value as string, DAY)}`);
    await own.page.waitForSelector('section[aria-label="VPC flow volume"] .state.error');
    expect(await own.page.innerText('section[aria-label="VPC flow volume"] .state.error')).toBe(`ValidationException: ${hostile}`);
    expect(await own.page.evaluate(() => document.images.length)).toBe(0);
    expect(own.dialogs).toEqual([]);
    expect(own.errors.every((e) => /status of 400/.test(e))).toBe(true);
    await own.page.context().close();
  });

  it("the summary's window picker offers no start before the retention the API gives", async () => {
    // The server keeps everything locally (36,500 days): the picker is tested against a retention that ends mid-sample.
    // Half a minute before 12:00: the picker moves it on by the time since the answer and up to the minute.
    const earliest = '2026-10-21T11:59:30.000Z';
    await page.route('**/graph/getSettings', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ RetentionDays: 42, EarliestScopeStartTime: earliest, MaxScopeDays: 30, SummaryMaxHours: 24, Now: new Date().toISOString() }) }));
    try {
      // A fresh document: the app asks the settings once per page load.
      await page.goto('about:blank');
      await open(`#/summary?${new URLSearchParams(DAY)}`, '[data-testid="retention"]');
      expect(await page.innerText('[data-testid="retention"]')).toContain('42 days');
      expect(await page.getAttribute('form[aria-label="Scope"] input[name="from"]', 'min')).toBe('2026-10-21T12:00');
      expect(await page.isDisabled('form[aria-label="Scope"] button:has-text("Previous")')).toBe(true);
      await page.fill('form[aria-label="Scope"] input[name="from"]', '2026-10-21T06:00');
      await page.click('form[aria-label="Scope"] button[type="submit"]');
      expect(await page.innerText('form[aria-label="Scope"] [role="alert"]')).toContain('cannot start before 2026-10-21 12:00');
      expect(decodeURIComponent(page.url())).toContain(`from=${DAY.from}`);
      await page.fill('form[aria-label="Scope"] input[name="from"]', '2026-10-21T13:00');
      await page.click('form[aria-label="Scope"] button[type="submit"]');
      await page.waitForFunction(() => decodeURIComponent(location.hash).includes('from=2026-10-21T13:00'));
    } finally {
      await page.unroute('**/graph/getSettings');
    }
    // Without the stand-in, the API's own answer: local mode keeps every log.
    await page.goto('about:blank');
    await open(`#/summary?${new URLSearchParams(DAY)}`, '[data-testid="retention"]');
    expect(await page.innerText('[data-testid="retention"]')).toContain('36500 days');
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { consoleSite } from '../../local/console/static-site';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { CorpusPipeline } from '../corpus/corpus-pipeline';
import { flowLogKey } from '../helpers/flow-logs';
import { consoleSession, number } from './console-session';

/**
 * Issue 9: the console's flow drill-down pages beyond 100 groups ("More groups", the API's NextToken) and
 * downloads a level's groups as CSV; an address profile's instance table downloads as CSV. In headless
 * Chromium over the local pipeline, on a crafted flow log: one instance that talked to 250 peers in an hour,
 * and a second instance that talked to one of them. Every number is counted here from the raw lines.
 */
jest.setTimeout(600_000);

const ACCOUNT = '444455556666';
const HOUR = '2026-10-22T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const DAY = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };
const BUSY = { instance: 'i-0c5f00000000000a1', eni: 'eni-0c5f00000000000a1', own: '10.7.0.10' };
const OTHER = { instance: 'i-0c5f00000000000b2', eni: 'eni-0c5f00000000000b2', own: '10.7.0.20' };
const PEERS = 250;
const HEADER = 'version account-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const peerOf = (p: number) => `198.51.${100 + Math.floor(p / 200)}.${1 + (p % 200)}`;
const SHARED = peerOf(0);

type Raw = Record<string, string>;

function crafted(): Buffer {
  const lines: string[] = [];
  for (let p = 0; p < PEERS; p++) {
    lines.push(`2 ${ACCOUNT} ${BUSY.instance} ${BUSY.eni} ${peerOf(p)} ${BUSY.own} 40000 443 6 3 ${1000 + 13 * p} ${T0 + p} ${T0 + p + 5} ${p % 7 === 0 ? 'REJECT' : 'ACCEPT'} OK`);
    if (p % 2 === 0) lines.push(`2 ${ACCOUNT} ${BUSY.instance} ${BUSY.eni} ${BUSY.own} ${peerOf(p)} 443 40000 6 2 ${700 + p} ${T0 + p + 10} ${T0 + p + 15} ACCEPT OK`);
  }
  for (let i = 0; i < 5; i++) lines.push(`2 ${ACCOUNT} ${OTHER.instance} ${OTHER.eni} ${OTHER.own} ${SHARED} 50000 22 6 4 ${300 + i} ${T0 + 60 * i} ${T0 + 60 * i + 30} ACCEPT OK`);
  return gzipSync(`${HEADER}\n${lines.join('\n')}\n`);
}

const body = crafted();
const raw: Raw[] = (() => {
  const [header, ...lines] = gunzipSync(body).toString('utf8').trimEnd().split('\n');
  return lines.map((line) => Object.fromEntries(line.split(' ').map((value, i) => [header.split(' ')[i], value])));
})();
const logsDir = mkdtempSync(join(tmpdir(), 'trailhound-flow-csv-'));
const key = flowLogKey(ACCOUNT, T0 + 300, 'csvpages', 'us-east-1', 'fl-0c5f0000000000001');
mkdirSync(dirname(join(logsDir, key)), { recursive: true });
writeFileSync(join(logsDir, key), body);

const session = consoleSession(() => CorpusPipeline.start({ console: consoleSite(), logsDir }));
const { open, tableRows } = session;
let page: Page;

beforeAll(() => {
  page = session.page;
});

afterAll(() => rmSync(logsDir, { recursive: true, force: true }));

const entityHash = (type: string, id: string) => `#/entity?${new URLSearchParams({ type, id, ...DAY })}`;

/** A downloaded CSV's lines, split on commas (no cell here has a comma or a quote). */
async function downloaded(click: () => Promise<void>): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync((await download.path()) as string, 'utf8').trimEnd().split('\r\n').map((line) => line.split(','));
}

describe('flow views: more than 100 groups and CSV downloads', () => {
  it("pages the busy instance's peers with More groups, and downloads them all as the raw lines count them", async () => {
    const mine = raw.filter((r) => r['interface-id'] === BUSY.eni);
    const expected = new Map<string, [number, number]>();
    for (const r of mine) {
      const inbound = r.dstaddr === BUSY.own;
      const peer = inbound ? r.srcaddr : r.dstaddr;
      const counts = expected.get(peer) ?? [0, 0];
      counts[inbound ? 0 : 1] += Number(r.bytes);
      expected.set(peer, counts);
    }
    expect(expected.size).toBe(PEERS);

    await open(entityHash('EC2_INSTANCE', BUSY.instance), 'table[aria-label="Peer IP addresses"]');
    // The table's rows (a locator waits without evaluating strings, which the console's CSP forbids).
    const rows = () => page.locator('table[aria-label="Peer IP addresses"] tbody tr');
    const listed = async () => new Map((await tableRows('Peer IP addresses')).map((r) => [r[0], [number(r[1]), number(r[2])]]));
    await rows().nth(MAX_GROUPS - 1).waitFor(); // the table can appear before its groups load
    expect((await listed()).size).toBe(MAX_GROUPS);
    expect(await page.innerText('[data-testid="flow-group-count"]')).toBe(`${MAX_GROUPS} groups, ${PEERS - MAX_GROUPS} more`);
    await page.click(`button:has-text("More groups (${PEERS - MAX_GROUPS} more)")`);
    await rows().nth(2 * MAX_GROUPS - 1).waitFor();
    await page.click(`button:has-text("More groups (${PEERS - 2 * MAX_GROUPS} more)")`);
    await rows().nth(PEERS - 1).waitFor();
    expect(await page.locator('button:has-text("More groups")').count()).toBe(0);
    expect(await listed()).toEqual(expected);

    const csv = await downloaded(() => page.click('[data-testid="flow-drill-down"] button:has-text("Download CSV")'));
    expect(csv[0]).toEqual(['PEER_IP', 'BytesIn', 'BytesOut', 'BytesUnknownDirection', 'AcceptedBytes', 'RejectedBytes', 'Flows', 'RejectedFlows']);
    expect(csv.length - 1).toBe(PEERS);
    for (const [peer, bytesIn, bytesOut, unknown, , rejected, flows, rejectedFlows] of csv.slice(1)) {
      const lines = mine.filter((r) => r.srcaddr === peer || r.dstaddr === peer);
      expect([peer, Number(bytesIn), Number(bytesOut), Number(unknown), Number(rejected), Number(flows), Number(rejectedFlows)]).toEqual([
        peer,
        ...(expected.get(peer) as [number, number]),
        0,
        lines.filter((r) => r.action === 'REJECT').reduce((sum, r) => sum + Number(r.bytes), 0),
        lines.length,
        lines.filter((r) => r.action === 'REJECT').length,
      ]);
    }
  });

  it("downloads an address's instance table as the raw lines count it", async () => {
    await open(entityHash('IP_ADDRESS', SHARED), 'table[aria-label="Instances that communicated with this address"]');
    const csv = await downloaded(() => page.click('section[aria-label="EC2 instances and network interfaces"] button:has-text("Download CSV")'));
    expect(csv[0]).toEqual(['EntityId', 'AccountId', 'BytesIn', 'BytesOut', 'BytesUnknownDirection', 'Packets', 'Flows', 'RejectedFlows', 'Ports', 'FirstSeenTime', 'LastSeenTime', 'Interfaces']);
    const rows = new Map(csv.slice(1).map((r) => [r[0], r]));
    expect([...rows.keys()].sort()).toEqual([BUSY.instance, OTHER.instance]);
    for (const side of [BUSY, OTHER]) {
      const lines = raw.filter((r) => r['interface-id'] === side.eni && (r.srcaddr === SHARED || r.dstaddr === SHARED));
      const row = rows.get(side.instance) as string[];
      // Bytes in: what the instance received from the address.
      expect([row[1], Number(row[2]), Number(row[3]), Number(row[5]), Number(row[6]), Number(row[7]), row[11]]).toEqual([
        ACCOUNT,
        lines.filter((r) => r.srcaddr === SHARED).reduce((sum, r) => sum + Number(r.bytes), 0),
        lines.filter((r) => r.dstaddr === SHARED).reduce((sum, r) => sum + Number(r.bytes), 0),
        lines.reduce((sum, r) => sum + Number(r.packets), 0),
        lines.length,
        lines.filter((r) => r.action === 'REJECT').length,
        side.eni,
      ]);
    }
  });
});

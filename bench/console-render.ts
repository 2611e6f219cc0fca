import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ensureConsoleBuilt } from '../local/console/build';
import { consoleSite } from '../local/console/static-site';
import { startApiServer } from '../local/http/server';
import { LocalInvestigationRunner, loadStageHandlers } from '../local/investigation-runner';
import { LocalStack } from '../local/local-stack';
import { consoleBenchFiles, jsonPoster, lastDayOf } from './console-data';

/**
 * `npm run bench:console [-- --logs DIR | --synthetic RECORDS]`: the first render of each console page, in
 * headless Chromium, on data ingested by the local pipeline: the real corpus by default, or a generated
 * organization of about RECORDS records (bench/org-corpus.ts: 10 accounts × 3 regions, one hour). "First
 * render" is from navigation to the moment the page's data is on screen (no panel still loading). Target:
 * at most 2 s per page.
 */
const TARGET_MS = 2_000;
const HOUR = 3_600_000;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.LOG_LEVEL ??= 'silent';
  const { values } = parseArgs({ options: { logs: { type: 'string' }, synthetic: { type: 'string' } } });
  const { files, label } = consoleBenchFiles(values);
  const built = await ensureConsoleBuilt();
  if (built) console.log(built);
  const dataDir = mkdtempSync(join(tmpdir(), 'trailhound-console-bench-'));
  const stack = await LocalStack.start({ dataDir, inMemory: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const started = Date.now();
    await stack.upload(files);
    await stack.drain();
    console.log(`ingested ${files.length} files (${label}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const runner = new LocalInvestigationRunner(await loadStageHandlers(), { retryIntervalMs: 10 });
    const api = await startApiServer({ port: 0, runner, console: consoleSite() });
    const post = jsonPoster(api.url);

    // The window: the last 24 hours of the data.
    const { from, to } = lastDayOf(files);
    const summary = await post<{ TopUsers: { PrincipalArn?: string }[]; TopRoles: { PrincipalArn?: string }[] }>('/graph/getSummary', { ScopeStartTime: from, ScopeEndTime: to });
    const principal = summary.TopUsers.find((u) => u.PrincipalArn)?.PrincipalArn ?? summary.TopRoles.find((r) => r.PrincipalArn)?.PrincipalArn;
    if (!principal) throw new Error('no principal with calls in the last 24 hours of the data');
    const type = principal.includes(':user/') ? 'IAM_USER' : 'IAM_ROLE';
    const scope = { from: new Date(Date.parse(to) - 2 * HOUR).toISOString(), to };
    const { InvestigationId } = await post<{ InvestigationId: string }>('/investigations/startInvestigation', { EntityArn: principal, ScopeStartTime: scope.from, ScopeEndTime: scope.to });
    await runner.wait(InvestigationId);

    // Each page with its main API call, timed alone too: what the server takes, apart from the browser.
    const pages: [string, string, string, object][] = [
      ['summary', `#/summary?${new URLSearchParams({ from, to })}`, '/graph/getSummary', { ScopeStartTime: from, ScopeEndTime: to, HideServiceLinkedRoles: false }],
      ['search', `#/search?${new URLSearchParams({ type: 'IAM_ROLE', q: '*', from, to })}`, '/graph/searchEntities', { EntityType: 'IAM_ROLE', Query: '*', ScopeStartTime: from, ScopeEndTime: to, MaxResults: 100 }],
      ['profile', `#/entity?${new URLSearchParams({ type, id: principal, ...scope })}`, '/graph/getEntityProfile', { EntityType: type, EntityId: principal, ScopeStartTime: scope.from, ScopeEndTime: scope.to }],
      ['investigations', '#/investigations', '/investigations/listInvestigations', { MaxResults: 50, SortCriteria: { Field: 'CREATED_TIME', SortOrder: 'DESC' } }],
      ['report', `#/investigation?${new URLSearchParams({ id: InvestigationId })}`, '/investigations/listIndicators', { InvestigationId, MaxResults: 100 }],
    ];
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const rows: string[] = [];
    for (const [name, hash, route, body] of pages) {
      const a0 = Date.now();
      await post(route, body);
      const apiMs = Date.now() - a0;
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto(`${api.url}/${hash}`);
      await page.waitForFunction(() => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
        return doc.querySelector('main h1') && !doc.querySelector('main [role="status"]');
      }, undefined, { timeout: 60_000, polling: 20 });
      const ms = Date.now() - t0;
      rows.push(`  ${name.padEnd(15)} ${String(ms).padStart(6)} ms  ${(ms <= TARGET_MS ? 'within' : 'OVER').padEnd(6)}  (${route} alone: ${apiMs} ms)`);
      await page.close();
    }
    console.log(`First render of each console page, target ${TARGET_MS / 1000} s (${label}; profile: ${principal}):`);
    for (const row of rows) console.log(row);
    await api.close();
  } finally {
    await browser.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

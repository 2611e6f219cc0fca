import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../../local/console/build';
import { chromiumPresent, CHROMIUM, launchBrowser, watchedPage, type WatchedPage } from './browser';

/**
 * What every browser test file of the console shares: the build, a pipeline serving the console, one watched
 * Chromium page, and after each test the check that no page logged an error (a failed request, an exception,
 * a CSP violation) or opened a dialog. `consoleSession` registers the hooks; the test file reads the page
 * and the pipeline from the session once `beforeAll` has run.
 *
 * Every page's screenshot is saved on every run, to .scratch/screenshots (ignored by git), so a test run leaves
 * the working tree clean; `SCREENSHOTS_TO_DOCS=1 npx jest test/console` refreshes the README's pictures in docs/.
 */
export const SCREENSHOTS = process.env.SCREENSHOTS_TO_DOCS === '1' ? join(__dirname, '..', '..', 'docs') : join(__dirname, '..', '..', '.scratch', 'screenshots');

type Row = { cells: ArrayLike<{ textContent: string | null }> };

export interface ServedPipeline {
  readonly apiUrl: string;
  stop(): Promise<void>;
}

export interface ConsoleSession<P extends ServedPipeline> {
  readonly pipeline: P;
  readonly browser: Browser;
  readonly watched: WatchedPage;
  readonly page: Page;
  /** Opens a view by its hash and waits for a selector of its content. */
  open(hash: string, ready: string): Promise<void>;
  screenshot(name: string): Promise<void>;
  /** A table's body as text cells. */
  tableRows(label: string): Promise<string[][]>;
}

/** A number as the console shows it, without its thousands separators. */
export const number = (text: string) => Number(text.replace(/,/g, ''));

export function consoleSession<P extends ServedPipeline>(start: () => Promise<P>): ConsoleSession<P> {
  let state: { pipeline: P; browser: Browser; watched: WatchedPage } | undefined;
  let pipeline: P | undefined;
  let browser: Browser | undefined;
  const current = () => {
    if (!state) throw new Error('the console session has not started (beforeAll)');
    return state;
  };
  const session: ConsoleSession<P> = {
    get pipeline() {
      return current().pipeline;
    },
    get browser() {
      return current().browser;
    },
    get watched() {
      return current().watched;
    },
    get page() {
      return current().watched.page;
    },
    async open(hash, ready) {
      await session.page.goto(`${session.pipeline.apiUrl}/${hash}`);
      await session.page.waitForSelector(ready, { timeout: 30_000 });
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await session.page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`), fullPage: false });
    },
    tableRows(label) {
      return session.page.$$eval(`table[aria-label="${label}"] tbody tr`, (rows) => rows.map((row) => [...Array.from((row as unknown as Row).cells)].map((cell) => (cell.textContent ?? '').trim())));
    },
  };

  beforeAll(async () => {
    if (!chromiumPresent()) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`);
    await ensureConsoleBuilt();
    pipeline = await start();
    browser = await launchBrowser();
    state = { pipeline, browser, watched: await watchedPage(browser) };
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  afterEach(() => {
    if (!state) return;
    // No page logs an error: no failed request, no exception, no CSP violation (Chromium logs those as errors).
    const { errors, dialogs } = state.watched;
    const seen = { errors: [...errors], dialogs: [...dialogs] };
    errors.length = 0;
    dialogs.length = 0;
    expect(seen).toEqual({ errors: [], dialogs: [] });
  });

  return session;
}

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Builds the console (console/src, TypeScript and Preact) into static assets in console/dist: one minified
 * script, one stylesheet and index.html, nothing fetched from a CDN. The gzipped total is printed and the build
 * fails above CONSOLE_BUDGET_BYTES, so a careless import (all of echarts is ~350 KB gzipped) is caught at once.
 * `npm start`, `npm run console` and the browser tests call ensureConsoleBuilt(), which rebuilds only when a
 * source is newer than the bundle: a fresh clone needs no separate build step.
 */
export const CONSOLE_DIR = join(__dirname, '..', '..', 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
export const CONSOLE_BUDGET_BYTES = 500 * 1024;
const SOURCES = [join(CONSOLE_DIR, 'src'), join(CONSOLE_DIR, 'static'), __filename];

export interface ConsoleBuild {
  /** Each asset's gzipped size in bytes. */
  gzippedBytes: Record<string, number>;
  totalGzippedBytes: number;
}

export class ConsoleBudgetError extends Error {}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function oldestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  const names = readdirSync(dir);
  return names.length === 0 ? 0 : Math.min(...names.map((name) => statSync(join(dir, name)).mtimeMs));
}

export function consoleIsStale(): boolean {
  if (!existsSync(join(CONSOLE_DIST, 'index.html')) || !existsSync(join(CONSOLE_DIST, 'app.js'))) return true;
  return Math.max(...SOURCES.map(newestMtime), newestMtime(join(__dirname, '..', '..', 'package-lock.json'))) > oldestMtime(CONSOLE_DIST);
}

/**
 * Builds into a fresh folder beside the target, then moves each file into place (a rename replaces a file
 * atomically): test files that build in parallel, or a server reading the assets, never see half a file.
 */
export async function buildConsole(options: { budgetBytes?: number; outdir?: string } = {}): Promise<ConsoleBuild> {
  const target = options.outdir ?? CONSOLE_DIST;
  mkdirSync(target, { recursive: true });
  const staging = mkdtempSync(`${target}.staging-`);
  try {
    return await buildInto(staging, target, options.budgetBytes ?? CONSOLE_BUDGET_BYTES);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function buildInto(staging: string, target: string, budget: number): Promise<ConsoleBuild> {
  await build({
    entryPoints: { app: join(CONSOLE_DIR, 'src', 'main.tsx') },
    outdir: staging,
    bundle: true,
    minify: true,
    // ES modules with splitting: ECharts and Cytoscape become chunks loaded by the pages that draw with them.
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // Only the browser build of everything: no Node built-ins may sneak in through a shared core module.
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const name of readdirSync(join(CONSOLE_DIR, 'static'))) copyFileSync(join(CONSOLE_DIR, 'static', name), join(staging, name));
  const gzippedBytes: Record<string, number> = {};
  for (const name of readdirSync(staging)) if (!name.endsWith('.LEGAL.txt')) gzippedBytes[name] = gzipSync(readFileSync(join(staging, name)), { level: 9 }).length;
  const totalGzippedBytes = Object.values(gzippedBytes).reduce((a, b) => a + b, 0);
  // Over the budget, nothing is installed: the previous build (if any) stays, and the caller gets the error.
  if (totalGzippedBytes > budget) throw new ConsoleBudgetError(`console bundle is ${kb(totalGzippedBytes)} gzipped, over the budget of ${kb(budget)}`);
  writeFileSync(join(staging, 'build.json'), JSON.stringify({ gzippedBytes, totalGzippedBytes }, null, 1));
  // index.html last: it names the others.
  const names = readdirSync(staging).sort((a, b) => Number(a === 'index.html') - Number(b === 'index.html'));
  for (const name of names) renameSync(join(staging, name), join(target, name));
  // Chunks of earlier builds are no longer named by anything: remove them.
  for (const name of readdirSync(target)) if (name.startsWith('chunk-') && !names.includes(name)) rmSync(join(target, name), { force: true });
  return { gzippedBytes, totalGzippedBytes };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function describeBuild(result: ConsoleBuild): string {
  const parts = Object.entries(result.gzippedBytes).map(([name, bytes]) => `${name} ${kb(bytes)}`);
  return `console built: ${kb(result.totalGzippedBytes)} gzipped (budget ${kb(CONSOLE_BUDGET_BYTES)}): ${parts.join(', ')}`;
}

/** Builds when a source is newer than the bundle; returns the line to print, or undefined when up to date. */
export async function ensureConsoleBuilt(): Promise<string | undefined> {
  if (!consoleIsStale()) return undefined;
  return describeBuild(await buildConsole());
}

if (require.main === module) {
  buildConsole()
    .then((result) => console.log(describeBuild(result)))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
}

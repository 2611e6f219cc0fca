import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
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

export async function buildConsole(options: { budgetBytes?: number } = {}): Promise<ConsoleBuild> {
  mkdirSync(CONSOLE_DIST, { recursive: true });
  await build({
    entryPoints: { app: join(CONSOLE_DIR, 'src', 'main.tsx') },
    outdir: CONSOLE_DIST,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // Only the browser build of everything: no Node built-ins may sneak in through a shared core module.
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const name of readdirSync(join(CONSOLE_DIR, 'static'))) copyFileSync(join(CONSOLE_DIR, 'static', name), join(CONSOLE_DIST, name));
  const gzippedBytes: Record<string, number> = {};
  for (const name of readdirSync(CONSOLE_DIST)) if (!name.endsWith('.LEGAL.txt') && name !== 'build.json') gzippedBytes[name] = gzipSync(readFileSync(join(CONSOLE_DIST, name)), { level: 9 }).length;
  const totalGzippedBytes = Object.values(gzippedBytes).reduce((a, b) => a + b, 0);
  writeFileSync(join(CONSOLE_DIST, 'build.json'), JSON.stringify({ gzippedBytes, totalGzippedBytes }, null, 1));
  const budget = options.budgetBytes ?? CONSOLE_BUDGET_BYTES;
  if (totalGzippedBytes > budget) throw new ConsoleBudgetError(`console bundle is ${kb(totalGzippedBytes)} gzipped, over the budget of ${kb(budget)}`);
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

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildConsole, ConsoleBudgetError, CONSOLE_BUDGET_BYTES, describeBuild } from '../../local/console/build';

/** The console's build: static assets only, within the gzipped budget, refused above it. */
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'trailhound-console-build-'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the console build', () => {
  it('writes index.html, app.js and style.css, reports their gzipped sizes, and stays within 500 KB', async () => {
    const result = await buildConsole({ outdir });
    expect(readdirSync(outdir).sort()).toEqual(expect.arrayContaining(['app.js', 'index.html', 'style.css']));
    // Sizes measured here, independently of the build's own figures.
    const gz = (name: string) => gzipSync(readFileSync(join(outdir, name)), { level: 9 }).length;
    expect(result.gzippedBytes['app.js']).toBe(gz('app.js'));
    expect(gunzipSync(gzipSync(readFileSync(join(outdir, 'app.js')))).length).toBeGreaterThan(0);
    expect(result.totalGzippedBytes).toBeLessThanOrEqual(CONSOLE_BUDGET_BYTES);
    expect(describeBuild(result)).toMatch(/^console built: \d+\.\d KB gzipped \(budget 500\.0 KB\)/);
    // Nothing is fetched from elsewhere: the page names only its own files.
    const html = readFileSync(join(outdir, 'index.html'), 'utf8');
    expect(html.match(/(?:src|href)="([^"]+)"/g)).toEqual(['href="data:,"', 'href="style.css"', 'src="app.js"']);
    expect(readFileSync(join(outdir, 'app.js'), 'utf8')).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)\./);
  });

  it('fails above the budget and leaves the previous build in place', async () => {
    const before = readFileSync(join(outdir, 'app.js'));
    await expect(buildConsole({ outdir, budgetBytes: 10_000 })).rejects.toThrow(ConsoleBudgetError);
    await expect(buildConsole({ outdir, budgetBytes: 10_000 })).rejects.toThrow(/over the budget of 9\.8 KB/);
    expect(readFileSync(join(outdir, 'app.js')).equals(before)).toBe(true);
    expect(readdirSync(join(outdir, '..')).filter((name) => name.startsWith(`${outdir.split('/').pop()}.staging-`))).toEqual([]);
  });
});

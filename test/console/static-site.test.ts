import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleUrl, findingsConsoleUrl } from '../../local/console/console-url';
import { CONSOLE_CSP, consoleSite } from '../../local/console/static-site';

/** The console's file server (only the built files, each with the CSP) and the address `npm start` prints. */
let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailhound-site-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'build.json'), '{}');
  const site = consoleSite(dir);
  server = createServer((req, res) => {
    if (!site.handle(req, res)) {
      res.writeHead(599);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request, so that `..` in the path reaches the server as sent (fetch would normalise it). */
function raw(method: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/`, { method, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console site', () => {
  it('serves the page and its assets with the CSP and their types', async () => {
    const page = await raw('GET', '/');
    expect(page).toMatchObject({ status: 200, body: '<!doctype html><title>t</title>' });
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const script = await raw('GET', '/app.js?v=1');
    expect(script).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect(await raw('HEAD', '/app.js')).toMatchObject({ status: 200, body: '' });
  });

  it('serves nothing else: no other file, no path out of the folder, no other method', async () => {
    for (const path of ['/build.json', '/../package.json', '/%2e%2e/package.json', '/index.html/', '/APP.JS', '/graph/getSummary']) expect((await raw('GET', path)).status).toBe(599);
    expect((await raw('POST', '/')).status).toBe(599);
  });
});

describe('the printed console address', () => {
  it('opens the summary on the last 24 hours of the newest object delivered', () => {
    const keys = ['AWSLogs/1/CloudTrail/us-east-1/2023/07/10/1_CloudTrail_us-east-1_20230710T1235Z_a.json.gz', 'AWSLogs/1/CloudTrail/us-east-1/2023/07/10/1_CloudTrail_us-east-1_20230710T1140Z_b.json.gz'];
    expect(consoleUrl('http://127.0.0.1:4567', keys, Date.parse('2026-01-01T00:00:00Z'))).toBe('http://127.0.0.1:4567/#/summary?from=2023-07-09T13%3A00%3A00.000Z&to=2023-07-10T13%3A00%3A00.000Z');
  });

  it('opens the plain page when no key names a time, or the newest is in the future', () => {
    expect(consoleUrl('http://x', ['AWSLogs/odd-name.json.gz'])).toBe('http://x/');
    expect(consoleUrl('http://x', ['a_20990101T0000Z_b.json.gz'], Date.parse('2026-01-01T00:00:00Z'))).toBe('http://x/');
  });

  it('opens the findings page on the 30 days up to the end of the logs (after --guardduty-events)', () => {
    const keys = ['AWSLogs/1/CloudTrail/us-east-1/2023/07/10/1_CloudTrail_us-east-1_20230710T1235Z_a.json.gz'];
    expect(findingsConsoleUrl('http://127.0.0.1:4567', keys, Date.parse('2026-01-01T00:00:00Z'))).toBe('http://127.0.0.1:4567/#/findings?from=2023-06-11T00%3A00%3A00.000Z&to=2023-07-11T00%3A00%3A00.000Z');
    expect(findingsConsoleUrl('http://x', ['AWSLogs/odd-name.json.gz'])).toBe('http://x/#/findings');
  });
});

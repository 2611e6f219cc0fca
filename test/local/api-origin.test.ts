import { ListInvestigationsCommand } from '@aws-sdk/client-detective';
import { GRAPH_ARN, startHarness, type Harness } from '../api/harness';
import { rawRequest } from './raw-http';

/**
 * The local API has no authentication, so it must not be reachable from web pages: a foreign `Host`
 * (DNS rebinding) or a foreign `Origin` (CSRF) gets Detective's 403 AccessDeniedException before the
 * handler runs. The Detective client, curl and same-origin requests still work.
 */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness.stop();
});

const body = JSON.stringify({ GraphArn: GRAPH_ARN });
const list = (headers: Record<string, string>) =>
  rawRequest(harness.server.port, { method: 'POST', path: '/investigations/listInvestigations', headers: { 'content-type': 'application/json', ...headers }, body });

describe('local API server, foreign requests', () => {
  it('listens on loopback only', () => {
    expect(harness.server.url).toBe(`http://127.0.0.1:${harness.server.port}`);
  });

  it('accepts the Detective client and loopback hosts, with no Origin or a same-origin one', async () => {
    await expect(harness.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN }))).resolves.toMatchObject({ InvestigationDetails: [] });
    const port = harness.server.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await list({ host })).status).toBe(200);
    }
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      expect((await list({ origin })).status).toBe(200);
    }
  });

  it.each([
    ['a rebound DNS name', { host: 'attacker.example:PORT' }],
    ['loopback on another port', { host: '127.0.0.1:1' }],
    ['loopback without a port', { host: 'localhost' }],
    ['a name that merely starts like localhost', { host: 'localhost.attacker.example:PORT' }],
    ['a cross-site page', { origin: 'https://attacker.example' }],
    ['a page on another local port', { origin: 'http://127.0.0.1:1' }],
    ['an https origin on this port', { origin: 'https://127.0.0.1:PORT' }],
    ['a sandboxed page', { origin: 'null' }],
  ])('refuses %s with 403 AccessDeniedException', async (_label, headers) => {
    const withPort = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', String(harness.server.port))]));
    const response = await list(withPort);
    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(response.text)).toEqual({ Message: expect.stringMatching(/^Access denied: /) });
  });

  it('refuses a request with no Host header', async () => {
    // Node's HTTP server itself answers 400 to an HTTP/1.1 request without Host; the guard refuses the rest.
    const response = await rawRequest(harness.server.port, { method: 'POST', path: '/investigations/listInvestigations', headers: { host: '' }, body });
    expect([400, 403]).toContain(response.status);
  });

  it('starts nothing for a refused request', async () => {
    const before = harness.runner.started.length;
    const start = JSON.stringify({ GraphArn: GRAPH_ARN, EntityArn: 'arn:aws:iam::111122223333:role/Admin', ScopeStartTime: new Date(Date.now() - 3_600_000).toISOString(), ScopeEndTime: new Date().toISOString() });
    const response = await rawRequest(harness.server.port, { method: 'POST', path: '/investigation/startInvestigation', headers: { origin: 'https://attacker.example', 'content-type': 'text/plain' }, body: start });
    expect(response.status).toBe(403);
    expect(harness.runner.started.length).toBe(before);
  });
});

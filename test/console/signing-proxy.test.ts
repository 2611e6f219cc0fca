import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ensureConsoleBuilt } from '../../local/console/build';
import { parseEndpoint, ProxyConfigError, startSigningProxy, type SigningProxy } from '../../local/console/signing-proxy';
import { consoleSite } from '../../local/console/static-site';

/**
 * `npm run console`'s proxy against a fake deployed API on loopback: each forwarded call must carry a SigV4
 * signature for `execute-api` that this test recomputes by hand from the received request (the algorithm as
 * AWS documents it, with node:crypto only), with the credentials the SDK's default chain found.
 */
const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let fake: Server;
let fakeUrl: string;
const received: Received[] = [];
let proxy: SigningProxy;
const saved = { ...process.env };

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** The signature AWS would compute for this request (Signature Version 4, as documented). */
function expectedSignature(request: Received, signedHeaders: string[], scope: { date: string; region: string }): string {
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [request.method, request.url, '', canonicalHeaders, signedHeaders.join(';'), sha256(request.body)].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', String(request.headers['x-amz-date']), credentialScope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${KEY.secretAccessKey}`, scope.date);
  for (const part of [scope.region, 'execute-api', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  fake = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url?.endsWith('/missing')) {
        response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException', 'set-cookie': 'leak=1' });
        response.end(JSON.stringify({ Message: 'no such investigation' }));
      } else {
        response.writeHead(200, { 'content-type': 'application/json', 'x-next-token': 'token-2', 'set-cookie': 'leak=1' });
        response.end(JSON.stringify({ echoed: JSON.parse(body) }));
      }
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/prod`;
  // The SDK's default chain, fed by the environment as a user's shell would.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_SESSION_TOKEN: KEY.sessionToken });
  delete process.env.AWS_PROFILE;
  proxy = await startSigningProxy({ endpoint: fakeUrl, region: 'eu-west-1', credentials: defaultProvider(), site: consoleSite() });
});

afterAll(async () => {
  process.env = saved;
  await proxy?.close();
  await new Promise((resolve) => fake?.close(resolve));
});

beforeEach(() => {
  received.length = 0;
});

describe('the console signing proxy', () => {
  it('forwards an API call signed with SigV4 for execute-api, with the default chain’s credentials', async () => {
    const body = JSON.stringify({ ScopeStartTime: '2023-07-10T00:00:00Z', ScopeEndTime: '2023-07-11T00:00:00Z' });
    const response = await fetch(`${proxy.url}/graph/getSummary`, { method: 'POST', headers: { 'content-type': 'application/json', origin: proxy.url, cookie: 'mine=1' }, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echoed: JSON.parse(body) });
    // Paging passes back; cookies from upstream do not.
    expect(response.headers.get('x-next-token')).toBe('token-2');
    expect(response.headers.get('set-cookie')).toBeNull();

    expect(received).toHaveLength(1);
    const [request] = received;
    expect({ method: request.method, url: request.url, body: request.body }).toEqual({ method: 'POST', url: '/prod/graph/getSummary', body });
    const authorization = String(request.headers.authorization);
    const match = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    expect(match).not.toBeNull();
    const [, date, signedHeaders, signature] = match as RegExpExecArray;
    expect(String(request.headers['x-amz-date'])).toMatch(new RegExp(`^${date}T\\d{6}Z$`));
    expect(request.headers['x-amz-security-token']).toBe(KEY.sessionToken);
    const names = signedHeaders.split(';');
    expect(names).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    expect(signature).toBe(expectedSignature(request, names, { date, region: 'eu-west-1' }));
    // The browser's own headers (cookies, origin) are not forwarded.
    expect(request.headers.cookie).toBeUndefined();
    expect(request.headers.origin).toBeUndefined();
  });

  it('passes back the API’s errors with their type', async () => {
    const response = await fetch(`${proxy.url}/investigations/missing`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({ Message: 'no such investigation' });
  });

  it('serves the console under its CSP, and refuses foreign origins, foreign hosts, other paths and oversized bodies without calling the API', async () => {
    const page = await fetch(`${proxy.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const foreign = await fetch(`${proxy.url}/graph/getSummary`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
    const other = await fetch(`${proxy.url}/../../etc/passwd`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    const big = await fetch(`${proxy.url}/graph/getSummary`, { method: 'POST', body: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(received).toEqual([]);
  });

  it('takes the region from an execute-api endpoint and refuses plain HTTP to another machine', () => {
    expect(parseEndpoint('https://abc123.execute-api.ap-southeast-2.amazonaws.com/prod/').region).toBe('ap-southeast-2');
    expect(parseEndpoint('https://abc123.execute-api.ap-southeast-2.amazonaws.com/prod/').url.pathname).toBe('/prod');
    expect(() => parseEndpoint('http://abc123.execute-api.eu-west-1.amazonaws.com/prod')).toThrow(ProxyConfigError);
    expect(() => parseEndpoint('not a url')).toThrow(ProxyConfigError);
    delete process.env.AWS_REGION;
    expect(() => parseEndpoint('https://api.example.com/prod')).toThrow(/--region/);
    expect(parseEndpoint('https://api.example.com/prod', 'eu-west-1').region).toBe('eu-west-1');
  });
});

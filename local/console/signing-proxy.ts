import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { foreignRequestReason, listenOnLoopback, type LoopbackServer } from '../http/loopback';
import type { ConsoleSite } from './static-site';

/**
 * `npm run console -- --endpoint <InvestigationApiEndpoint>`: the console on 127.0.0.1, its API calls
 * forwarded to the deployed API signed with SigV4 for `execute-api` (the stack's routes use AWS_IAM), with
 * the user's own credentials from the SDK's default chain. Nothing new is exposed: the proxy listens on
 * loopback only, refuses foreign hosts and origins like the local API (DNS rebinding, CSRF), forwards only
 * the API's POST routes with a JSON body, and passes on only the answer's status, type and paging headers.
 */
/** The SDK's credential providers' shape (defaultProvider() is one). */
export type CredentialsProvider = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

export interface SigningProxyOptions {
  /** The stack output InvestigationApiEndpoint, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod. */
  readonly endpoint: string;
  /** @default the region in the endpoint's host name, else AWS_REGION */
  readonly region?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  readonly credentials: CredentialsProvider;
  readonly site: ConsoleSite;
}

export type SigningProxy = LoopbackServer;

export class ProxyConfigError extends Error {}

/** The largest body forwarded: 4 times the API's own limit (16 KiB), so the API still answers its 413. */
export const MAX_FORWARDED_BODY_BYTES = 64 * 1024;
const ROUTE = /^\/(investigations|graph)\/[A-Za-z]{1,64}$/;
const PASSED_BACK = ['content-type', 'x-amzn-errortype', 'x-amzn-requestid', 'x-next-token'];

export function parseEndpoint(endpoint: string, region?: string): { url: URL; region: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ProxyConfigError(`--endpoint ${endpoint} is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  // Credentials-signed requests go over TLS; plain HTTP only to this machine (a test's fake endpoint).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new ProxyConfigError(`--endpoint must be https:// (got ${url.protocol})`);
  if (url.search || url.hash || url.username) throw new ProxyConfigError('--endpoint must be the API URL alone (no query, fragment or user)');
  const found = region ?? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1] ?? process.env.AWS_REGION;
  if (!found) throw new ProxyConfigError('the region is not in the endpoint: give --region');
  url.pathname = url.pathname.replace(/\/+$/, '');
  return { url, region: found };
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORWARDED_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_FORWARDED_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Message: message });
  response.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type, 'Content-Length': String(Buffer.byteLength(body)) });
  response.end(body);
}

export async function startSigningProxy(options: SigningProxyOptions): Promise<SigningProxy> {
  const { url: endpoint, region } = parseEndpoint(options.endpoint, options.region);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: options.credentials, sha256: Sha256 });
  let port = 0;
  const forward = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const body = await readBody(request);
    if (!body) return answer(response, 413, 'RequestEntityTooLargeException', 'Request entity too large.');
    const accept = request.headers.accept === 'text/csv' ? 'text/csv' : 'application/json';
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: `${endpoint.pathname}${path}`,
      query: {},
      headers: { host: endpoint.host, 'content-type': 'application/json', accept },
      body: body.toString('utf8'),
    });
    const upstream = await fetch(`${endpoint.origin}${endpoint.pathname}${path}`, { method: 'POST', headers: signed.headers, body: signed.body as string, redirect: 'manual' });
    const headers: Record<string, string> = {};
    for (const name of PASSED_BACK) {
      const value = upstream.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const bytes = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, { ...headers, 'Content-Length': String(bytes.length) });
    response.end(bytes);
  };
  const server = createServer((request, response) => {
    void (async () => {
      try {
        const refusal = foreignRequestReason(request.headers, port, { allowOrigin: true });
        if (refusal) {
          request.resume();
          return answer(response, 403, 'AccessDeniedException', `Access denied: ${refusal}.`);
        }
        if (options.site.handle(request, response)) return;
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (request.method !== 'POST' || !ROUTE.test(path)) {
          request.resume();
          return answer(response, 404, 'ResourceNotFoundException', 'Not a console asset or an API route.');
        }
        await forward(request, response, path);
      } catch (error) {
        // Credentials missing or expired, endpoint unreachable: say so (the message names no secret).
        if (!response.headersSent) answer(response, 502, 'BadGatewayException', `The deployed API could not be reached: ${error instanceof Error ? error.message : String(error)}`);
        else response.destroy();
      }
    })();
  });
  return listenOnLoopback(server, options.port, (chosen) => {
    port = chosen;
  });
}

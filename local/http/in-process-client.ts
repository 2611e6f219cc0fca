import { DetectiveClient } from '@aws-sdk/client-detective';
import type { LocalApi } from './server';

/**
 * A Detective client whose requests go straight to the local API handler in this process, through the
 * same proxy-event translation as the HTTP server, but with no socket: `--no-serve` binds no port and
 * `investigate` needs none, yet both read investigations back exactly as an SDK caller would.
 */
interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | (string | null)[] | null>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

function urlOf(request: SdkHttpRequest): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item ?? '');
  }
  const query = search.toString();
  return query ? `${request.path}?${query}` : request.path;
}

function bodyOf(body: SdkHttpRequest['body']): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // A view on the same bytes: Buffer.from(body) would call the SDK's JSON body's string-like valueOf().
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export function inProcessDetectiveClient(api: LocalApi): DetectiveClient {
  const requestHandler = {
    async handle(request: SdkHttpRequest) {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
      const result = await api({ method: request.method, url: urlOf(request), headers, body: bodyOf(request.body), sourceIp: '127.0.0.1' });
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name.toLowerCase()] = String(value);
      const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
      return { response: { statusCode: result.statusCode, headers: responseHeaders, body: new Uint8Array(body) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return new DetectiveClient({
    endpoint: 'http://127.0.0.1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: requestHandler as never,
  });
}

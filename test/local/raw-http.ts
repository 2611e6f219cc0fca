import { request } from 'node:http';

/**
 * An HTTP request sent exactly as written: fetch() and the SDKs normalise `..` out of paths and refuse
 * to set `Host`, which is what an attacker's client does not do.
 */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // An empty `host` header means none at all (as HTTP/1.0 clients send).
    const headers = Object.fromEntries(Object.entries({ host: `127.0.0.1:${port}`, ...options.headers }).filter(([, value]) => value !== ''));
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

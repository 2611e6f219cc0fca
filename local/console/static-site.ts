import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONSOLE_DIST } from './build';

/**
 * The console's static assets, served by the local API server (`npm start`) and by the signing proxy
 * (`npm run console`) on their own origin. Only the built files are served, read once into memory: no path
 * from the URL reaches the file system. Every answer carries a strict Content-Security-Policy: scripts and
 * styles from this origin only (no inline script, no eval), requests to this origin only, no frames, no
 * plugins; so a string from the logs that ever became markup still could not run or call out.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.txt': 'text/plain; charset=utf-8' };

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

export interface ConsoleSite {
  /** Answers a GET or HEAD of a console asset; false when the request is not for the console. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

export function consoleSite(dir = CONSOLE_DIST): ConsoleSite {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) if (TYPES[extname(name)]) files.set(`/${name}`, readFileSync(join(dir, name)));
  files.set('/', files.get('/index.html') as Buffer);
  return {
    handle(request, response) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const body = files.get(path);
      if (!body) return false;
      request.resume();
      response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': TYPES[extname(path)] ?? TYPES['.html'], 'Content-Length': String(body.length) });
      response.end(request.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}

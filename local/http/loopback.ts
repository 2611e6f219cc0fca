import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Who may talk to the local servers. They listen on 127.0.0.1, but a web page in the user's browser can
 * still reach them: by a cross-site request (CSRF; the browser adds an `Origin` header) or through DNS
 * rebinding (an attacker's name resolving to 127.0.0.1; the `Host` header keeps that name). So a request
 * must name a loopback host with this server's port, and a browser request must come from this origin.
 */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** The `Host` header names this server on loopback: 127.0.0.1, localhost or [::1], with its port. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  return LOOPBACK_HOSTS.some((name) => host.toLowerCase() === `${name}:${port}`);
}

/** No `Origin` (not a browser, or a same-origin GET), or exactly `http://<loopback host>:<port>`. */
export function isSameOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return LOOPBACK_HOSTS.some((name) => origin.toLowerCase() === `http://${name}:${port}`);
}

/** Why a request is refused, or undefined when it may proceed. */
export function foreignRequestReason(headers: IncomingHttpHeaders, port: number, options: { allowOrigin: boolean }): string | undefined {
  if (!isLoopbackHost(headers.host, port)) return `Host ${JSON.stringify(headers.host ?? '')} is not this server (use 127.0.0.1:${port} or localhost:${port})`;
  const origin = headers.origin;
  if (origin !== undefined && !(options.allowOrigin && isSameOrigin(origin, port))) return `requests from origin ${JSON.stringify(origin)} are not accepted`;
  return undefined;
}

/** A server listening on 127.0.0.1. */
export interface LoopbackServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 only (the local servers have no authentication) at `port` (0: a free one), and
 * reports the port chosen before any request is handled, as `onPort`, for the host and origin checks.
 */
export async function listenOnLoopback(server: Server, port: number | undefined, onPort: (port: number) => void): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  const chosen = (server.address() as AddressInfo).port;
  onPort(chosen);
  return {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

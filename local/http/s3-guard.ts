import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { foreignRequestReason } from './loopback';

/**
 * A guard in front of s3rver, which stores an object at `join(directory, bucket, key)`: a key such as
 * `AWSLogs/../../../x` (or `%2e%2e%2f…`, or with backslashes) would write, read or delete outside its
 * folder. Requests naming such a path are refused before s3rver sees them, as are requests whose object
 * names travel in the body (multi-object delete, browser form uploads) since those cannot be checked here,
 * and requests from browsers or foreign hosts (see loopback.ts). Local mode needs none of these.
 */

/** Percent-decodes until stable (a few rounds), so double-encoded dots are seen too; undefined if malformed. */
function decodings(text: string): string[] | undefined {
  const seen = [text];
  let current = text;
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) break;
    seen.push(next);
    current = next;
  }
  return seen;
}

/** True when a bucket/key path could resolve outside the folder it belongs in. */
export function escapesFolder(path: string): boolean {
  const forms = decodings(path);
  if (!forms) return true;
  return forms.some((form) => form.includes('\0') || form.split(/[\\/]/).some((segment) => segment === '..' || segment === '.'));
}

/** Why s3rver must not see this request, or undefined. */
export function s3RequestRejection(request: IncomingMessage, port: number): string | undefined {
  const foreign = foreignRequestReason(request.headers, port, { allowOrigin: false });
  if (foreign) return foreign;
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  if (escapesFolder(path)) return 'the bucket or key contains "." or ".." path segments (also percent-encoded or with backslashes) or NUL';
  const copySource = request.headers['x-amz-copy-source'];
  if (copySource !== undefined && escapesFolder(String(copySource))) return 'x-amz-copy-source contains "." or ".." path segments (also percent-encoded or with backslashes) or NUL';
  // Multipart uploads name their key in the path; every other POST carries object names in its body.
  if (request.method === 'POST' && !query.has('uploads') && !query.has('uploadId')) return 'POST is only accepted for multipart uploads';
  return undefined;
}

function refuse(response: ServerResponse, reason: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${reason.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</Message></Error>`;
  response.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) });
  response.end(xml);
}

/** Wraps s3rver's request listener; `port()` is read per request because it is known only after listen. */
export function guardS3(listener: RequestListener, port: () => number): RequestListener {
  return (request, response) => {
    const reason = s3RequestRejection(request, port());
    if (reason) {
      // The body is not read: drain it so the connection is not left waiting.
      request.resume();
      refuse(response, reason);
      return;
    }
    listener(request, response);
  };
}

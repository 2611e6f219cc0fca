/**
 * The console's one way to the server: POST with JSON to the same origin, as the Detective-style API expects.
 * Locally the origin is the API itself; with `npm run console` it is the signing proxy, which forwards the
 * request to the deployment signed with the user's credentials. Errors keep Detective's shape: the type from
 * `x-amzn-ErrorType` and the `Message` (shown as text; it may echo attacker-written input).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const GRAPH_ARN = 'arn:aws:detective:us-east-1:000000000000:graph:00000000000000000000000000000000';

async function send(path: string, body: object, accept = 'application/json'): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'NetworkError', `The server did not answer (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!response.ok) {
    const text = await response.text();
    let message = `HTTP ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { Message?: string; message?: string };
      message = parsed.Message ?? parsed.message ?? message;
    } catch {
      // Not JSON (a proxy's page): keep the status.
    }
    throw new ApiError(response.status, response.headers.get('x-amzn-ErrorType')?.split(':')[0] ?? 'Error', message);
  }
  return response;
}

export async function call<T>(path: string, body: object): Promise<T> {
  const response = await send(path, body, 'application/json');
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** Every page of a Detective-style list. */
export async function callAll<T, K extends string>(path: string, body: object, key: K, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const response = await call<Record<K, T[]> & { NextToken?: string }>(path, token ? { ...body, NextToken: token } : body);
    items.push(...(response[key] ?? []));
    token = response.NextToken;
    if (!token) break;
  }
  return items;
}

/**
 * Every page of a CSV answer (`Accept: text/csv`), following the `x-next-token` header: one document, the
 * header once. The text is the server's own CSV (cells already defused for spreadsheets), saved as it came,
 * never shown. `complete` is false when more pages remained after `maxPages`.
 */
export async function callCsvPages(path: string, body: object, maxPages: number): Promise<{ text: string; complete: boolean }> {
  let text = '';
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const response = await send(path, token ? { ...body, NextToken: token } : body, 'text/csv');
    const csv = await response.text();
    // Every page starts with the same header line (fixed column names, never quoted): kept from the first.
    const headerEnd = csv.indexOf('\r\n');
    text += page === 0 ? csv : headerEnd < 0 ? '' : csv.slice(headerEnd + 2);
    token = response.headers.get('x-next-token') ?? undefined;
    if (!token) return { text, complete: true };
  }
  return { text, complete: false };
}

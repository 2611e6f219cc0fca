import type { LocalApi } from './http/server';

/**
 * `npm start -- profile TYPE ID --from --to [--json]`: the getEntityProfile route, through the same handler
 * in process (no port). Without --json the profile is printed as indented `Name: value` lines; the caller
 * prints them through printLines, so names from logs cannot drive the terminal.
 */
export async function fetchProfile(api: LocalApi, request: { EntityType: string; EntityId: string; ScopeStartTime: string; ScopeEndTime: string }): Promise<Record<string, unknown>> {
  const result = await api({ method: 'POST', url: '/graph/getEntityProfile', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(request)), sourceIp: '127.0.0.1' });
  const body = JSON.parse(result.body || '{}') as Record<string, unknown>;
  if (result.statusCode !== 200) throw new Error(`${String(result.headers?.['x-amzn-ErrorType'] ?? result.statusCode)}: ${String(body.Message ?? body.message ?? 'request failed')}`);
  return body;
}

/** Scalars inline, objects and arrays indented; arrays of flat objects one line per element. */
export function profileLines(value: unknown, indent = ''): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}(none)`];
    return value.flatMap((element) => (isFlat(element) ? [`${indent}- ${flatLine(element as Record<string, unknown>)}`] : [`${indent}-`, ...profileLines(element, `${indent}  `)]));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => (child !== null && typeof child === 'object' ? [`${indent}${key}:`, ...profileLines(child, `${indent}  `)] : [`${indent}${key}: ${String(child)}`]));
  }
  return [`${indent}${String(value)}`];
}

function isFlat(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((e) => typeof e !== 'object')));
}

function flatLine(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([key, v]) => `${key}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join('  ');
}

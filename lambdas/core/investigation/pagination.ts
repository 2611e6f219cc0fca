import { createHash } from 'node:crypto';
import { validationError } from './errors';

/**
 * NextToken codec. A token is base64url JSON of `{ v, f, e, k }`: a format version, a fingerprint of the
 * request's other parameters (Detective: "keep all other arguments unchanged"), an expiry (Detective's
 * tokens expire after 24 hours) and the position `k` to resume from. Opaque to clients; on the way back every
 * part is checked, and the position's exact shape by the caller, so a hand-edited token cannot reach
 * DynamoDB as an arbitrary ExclusiveStartKey. Any defect is a ValidationException, never a 5xx.
 */
const VERSION = 1;
export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_TOKEN_LENGTH = 2048;

interface TokenEnvelope {
  v: number;
  f: string;
  e: number;
  k: unknown;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** A short digest of the parameters a token is bound to (key order and undefined members do not matter). */
export function requestFingerprint(parameters: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(parameters))).digest('base64url').slice(0, 22);
}

export function encodeNextToken(position: unknown, fingerprint: string, nowMillis: number): string {
  const envelope: TokenEnvelope = { v: VERSION, f: fingerprint, e: Math.floor((nowMillis + TOKEN_TTL_MS) / 1000), k: position };
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function parseEnvelope(token: string): TokenEnvelope | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { v, f, e, k } = value as Record<string, unknown>;
    if (typeof v !== 'number' || typeof f !== 'string' || typeof e !== 'number' || k === undefined) return undefined;
    return { v, f, e, k };
  } catch {
    return undefined;
  }
}

export function decodeNextToken<P>(token: string, fingerprint: string, nowMillis: number, isPosition: (value: unknown) => value is P): P {
  const envelope = parseEnvelope(token);
  if (!envelope || envelope.v !== VERSION || !isPosition(envelope.k)) throw validationError('The NextToken is invalid.');
  if (envelope.f !== fingerprint) {
    throw validationError('The NextToken was issued for a request with other parameters; keep all other arguments unchanged when paginating.');
  }
  if (envelope.e * 1000 < nowMillis) throw validationError('The NextToken has expired; pagination tokens are valid for 24 hours.');
  return envelope.k;
}

/** Type guard helper: a plain object with exactly these string members. */
export function isStringRecord<K extends string>(value: unknown, keys: readonly K[]): value is Record<K, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length === keys.length && entries.every(([k, v]) => (keys as readonly string[]).includes(k) && typeof v === 'string');
}

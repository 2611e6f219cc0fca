import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { validationError } from './errors';

/**
 * NextToken codec. A token is `<payload>.<mac>`: the payload is base64url JSON of `{ v, f, e, k }` (a format
 * version, a fingerprint of the request's other parameters — Detective: "keep all other arguments unchanged" —,
 * an expiry — Detective's tokens expire after 24 hours — and the position `k` to resume from), and the mac is
 * its HMAC-SHA256 under the deployment's token key. Opaque to clients; on the way back the mac is checked before
 * anything is parsed, so a re-encoded token (an expiry moved to the year 3000, another position) is refused,
 * and the position's exact shape is still checked by the caller, so even a token signed with a leaked key
 * cannot reach DynamoDB as an arbitrary ExclusiveStartKey. Any defect is a ValidationException, never a 5xx.
 */
const VERSION = 2;
export const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_TOKEN_LENGTH = 2048;
/** Bytes of a token key (the HMAC-SHA256 block size is 64; 32 random bytes are the hash's full strength). */
export const TOKEN_KEY_BYTES = 32;

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

function mac(payload: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

export function encodeNextToken(position: unknown, fingerprint: string, nowMillis: number, key: Uint8Array): string {
  const envelope: TokenEnvelope = { v: VERSION, f: fingerprint, e: Math.floor((nowMillis + TOKEN_TTL_MS) / 1000), k: position };
  const payload = Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

const SIGNED_TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/** The envelope of a token whose mac verifies under `key`; undefined for anything else. */
function parseEnvelope(token: string, key: Uint8Array): TokenEnvelope | undefined {
  const match = token.length <= MAX_TOKEN_LENGTH ? SIGNED_TOKEN.exec(token) : null;
  if (!match) return undefined;
  const [, payload, signature] = match;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(payload, key);
  // Constant-time comparison: the time taken must not tell how many leading bytes of a forgery were right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { v, f, e, k } = value as Record<string, unknown>;
    if (typeof v !== 'number' || typeof f !== 'string' || typeof e !== 'number' || k === undefined) return undefined;
    return { v, f, e, k };
  } catch {
    return undefined;
  }
}

export function decodeNextToken<P>(token: string, fingerprint: string, nowMillis: number, key: Uint8Array, isPosition: (value: unknown) => value is P): P {
  const envelope = parseEnvelope(token, key);
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

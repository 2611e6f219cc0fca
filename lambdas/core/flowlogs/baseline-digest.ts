import { gunzipSync, gzipSync } from 'node:zlib';
import { emptyBaselineFold, foldBaseline, type BaselineFold } from './network-report';
import type { FlowInterfaceItem } from './flow-items';

/**
 * The network report's baseline (the 45 days before the scope) is a set of peers and ports; reading it from the
 * interface-hour items costs up to 24 × 45 items per interface on every report. A digest keeps, per interface
 * and settled UTC day, what the baseline needs of that day (peers, ports, hours with data, capped flows), so a
 * report reads one Query of digests per interface plus the hour items of the window's partial days.
 *
 * Keys: `flow-eni-day#<eni>` / `<YYYY-MM-DD>`. A digest is built by the reader from the day's hour items, and
 * only for a day that ended DIGEST_SETTLE_MS ago (its hours compacted). Invalidation: a compaction of an
 * hour of a day that ended STALE_AFTER_MS ago (a late file) writes a stale marker over the digest of each
 * interface it writes or deletes; the reader rebuilds the day, and puts the new digest only if the item is
 * still what it read (absent, or the same marker), so a compaction racing the rebuild wins.
 */
export const BASELINE_DIGEST_PREFIX = 'flow-eni-day#';
export const baselineDigestSubject = (interfaceId: string): string => `${BASELINE_DIGEST_PREFIX}${interfaceId}`;

const DAY_MS = 86_400_000;
/** A day gets a digest once it ended this long ago: its hours are compacted (settle is minutes). */
export const DIGEST_SETTLE_MS = DAY_MS;
/** A compaction marks a day's digests stale once the day ended this long ago: before, none was built. */
export const STALE_AFTER_MS = DAY_MS / 2;
/** A digest's body above this (compressed) is not stored: that day is read from its hours every time. */
export const MAX_DIGEST_BODY_BYTES = 300 * 1024;

export interface DigestBody {
  v: 1;
  peers: string[];
  ports: string[];
  hours: string[];
  cappedFlows: number;
}

export interface BaselineDigestItem {
  subject: string;
  slot: string;
  interfaceId: string;
  /** Absent on a stale marker. */
  body?: Uint8Array;
  /** A stale marker: when a late compaction changed the day (the reader's put is conditional on it). */
  stale?: string;
  expiresAt: number;
}

export const dayOfHour = (hour: string): string => hour.slice(0, 10);

/** The digest of one interface-day from its hour items. */
export function digestOf(items: readonly FlowInterfaceItem[]): DigestBody {
  const fold = foldBaseline(emptyBaselineFold(), items);
  return { v: 1, peers: [...fold.peers].sort(), ports: [...fold.ports].sort(), hours: [...fold.hours].sort(), cappedFlows: fold.cappedFlows };
}

/** Adds a digest to a baseline fold (as foldBaseline adds hour items). */
export function foldDigest(fold: BaselineFold, body: DigestBody): BaselineFold {
  for (const peer of body.peers) fold.peers.add(peer);
  for (const port of body.ports) fold.ports.add(port);
  for (const hour of body.hours) {
    fold.hours.add(hour);
    if (fold.firstHour === undefined || hour < fold.firstHour) fold.firstHour = hour;
  }
  fold.cappedFlows += body.cappedFlows;
  return fold;
}

/** The item to store, or undefined when the body is too large to be worth it. */
export function digestItem(interfaceId: string, day: string, body: DigestBody, expiresAt: number): BaselineDigestItem | undefined {
  const encoded = gzipSync(JSON.stringify(body));
  if (encoded.length > MAX_DIGEST_BODY_BYTES) return undefined;
  return { subject: baselineDigestSubject(interfaceId), slot: day, interfaceId, body: new Uint8Array(encoded), expiresAt };
}

/** A stored digest's body; undefined for a stale marker or a body that does not decode as one. */
export function readDigest(item: Record<string, unknown>): DigestBody | undefined {
  if (typeof item.stale === 'string' || !(item.body instanceof Uint8Array)) return undefined;
  try {
    const body = JSON.parse(gunzipSync(item.body).toString('utf8')) as Partial<DigestBody>;
    const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((entry) => typeof entry === 'string');
    if (body.v !== 1 || !strings(body.peers) || !strings(body.ports) || !strings(body.hours) || typeof body.cappedFlows !== 'number') return undefined;
    return body as DigestBody;
  } catch {
    return undefined;
  }
}

/**
 * Splits a baseline window [fromMs, toMs) into the UTC days a digest may serve (whole days inside the window,
 * ended DIGEST_SETTLE_MS before now) and the other ranges, read from hour items.
 */
export function digestPlan(fromMs: number, toMs: number, nowMs: number): { days: string[]; ranges: { fromMs: number; toMs: number }[] } {
  const days: string[] = [];
  const ranges: { fromMs: number; toMs: number }[] = [];
  let cursor = fromMs;
  for (let day = Math.ceil(fromMs / DAY_MS) * DAY_MS; day + DAY_MS <= toMs; day += DAY_MS) {
    if (day + DAY_MS + DIGEST_SETTLE_MS > nowMs) break;
    if (day > cursor) ranges.push({ fromMs: cursor, toMs: day });
    days.push(new Date(day).toISOString().slice(0, 10));
    cursor = day + DAY_MS;
  }
  if (cursor < toMs) ranges.push({ fromMs: cursor, toMs });
  return { days, ranges };
}

/**
 * The stale markers a compaction of `hour` writes over the digests of these interfaces' day (none for a recent
 * hour). `generation` (the hash of the hour's objects) makes each marker distinct from an earlier one.
 */
export function staleDigestMarkers(interfaceIds: readonly string[], hour: string, nowMs: number, generation: string, expiresAt: number): BaselineDigestItem[] {
  const day = dayOfHour(hour);
  const dayEnd = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
  if (nowMs < dayEnd + STALE_AFTER_MS) return [];
  const stale = `${new Date(nowMs).toISOString()}#${generation}`;
  return interfaceIds.map((interfaceId) => ({ subject: baselineDigestSubject(interfaceId), slot: day, interfaceId, stale, expiresAt }));
}

import { gunzipSync, gzipSync } from 'node:zlib';
import type { CompactedHour } from './hour-compactor';
import { createdSessionItem, expiryFrom, seenSessionItem, type SessionItem } from '../model/items';

/**
 * How sessions are stored: packed, never one item per session. A quiet account's calls are mostly made with
 * short sessions that AWS services start for themselves (EC2 instance profiles refreshed every hour, Lambda,
 * EKS pods), so one item per session made sessions most of the cost of a GB of logs (README "Cost model").
 * Instead, each compaction of an account-hour writes, per issuer (the role, or the user of a session token),
 * one gzip-compressed pack of the sessions it created in that hour and of the sessions it saw used then.
 * Packs are read by issuer and time, which is how every question reaches sessions: the sessions of a role in
 * a scope, a session's parent (its creating event names the parent's role and creation time), and the
 * sessions a principal started (the roles it assumed are in its own activity; an EC2 instance's roles are in
 * its account's hour index).
 *
 * Keys (table `Sessions`, `pk`/`sk`):
 *  - pack:            `issuer#<issuer ARN>` / `<hour>#<recording account>[#<chunk>]`;
 *  - parent pointer:  `parent#<parent session id>` / `<created at>#<session id>#<recording account>`, one per
 *                     chained session (a minority), naming the child's issuer.
 */
export const ISSUER_PREFIX = 'issuer#';
export const PARENT_PREFIX = 'parent#';

/** Compressed bytes per pack item: under DynamoDB's 400 KB with room for keys and attributes. */
export const SESSION_PACK_MAX_BYTES = 256 * 1024;

export interface SessionPackItem {
  pk: string;
  sk: string;
  accountId: string;
  hour: string;
  /** The compaction that wrote the pack: a reader keeps only the chunks of chunk 0's generation. */
  generation: string;
  chunk: number;
  chunks: number;
  sessions: number;
  /** gzip of the JSON array of SessionItem (CREATED and SEEN entries). */
  pack: Uint8Array;
  expiresAt: number;
}

export interface ParentPointerItem {
  pk: string;
  sk: string;
  sessionId: string;
  issuerArn: string;
  createdAt: string;
  expiresAt: number;
}

export function issuerKey(issuerArn: string): string {
  return `${ISSUER_PREFIX}${issuerArn}`;
}

export function parentKey(sessionId: string): string {
  return `${PARENT_PREFIX}${sessionId}`;
}

export function encodePack(entries: readonly SessionItem[]): Uint8Array {
  return gzipSync(JSON.stringify(entries));
}

export function decodePack(pack: Uint8Array): SessionItem[] {
  const value = JSON.parse(gunzipSync(pack).toString('utf8')) as unknown;
  if (!Array.isArray(value)) throw new Error('a session pack is not a JSON array');
  return value as SessionItem[];
}

/** What an account-hour's compaction stores about sessions. */
export interface HourSessions {
  packs: SessionPackItem[];
  parents: ParentPointerItem[];
}

/**
 * Forward access credentials (a service acting for a principal, one key per forwarded request) are not role
 * sessions: their calls count under the principal, and keeping each key would cost more than the calls.
 */
function kept(entry: SessionItem): boolean {
  return entry.kind !== 'forward-access';
}

export function hourSessions(compacted: CompactedHour, generation: string, retentionDays: number): HourSessions {
  const { accountId, hour } = compacted;
  const created = compacted.sessionsCreated.map((s) => createdSessionItem(s, retentionDays));
  const createdHere = new Set(compacted.sessionsCreated.filter((s) => s.recipientAccountId === accountId).map((s) => s.sessionId));
  const seen = compacted.sessionsObserved.filter((o) => !createdHere.has(o.sessionId)).map((o) => seenSessionItem(o, hour, retentionDays));
  const byIssuer = new Map<string, SessionItem[]>();
  for (const entry of [...created, ...seen].filter(kept)) byIssuer.set(entry.issuerArn, [...(byIssuer.get(entry.issuerArn) ?? []), entry]);

  const expiresAt = expiryFrom(`${hour}:59:59Z`, retentionDays);
  const packs: SessionPackItem[] = [];
  for (const [issuerArn, entries] of [...byIssuer].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const chunks = chunked(entries.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : a.sk < b.sk ? -1 : 1)));
    chunks.forEach((pack, chunk) =>
      packs.push({
        pk: issuerKey(issuerArn),
        sk: `${hour}#${accountId}${chunk === 0 ? '' : `#${chunk}`}`,
        accountId,
        hour,
        generation,
        chunk,
        chunks: chunks.length,
        sessions: entries.length,
        pack,
        expiresAt,
      }),
    );
  }

  const parents: ParentPointerItem[] = [];
  for (const session of created) {
    if (!kept(session) || !session.parentSessionId) continue;
    parents.push({ pk: parentKey(session.parentSessionId), sk: `${session.createdAt}#${session.sessionId}#${accountId}`, sessionId: session.sessionId, issuerArn: session.issuerArn, createdAt: session.createdAt, expiresAt: session.expiresAt });
  }
  return { packs, parents };
}

/** Splits entries into gzip packs of at most SESSION_PACK_MAX_BYTES, halving until each fits. */
function chunked(entries: SessionItem[]): Uint8Array[] {
  const pack = encodePack(entries);
  if (pack.byteLength <= SESSION_PACK_MAX_BYTES || entries.length <= 1) return [pack];
  const half = Math.ceil(entries.length / 2);
  return [...chunked(entries.slice(0, half)), ...chunked(entries.slice(half))];
}

/**
 * The entries of packs read back, keeping for each account-hour only the chunks written by the compaction
 * that wrote its chunk 0 (a recompaction that needs fewer chunks leaves older ones behind until they expire).
 */
export function entriesOfPacks(items: readonly SessionPackItem[]): SessionItem[] {
  const generationOf = new Map<string, string>();
  for (const item of items) if (item.chunk === 0) generationOf.set(`${item.pk}\u0000${item.hour}#${item.accountId}`, item.generation);
  return items.filter((item) => generationOf.get(`${item.pk}\u0000${item.hour}#${item.accountId}`) === item.generation).flatMap((item) => decodePack(item.pack));
}

/** Whether a Sessions table item is a pack (the table also holds parent and origin pointers). */
export function isSessionPack(item: { pk?: unknown }): item is SessionPackItem {
  return typeof item.pk === 'string' && item.pk.startsWith(ISSUER_PREFIX);
}

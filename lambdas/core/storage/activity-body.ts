import { gunzipSync, gzipSync } from 'node:zlib';
import type { ActivityItem } from '../model/items';

/**
 * How an Activity item is stored: its keys, totals and times as attributes (readers project `firstEvent`, and
 * the manifest's fields are read as they are), and its breakdown maps (calls per minute and per API, error
 * codes, addresses, agents, resources, regions, sessions) as one gzip-compressed attribute `body`. The maps
 * repeat API names, ARNs and agents, and compress three to five times: write units and storage are billed by
 * the stored size (README "Cost model").
 */
export const BODY_FIELDS = ['apis', 'errorCodes', 'sourceIps', 'userAgents', 'resources', 'regions', 'minutes', 'sessions', 'sessionFailures'] as const;
type BodyField = (typeof BODY_FIELDS)[number];

export type StoredActivity<T extends ActivityItem> = Omit<T, BodyField> & { body: Uint8Array };

export function packActivity<T extends ActivityItem>(item: T): StoredActivity<T> {
  const rest = { ...item } as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const field of BODY_FIELDS) {
    body[field] = item[field];
    delete rest[field];
  }
  return { ...(rest as Omit<T, BodyField>), body: gzipSync(JSON.stringify(body)) };
}

/** An item as read from the table: unpacked when it has a body (every item the compactor writes). */
export function unpackActivity<T extends ActivityItem>(stored: Record<string, unknown>): T {
  const body = stored.body;
  if (!(body instanceof Uint8Array)) return stored as unknown as T;
  const unpacked: Record<string, unknown> = { ...stored, ...(JSON.parse(gunzipSync(body).toString('utf8')) as Record<string, unknown>) };
  delete unpacked.body;
  return unpacked as unknown as T;
}

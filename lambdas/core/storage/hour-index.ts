import { gunzipSync, gzipSync } from 'node:zlib';
import { isIpAddress } from '../analysis/ip-address';
import type { CompactedHour } from './hour-compactor';

/**
 * The reverse index of one account-hour: which principals called from an address, with a user agent, on a
 * bucket, with a session; which roles an EC2 instance received credentials for. One item per account-hour
 * (Activity table, subject `index#<account>`), gzip-compressed, written by the hour's compaction: never one
 * write per value, so the indexes cost a fraction of a write unit per thousand records (README "Cost model").
 * Questions that start from a value (an IP, an agent, a bucket, a session name, an instance) read the index
 * items of the accounts and hours in their scope, then the principals' own items.
 */
export interface HourIndex {
  v: 1;
  accountId: string;
  hour: string;
  /** [subject, principal type, display name, ARN or '', calls, failed calls]. */
  principals: [string, string, string, string, number, number][];
  /** Value → indexes into `principals`. */
  ips: Record<string, number[]>;
  agents: Record<string, number[]>;
  buckets: Record<string, number[]>;
  /**
   * Temporary access key id → [principal index, session name, role principal id (`AROA…`, role sessions; absent
   * from indexes written before it was kept)]. With the name, the role principal id makes Detective's session id.
   */
  sessions: Record<string, [number, string] | [number, string, string]>;
  /** EC2 instance id → roles whose instance-profile credentials it received (or used) in the hour. */
  instances: Record<string, string[]>;
  /** Maps left out because the item would be too large (their values stay in the hour's compact events). */
  truncated?: string[];
}

export const INDEX_SUBJECT_PREFIX = 'index#';

/** Compressed bytes of an index item at most: under DynamoDB's 400 KB with room for keys. */
export const HOUR_INDEX_MAX_BYTES = 300 * 1024;

export function indexSubject(accountId: string): string {
  return `${INDEX_SUBJECT_PREFIX}${accountId}`;
}

function add(map: Record<string, number[]>, key: string | undefined, principal: number): void {
  if (!key) return;
  const list = (map[key] ??= []);
  if (list[list.length - 1] !== principal) list.push(principal);
}

/** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key` → bucket. */
export function bucketOfArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:s3:::([^/]+)/.exec(arn);
  return match?.[1];
}

export function buildHourIndex(compacted: CompactedHour): HourIndex {
  const index: HourIndex = { v: 1, accountId: compacted.accountId, hour: compacted.hour, principals: [], ips: {}, agents: {}, buckets: {}, sessions: {}, instances: {} };
  const names = new Map<string, string>();
  for (const session of [...compacted.sessionsCreated, ...compacted.sessionsObserved]) if (session.sessionName) names.set(session.sessionId, session.sessionName);
  compacted.principals.forEach(({ meta, aggregate, events }, position) => {
    index.principals.push([meta.subject, meta.principalType, meta.principalName, meta.principalArn ?? '', aggregate.total, aggregate.failures]);
    for (const event of events) {
      if (event.i && isIpAddress(event.i)) add(index.ips, event.i, position);
      add(index.agents, event.u, position);
      for (const arn of event.x ?? []) add(index.buckets, bucketOfArn(arn), position);
      if (event.s && !index.sessions[event.s]) {
        const roleId = compacted.rolePrincipalIds?.[event.s];
        index.sessions[event.s] = roleId ? [position, names.get(event.s) ?? '', roleId] : [position, names.get(event.s) ?? ''];
      }
    }
  });
  const instanceRoles = new Map<string, Set<string>>();
  for (const session of [...compacted.sessionsCreated, ...compacted.sessionsObserved]) {
    if (session.origin?.type !== 'ec2-instance' || !session.instanceId) continue;
    const roles = instanceRoles.get(session.instanceId) ?? new Set<string>();
    roles.add(session.issuerArn);
    instanceRoles.set(session.instanceId, roles);
  }
  for (const [instance, roles] of [...instanceRoles].sort(([a], [b]) => (a < b ? -1 : 1))) index.instances[instance] = [...roles].sort();
  return index;
}

/** The least telling maps first: what a too-large hour leaves out of its index. */
const DROPPABLE = ['agents', 'sessions', 'buckets', 'ips'] as const;

/** Gzip of the index, dropping whole maps (named in `truncated`) until it fits HOUR_INDEX_MAX_BYTES. */
export function encodeHourIndex(index: HourIndex): Uint8Array {
  let encoded = gzipSync(JSON.stringify(index));
  const trimmed: HourIndex = { ...index, truncated: [...(index.truncated ?? [])] };
  for (const name of DROPPABLE) {
    if (encoded.byteLength <= HOUR_INDEX_MAX_BYTES) break;
    trimmed[name] = {};
    trimmed.truncated?.push(name);
    encoded = gzipSync(JSON.stringify(trimmed));
  }
  // Tens of thousands of principals in one hour: keep the busiest (the maps that point into the list are gone).
  while (encoded.byteLength > HOUR_INDEX_MAX_BYTES && trimmed.principals.length > 1) {
    if (!trimmed.truncated?.includes('principals')) trimmed.truncated?.push('principals');
    trimmed.principals = [...trimmed.principals].sort((a, b) => b[4] - a[4]).slice(0, Math.ceil(trimmed.principals.length / 2));
    encoded = gzipSync(JSON.stringify(trimmed));
  }
  return encoded;
}

export function decodeHourIndex(body: Uint8Array): HourIndex {
  const value = JSON.parse(gunzipSync(body).toString('utf8')) as HourIndex;
  if (value?.v !== 1 || !Array.isArray(value.principals)) throw new Error('not an hour index');
  return value;
}

import { FlowHourAggregator } from '../core/flowlogs/flow-aggregate';
import { decodeBody, interfaceItem, manifestItem, mappingItems, peersItem, type FlowManifestBody, type FlowManifestItem } from '../core/flowlogs/flow-items';
import { parseFlowHourKey } from '../core/flowlogs/flow-hours';
import { parseFlowLogKey } from '../core/flowlogs/flow-key';
import { readFlowObject, type FlowObjectBody } from '../core/flowlogs/read-object';
import { objectIdOf } from '../core/cloudtrail/read-log';
import { HOUR_MS, hourStartMs } from '../core/storage/hours';
import { ACCOUNTS_SUBJECT, expiryFrom, type HourObjectItem } from '../core/model/items';
import { ObjectGoneError } from '../adapters/s3-objects';
import { log } from '../shared/log';
import { objectsHash } from './compact-hour';

/**
 * Compacts one flow-log account-hour (`flow#<account>#<hour>`): re-reads the hour's flow log objects, each
 * file once whatever the keys it arrived under (the file name carries the flow log id, the window and a
 * hash), folds their records of this account and hour, and writes one item per network interface, the
 * hour's peer index, the ENI ↔ instance mappings the records name, and the manifest last. Every item is a
 * function of the hour's files under a fixed key: a retry, a redelivery or a crash halfway writes the same.
 */
export interface FlowCompactionDependencies {
  listHourObjects(hourKey: string): Promise<HourObjectItem[]>;
  clearCompactionPending(hourKey: string): Promise<void>;
  getFlowManifest(accountId: string, hour: string): Promise<FlowManifestItem | undefined>;
  openFlowObject(bucket: string, key: string, format: 'text' | 'parquet'): Promise<FlowObjectBody>;
  /** Activity-table items, batched (BatchWriteItem). */
  putItems(items: readonly object[]): Promise<void>;
  retentionDays: number;
  settleMs: number;
  now?: () => Date;
}

export type FlowCompactionOutcome =
  | { status: 'compacted'; hourKey: string; flows: number; interfaces: number; peers: number; objects: number; files: number; missingObjects: number; damagedObjects: number; writes: number }
  | { status: 'unchanged'; hourKey: string }
  | { status: 'not-settled'; hourKey: string; settlesAt: string }
  | { status: 'invalid'; hourKey: string; reason: string };

function parseObjectKey(objectKey: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(objectKey);
  if (!match) throw new Error(`not an s3:// object key: ${objectKey}`);
  return { bucket: match[1], key: match[2] };
}

export async function compactFlowHour(hourKey: string, deps: FlowCompactionDependencies): Promise<FlowCompactionOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const parsed = parseFlowHourKey(hourKey);
  if (!parsed) return { status: 'invalid', hourKey, reason: 'not flow#<account>#<YYYY-MM-DDTHH>' };
  const { accountId, hour } = parsed;
  const settlesAt = hourStartMs(hour) + HOUR_MS + deps.settleMs;
  if (now.getTime() < settlesAt) return { status: 'not-settled', hourKey, settlesAt: new Date(settlesAt).toISOString() };

  await deps.clearCompactionPending(hourKey);
  const registered = await deps.listHourObjects(hourKey);
  const previous = await deps.getFlowManifest(accountId, hour);
  if (previous && previous.objectsHash === objectsHash(registered)) return { status: 'unchanged', hourKey };
  // Registrations expire after BOOKKEEPING_DAYS: the manifest names the hour's earlier objects.
  const named = previous ? decodeBody<FlowManifestBody>(previous.body).objects : [];
  const byKey = new Map<string, HourObjectItem>();
  for (const object of named) byKey.set(object.objectKey, { hourKey, objectId: objectIdOf(object.objectKey), objectKey: object.objectKey, ...(object.etag ? { etag: object.etag } : {}), records: 0, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 });
  for (const object of registered) byKey.set(object.objectKey, object);
  const objects = [...byKey.values()].sort((a, b) => (a.objectKey < b.objectKey ? -1 : a.objectKey > b.objectKey ? 1 : 0));
  const hash = objectsHash(objects);
  if (previous && previous.objectsHash === hash) return { status: 'unchanged', hourKey };

  const aggregator = new FlowHourAggregator(accountId, hour);
  const filesRead = new Set<string>();
  let missingObjects = 0;
  let damagedObjects = 0;
  for (const object of objects) {
    const { bucket, key } = parseObjectKey(object.objectKey);
    const name = parseFlowLogKey(key);
    if (!name) continue;
    // The same file under two keys (a copy, an organization prefix beside an account one) counts once.
    if (filesRead.has(name.fileName)) continue;
    let body: FlowObjectBody;
    try {
      body = await deps.openFlowObject(bucket, key, name.fileFormat);
    } catch (error) {
      if (!(error instanceof ObjectGoneError)) throw error;
      missingObjects++;
      log.warn('flow log object gone before compaction', { hourKey, objectKey: object.objectKey });
      continue;
    }
    filesRead.add(name.fileName);
    const outcome = await readFlowObject(body, { add: (record) => aggregator.add(record, name.accountId), reject: () => undefined });
    if (outcome.formatError) damagedObjects++;
  }
  const flowHour = aggregator.finish();
  const expiresAt = expiryFrom(`${hour}:59:59Z`, deps.retentionDays);
  const interfaces = flowHour.interfaces.map((iface) => interfaceItem(flowHour, iface, expiresAt));
  const peers = peersItem(flowHour, expiresAt);
  const mappings = flowHour.interfaces.filter((iface) => iface.instanceId && !iface.interfaceId.startsWith('instance:')).flatMap((iface) => {
    const items = mappingItems(iface.instanceId as string, iface.interfaceId, accountId, 'flow-log', expiresAt);
    return [items.byInstance, items.byInterface];
  });
  const items: object[] = [...interfaces, peers, ...mappings, { subject: ACCOUNTS_SUBJECT, slot: accountId, accountId }];
  await deps.putItems(items);
  // The manifest last: until it is written, a retry compacts the hour again and writes the same items.
  const manifest = manifestItem(
    flowHour,
    { objects: objects.map((o) => ({ objectKey: o.objectKey, ...(o.etag ? { etag: o.etag } : {}) })), objectsHash: hash, files: filesRead.size, compactedAt: now.toISOString() },
    expiresAt,
  );
  await deps.putItems([manifest]);
  return {
    status: 'compacted',
    hourKey,
    flows: flowHour.counts.flows,
    interfaces: interfaces.length,
    peers: peers.peers,
    objects: objects.length,
    files: filesRead.size,
    missingObjects,
    damagedObjects,
    writes: items.length + 1,
  };
}


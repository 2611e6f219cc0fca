import { flowInterfaceSubject, interfaceItem, manifestItem, mappingItems, peersItem, type FlowManifestItem } from '../core/flowlogs/flow-items';
import { parseFlowHourKey } from '../core/flowlogs/flow-hours';
import { parseFlowLogKey } from '../core/flowlogs/flow-key';
import { mergeFlowLogs, type LogHour } from '../core/flowlogs/merge-flow-logs';
import { instancesToResolve } from '../core/flowlogs/instance-keys';
import { staleDigestMarkers } from '../core/flowlogs/baseline-digest';
import { decodeState, encodeState, statePartKeys, type FlowManifestState } from '../core/flowlogs/flow-manifest-state';
import type { FlowObjectBody } from '../core/flowlogs/read-object';
import { objectIdOf } from '../core/cloudtrail/read-log';
import { HOUR_MS, hourStartMs } from '../core/storage/hours';
import { ACCOUNTS_SUBJECT, activitySlot, expiryFrom, type HourObjectItem } from '../core/model/items';
import { log } from '../shared/log';
import { objectsHash } from './compact-hour';
import { foldFlowLog, type FlowCore, type FlowLogFile, type FoldedFlowLog } from './fold-flow-log';

/**
 * Compacts one flow-log account-hour (`flow#<account>#<hour>`): re-reads the hour's flow log objects, each
 * file once whatever the keys it arrived under (the file name carries the flow log id, the window and a
 * hash), folds each flow log's records of this account and hour apart, keeps per interface the traffic of
 * one flow log (merge-flow-logs.ts: two logs watching one interface deliver the same flows), and writes one
 * item per network interface, the hour's peer index, the ENI ↔ instance mappings the records name, deletes
 * the interface items an earlier compaction of the hour wrote that are no longer present, and writes the
 * manifest last. Every item is a function of the hour's files under a fixed key: a retry, a redelivery or a
 * crash halfway writes the same.
 */
export interface FlowCompactionDependencies {
  listHourObjects(hourKey: string): Promise<HourObjectItem[]>;
  clearCompactionPending(hourKey: string): Promise<void>;
  getFlowManifest(accountId: string, hour: string): Promise<FlowManifestItem | undefined>;
  openFlowObject(bucket: string, key: string, format: 'text' | 'parquet'): Promise<FlowObjectBody>;
  /** Activity-table items, batched (BatchWriteItem). */
  putItems(items: readonly object[]): Promise<void>;
  /** Activity-table items by key, batched (BatchWriteItem): interface items no longer present, replaced state parts. */
  deleteItems(keys: readonly { subject: string; slot: string }[]): Promise<void>;
  /** One Activity-table item by key (GetItem): the parts of a previous manifest's state. */
  getItem(subject: string, slot: string): Promise<Record<string, unknown> | undefined>;
  /** The ENIs the stored mappings give an instance (Query `instance-enis#<id>`): CloudTrail's, earlier hours' lines'. */
  instanceInterfaces(instanceId: string): Promise<string[]>;
  retentionDays: number;
  settleMs: number;
  now?: () => Date;
  /**
   * Which core folds the flow logs: the WebAssembly kernel, falling back to JavaScript for what it does not
   * cover, or JavaScript only. Both store the same items.
   * @default 'kernel'
   */
  flowCore?: FlowCore;
}

export type FlowCompactionOutcome =
  | { status: 'compacted'; hourKey: string; flows: number; duplicateLogFlows: number; flowLogs: number; fallbackLogs: number; interfaces: number; goneInterfaces: number; peers: number; objects: number; files: number; missingObjects: number; damagedObjects: number; writes: number }
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
  // Registrations expire after BOOKKEEPING_DAYS: the manifest's state names the hour's earlier objects.
  const before = previous ? await previousState(previous, deps) : undefined;
  const byKey = new Map<string, HourObjectItem>();
  for (const object of before?.objects ?? []) byKey.set(object.objectKey, { hourKey, objectId: objectIdOf(object.objectKey), objectKey: object.objectKey, ...(object.etag ? { etag: object.etag } : {}), records: 0, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 });
  for (const object of registered) byKey.set(object.objectKey, object);
  const objects = [...byKey.values()].sort((a, b) => (a.objectKey < b.objectKey ? -1 : a.objectKey > b.objectKey ? 1 : 0));
  const hash = objectsHash(objects);
  if (previous && previous.objectsHash === hash) return { status: 'unchanged', hourKey };

  // Each flow log's files folded apart, one log at a time (only one live aggregator; see merge-flow-logs.ts).
  const byLog = new Map<string, FlowLogFile[]>();
  for (const object of objects) {
    const { bucket, key } = parseObjectKey(object.objectKey);
    const name = parseFlowLogKey(key);
    if (!name) continue;
    const list = byLog.get(name.flowLogId) ?? [];
    list.push({ objectKey: object.objectKey, bucket, key, name, records: object.records });
    byLog.set(name.flowLogId, list);
  }
  const folds: FoldedFlowLog[] = [];
  // The last log's hour reads its kernel's memory until the items are encoded and written.
  try {
    const filesRead = new Set<string>();
    let missingObjects = 0;
    let damagedObjects = 0;
    let fallbackLogs = 0;
    const logs: LogHour[] = [];
    for (const [flowLogId, files] of [...byLog].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // The hours folded so far are copied out of their kernel instances: one compaction holds one at a time.
      for (const earlier of folds) earlier.detach();
      const folded = await foldFlowLog(files, accountId, hour, deps.openFlowObject, deps.flowCore);
      folds.push(folded);
      for (const name of folded.filesRead) filesRead.add(name);
      missingObjects += folded.missingObjects;
      damagedObjects += folded.damagedObjects;
      if (folded.fallbackReason) {
        fallbackLogs++;
        log.info('flow log folded by the JavaScript core', { hourKey, flowLogId, reason: folded.fallbackReason });
      }
      logs.push({ flowLogId, hour: folded.hour });
    }
    // An instance keyed by instance-id in one log and by ENI in another counts once when the mapping is known:
    // the lines name most; the stored mappings are read only for what they leave open (instance-keys.ts).
    const storedMappings = new Map<string, string[]>();
    for (const instanceId of instancesToResolve(logs)) storedMappings.set(instanceId, await deps.instanceInterfaces(instanceId));
    const flowHour = mergeFlowLogs(accountId, hour, logs, storedMappings);
    const expiresAt = expiryFrom(`${hour}:59:59Z`, deps.retentionDays);
    const interfaces = flowHour.interfaces.map((iface) => interfaceItem(flowHour, iface, expiresAt, flowHour.sources[iface.interfaceId]));
    const peers = peersItem(flowHour, expiresAt);
    const mappings = flowHour.interfaces.filter((iface) => iface.instanceId && !iface.interfaceId.startsWith('instance:')).flatMap((iface) => {
      const items = mappingItems(iface.instanceId as string, iface.interfaceId, accountId, 'flow-log', expiresAt);
      return [items.byInstance, items.byInterface];
    });
    const state: FlowManifestState = { v: 1, objects: objects.map((o) => ({ objectKey: o.objectKey, ...(o.etag ? { etag: o.etag } : {}) })), interfaces: interfaces.map((item) => item.interfaceId) };
    const encoded = encodeState(state, { accountId, hour, generation: hash, expiresAt });
    // An interface the previous compaction wrote and this one does not (an object replaced or gone): its item
    // would keep the old traffic. Deleted before the manifest, so a retry after a crash deletes it again.
    const present = new Set(state.interfaces);
    const slot = activitySlot(hour, accountId);
    const goneIds = (before?.interfaces ?? []).filter((interfaceId) => !present.has(interfaceId));
    const gone = goneIds.map((interfaceId) => ({ subject: flowInterfaceSubject(interfaceId), slot }));
    // A late file of a day whose baseline digests may exist: they no longer hold the day (baseline-digest.ts).
    const staleDigests = staleDigestMarkers([...state.interfaces, ...goneIds], hour, now.getTime(), hash, expiresAt);
    const items: object[] = [...interfaces, peers, ...mappings, { subject: ACCOUNTS_SUBJECT, slot: accountId, accountId }, ...encoded.parts, ...staleDigests];
    await deps.putItems(items);
    if (gone.length > 0) await deps.deleteItems(gone);
    // The manifest last: until it is written, a retry compacts the hour again and writes the same items.
    const manifest = manifestItem(flowHour, { objectCount: objects.length, objectsHash: hash, files: filesRead.size, compactedAt: now.toISOString(), state: encoded.manifest }, expiresAt);
    await deps.putItems([manifest]);
    // The state parts of the manifest replaced are no longer read (a new generation has other slots).
    const replacedParts = previous && previous.stateGeneration !== hash ? statePartKeys(previous) : [];
    if (replacedParts.length > 0) await deps.deleteItems(replacedParts);
    return {
      status: 'compacted',
      hourKey,
      flows: flowHour.counts.flows,
      duplicateLogFlows: flowHour.counts.duplicateLogFlows,
      flowLogs: logs.length,
      fallbackLogs,
      interfaces: interfaces.length,
      goneInterfaces: gone.length,
      peers: peers.peers,
      objects: objects.length,
      files: filesRead.size,
      missingObjects,
      damagedObjects,
      writes: items.length + gone.length + replacedParts.length + 1,
    };
  } finally {
    for (const folded of folds) folded.release();
  }
}

/** What the previous compaction of the hour read and wrote: from its manifest, and its part items if any. */
async function previousState(manifest: FlowManifestItem, deps: FlowCompactionDependencies): Promise<FlowManifestState> {
  const parts: Uint8Array[] = [];
  for (const key of statePartKeys(manifest)) {
    const item = await deps.getItem(key.subject, key.slot);
    if (item) parts.push(item.body as Uint8Array);
  }
  return decodeState(manifest, parts);
}


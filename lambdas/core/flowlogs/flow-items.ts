import { gunzipSync, gzipSync } from 'node:zlib';
import { activitySlot } from '../model/items';
import type { Direction } from './direction';
import { foldWorkingRows, rowCount, sortedRows, workingRowsBody } from './flow-item-rows';
import { rowColumns, rowsOfBody } from './flow-row-body';
import { rowViewOf, type InterfaceRowView } from './flow-row-view';
import { peerViewOf, type PeerIndexView } from './peer-index-view';
import type { DirectionTotals, FlowHour, FlowRow, InterfaceHour, PeerCounts } from './flow-aggregate';
import type { InterfaceSource, MergedFlowHour } from './merge-flow-logs';

/**
 * The items a flow-log compaction writes, in the Activity table beside CloudTrail's (same keys: a subject,
 * and the slot `<hour>#<account>`), one per network interface and hour, one peer index and one manifest per
 * account-hour, whatever the number of records or files. Breakdowns are gzip-compressed JSON bodies.
 */
export const FLOW_INTERFACE_PREFIX = 'flow-eni#';
export const FLOW_PEERS_PREFIX = 'flow-peers#';
export const FLOW_ACCOUNT_PREFIX = 'flow-account#';
/** ENI ↔ instance mapping items (small, one per pair): from flow records' instance-id and from CloudTrail. */
export const INSTANCE_INTERFACES_PREFIX = 'instance-enis#';
export const INTERFACE_INSTANCE_PREFIX = 'eni-instance#';
export const INTERFACE_INSTANCE_SLOT = 'instance';

export const flowInterfaceSubject = (interfaceId: string): string => `${FLOW_INTERFACE_PREFIX}${interfaceId}`;
export const flowPeersSubject = (accountId: string): string => `${FLOW_PEERS_PREFIX}${accountId}`;
export const flowAccountSubject = (accountId: string): string => `${FLOW_ACCOUNT_PREFIX}${accountId}`;
export const instanceInterfacesSubject = (instanceId: string): string => `${INSTANCE_INTERFACES_PREFIX}${instanceId}`;
export const interfaceInstanceSubject = (interfaceId: string): string => `${INTERFACE_INSTANCE_PREFIX}${interfaceId}`;

/** Compressed bodies stay far below DynamoDB's 400 KB: a write costs a unit per started KB. */
export const MAX_INTERFACE_BODY_BYTES = 48 * 1024;
export const MAX_PEERS_BODY_BYTES = 300 * 1024;
export const MAX_MANIFEST_BODY_BYTES = 64 * 1024;

export interface FlowInterfaceItem {
  subject: string;
  slot: string;
  accountId: string;
  hour: string;
  interfaceId: string;
  instanceId?: string;
  vpcId?: string;
  subnetId?: string;
  totals: Record<Direction, DirectionTotals>;
  first: number;
  last: number;
  nodata: number;
  skipdata: number;
  /** Flows folded into `*` rows: at aggregation (the live cap) and to fit the item. */
  cappedFlows: number;
  /** The flow log whose traffic this item counts (absent in items of before the choice was made). */
  flowLogId?: string;
  /** OK flows other flow logs delivered for this interface in the hour: the same traffic, left out. */
  duplicateLogFlows?: number;
  /** gzip of the rows `[key, bytes, packets, flows, first, last]`, busiest first, by column (flow-row-body.ts). */
  body: Uint8Array;
  expiresAt: number;
}

/** One peer-interface pair: [interface index, bytes in, bytes out, packets, flows, rejected flows, first, last, ports, bytes unknown direction]. */
export type PeerEntry = [number, ...PeerCounts, string[], number?];

export interface FlowPeersBody {
  /**
   * 2: bytes out exclude the bytes whose direction is unknown, which come last in the entry. In v1 bodies
   * they were counted as out and the last element is absent.
   */
  v: 1 | 2;
  interfaces: [string, string | null][];
  /** peer → the interfaces it talked to (PeerEntry). */
  peers: Record<string, PeerEntry[]>;
  /** Peers left out to fit (the ones with the fewest bytes), and beyond the live cap. */
  truncatedPeers: number;
}

export interface FlowPeersItem {
  subject: string;
  slot: string;
  accountId: string;
  hour: string;
  peers: number;
  body: Uint8Array;
  expiresAt: number;
}

/**
 * Per interface of the hour: [interface, instance or null, bytes in, bytes out, bytes unknown direction,
 * rejected flows, flows of other flow logs left out] (the last one absent in manifests of before it).
 */
export type InterfaceVolume = [string, string | null, number, number, number, number, number?];

export interface FlowManifestBody {
  /** 2: the objects and the interfaces written are in the manifest's state (flow-manifest-state.ts). */
  v: 1 | 2;
  /** v1 only: the hour's objects (s3:// key and ETag). */
  objects?: { objectKey: string; etag?: string }[];
  interfaces: InterfaceVolume[];
  truncatedInterfaces: number;
}

/** The account-hour's flow manifest: written last, so a compaction that died before it is redone whole. */
export interface FlowManifestItem {
  subject: string;
  slot: string;
  accountId: string;
  hour: string;
  objectsHash: string;
  objectCount: number;
  /** Distinct files read (the same file under two keys is read once). */
  files: number;
  flows: number;
  nodata: number;
  skipdata: number;
  /** OK flows left out because another flow log's copy of the same interface's traffic is counted. */
  duplicateLogFlows?: number;
  /** Per flow log whose traffic is kept for some interface: how many interfaces. */
  flowLogs?: Record<string, number>;
  body: Uint8Array;
  /** The objects read and the interfaces written (flow-manifest-state.ts): inline, or in part items. */
  state?: Uint8Array;
  stateParts?: number;
  stateGeneration?: string;
  compactedAt: string;
  expiresAt: number;
}

export interface InterfaceMappingItems {
  byInstance: { subject: string; slot: string; accountId: string; source: MappingSource; expiresAt: number };
  byInterface: { subject: string; slot: typeof INTERFACE_INSTANCE_SLOT; instanceId: string; accountId: string; source: MappingSource; expiresAt: number };
}

export type MappingSource = 'flow-log' | 'cloudtrail';

export function mappingItems(instanceId: string, interfaceId: string, accountId: string, source: MappingSource, expiresAt: number): InterfaceMappingItems {
  return {
    byInstance: { subject: instanceInterfacesSubject(instanceId), slot: interfaceId, accountId, source, expiresAt },
    byInterface: { subject: interfaceInstanceSubject(interfaceId), slot: INTERFACE_INSTANCE_SLOT, instanceId, accountId, source, expiresAt },
  };
}

function encode(value: unknown): Uint8Array {
  return gzipSync(JSON.stringify(value));
}

export function decodeBody<T>(body: Uint8Array): T {
  return JSON.parse(gunzipSync(body).toString('utf8')) as T;
}

type Row = FlowRow;

/** Folds the rows after `keep` into their `<direction>|<action>|*|*|*` rows. */
function foldRows(rows: Row[], keep: number): { rows: Row[]; folded: number } {
  // The `*` rows kept are copied: folding into them must not change the hour's own rows (a second item of the same hour).
  const kept = rows.slice(0, keep).map((row): Row => (row[0].endsWith('|*|*|*') ? [...row] : row));
  const byKey = new Map(kept.map((row) => [row[0], row]));
  let folded = 0;
  for (const row of rows.slice(keep)) {
    folded += row[3];
    const [direction, action] = row[0].split('|');
    const key = `${direction}|${action}|*|*|*`;
    const target = byKey.get(key);
    if (!target) {
      const copy: Row = [key, row[1], row[2], row[3], row[4], row[5]];
      byKey.set(key, copy);
      kept.push(copy);
    } else {
      target[1] += row[1];
      target[2] += row[2];
      target[3] += row[3];
      target[4] = Math.min(target[4], row[4]);
      target[5] = Math.max(target[5], row[5]);
    }
  }
  return { rows: kept, folded };
}

/**
 * The interface's item: its rows busiest first (ties by key), halved and folded into `*` rows until the
 * compressed body fits `maxBodyBytes`. An hour from FlowHourAggregator.finish() is encoded from its tables
 * (flow-item-rows.ts); any other (tests, merged copies) from its `rows`, the reference the first is held to.
 */
export function interfaceItem(hour: FlowHour, iface: InterfaceHour, expiresAt: number, source?: InterfaceSource, maxBodyBytes = MAX_INTERFACE_BODY_BYTES): FlowInterfaceItem {
  const t0 = Date.parse(`${hour.hour}:00:00Z`) / 1000;
  const view = rowViewOf(iface);
  const fitted = view ? fittedFromView(view, t0, maxBodyBytes) : fittedFromRows(iface.rows, t0, maxBodyBytes);
  const body = fitted.body;
  const cappedFlows = iface.cappedFlows + fitted.folded;
  return {
    subject: flowInterfaceSubject(iface.interfaceId),
    slot: activitySlot(hour.hour, hour.accountId),
    accountId: hour.accountId,
    hour: hour.hour,
    interfaceId: iface.interfaceId,
    ...(iface.instanceId ? { instanceId: iface.instanceId } : {}),
    ...(iface.vpcId ? { vpcId: iface.vpcId } : {}),
    ...(iface.subnetId ? { subnetId: iface.subnetId } : {}),
    totals: iface.totals,
    first: iface.first,
    last: iface.last,
    nodata: iface.nodata,
    skipdata: iface.skipdata,
    cappedFlows,
    ...(source ? { flowLogId: source.flowLogId, duplicateLogFlows: source.duplicateLogFlows } : {}),
    body,
    expiresAt,
  };
}

/** The reference: FlowRows sorted and folded by their keys. */
function fittedFromRows(all: readonly Row[], t0: number, maxBodyBytes: number): { body: Uint8Array; folded: number } {
  let rows: Row[] = [...all].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let body = encode(rowColumns(rows, t0));
  let folded = 0;
  while (body.byteLength > maxBodyBytes && rows.length > 6) {
    const next = foldRows(rows, Math.floor(rows.length / 2));
    rows = next.rows;
    folded += next.folded;
    body = encode(rowColumns(rows, t0));
  }
  return { body, folded };
}

/** The same, from the aggregator's tables: no key string per row. */
function fittedFromView(view: InterfaceRowView, t0: number, maxBodyBytes: number): { body: Uint8Array; folded: number } {
  let rows = sortedRows(view);
  let body = encode(workingRowsBody(rows, t0));
  let folded = 0;
  while (body.byteLength > maxBodyBytes && rowCount(rows) > 6) {
    const next = foldWorkingRows(rows, Math.floor(rowCount(rows) / 2));
    rows = next.rows;
    folded += next.folded;
    body = encode(workingRowsBody(rows, t0));
  }
  return { body, folded };
}

export function interfaceRows(item: FlowInterfaceItem): Row[] {
  return rowsOfBody(decodeBody<unknown>(item.body));
}

interface PeerEntries {
  peer: string;
  list: PeerEntry[];
  bytes: number;
}

/**
 * The account-hour's peer index: per peer, its interfaces' counts, the peers with the fewest bytes left out
 * until the compressed body fits. An hour from FlowHourAggregator.finish() is read from its pair table
 * (peer-index-view.ts); any other (tests, merges of several logs) from its `peers` records.
 */
export function peersItem(hour: FlowHour, expiresAt: number): FlowPeersItem {
  const interfaces: FlowPeersBody['interfaces'] = hour.interfaces.map((iface) => [iface.interfaceId, iface.instanceId ?? null]);
  const indexOf = new Map(interfaces.map(([id], index) => [id, index]));
  const unknown = unknownBytesByPeer(hour.interfaces);
  const view = peerViewOf(hour);
  const entries = view ? entriesOfView(view, indexOf, unknown) : entriesOfRecords(hour, indexOf, unknown);
  let kept = entries;
  let truncatedPeers = hour.cappedPeers;
  const bodyOf = (list: typeof entries): FlowPeersBody => ({ v: 2, interfaces, peers: Object.fromEntries(list.map((entry) => [entry.peer, entry.list])), truncatedPeers });
  let body = encode(bodyOf(kept));
  if (body.byteLength > MAX_PEERS_BODY_BYTES) kept = [...entries].sort((a, b) => b.bytes - a.bytes || (a.peer < b.peer ? -1 : 1));
  while (body.byteLength > MAX_PEERS_BODY_BYTES && kept.length > 1) {
    const keep = Math.ceil(kept.length * 0.7);
    truncatedPeers += kept.length - keep;
    kept = kept.slice(0, keep);
    body = encode(bodyOf(kept));
  }
  return { subject: flowPeersSubject(hour.accountId), slot: activitySlot(hour.hour, hour.accountId), accountId: hour.accountId, hour: hour.hour, peers: kept.length, body, expiresAt };
}

/** The aggregator counts unknown-direction bytes as out; the interface's rows tell them apart. */
function peerEntry(index: number, counts: PeerCounts, ports: string[], unknownBytes: number): PeerEntry {
  const bytesUnknown = Math.min(unknownBytes, counts[1]);
  return [index, counts[0], counts[1] - bytesUnknown, counts[2], counts[3], counts[4], counts[5], counts[6], ports, bytesUnknown];
}

function entryBytes(list: readonly PeerEntry[]): number {
  return list.reduce((sum, entry) => sum + entry[1] + entry[2] + (entry[9] ?? 0), 0);
}

/** The reference: the documented `peers` and `peerPorts` records. */
function entriesOfRecords(hour: FlowHour, indexOf: ReadonlyMap<string, number>, unknown: ReadonlyMap<string, ReadonlyMap<string, number>>): PeerEntries[] {
  return Object.entries(hour.peers).map(([peer, byInterface]) => {
    const list = Object.entries(byInterface).map(([interfaceId, counts]) => peerEntry(indexOf.get(interfaceId) as number, counts, hour.peerPorts[peer]?.[interfaceId] ?? [], unknown.get(interfaceId)?.get(peer) ?? 0));
    return { peer, list, bytes: entryBytes(list) };
  });
}

/** The same, from the aggregator's pair table: no counts array or per-peer record built and thrown away. */
function entriesOfView(view: PeerIndexView, indexOf: ReadonlyMap<string, number>, unknown: ReadonlyMap<string, ReadonlyMap<string, number>>): PeerEntries[] {
  const entries: PeerEntries[] = new Array(view.order.length);
  for (let position = 0; position < view.order.length; position++) {
    const peer = view.peer(position);
    const list: PeerEntry[] = [];
    for (let pair = view.firstPair(position); pair < view.endPair(position); pair++) {
      const interfaceId = view.interfaceId(pair);
      list.push(peerEntry(indexOf.get(interfaceId) as number, view.counts(pair), view.ports(pair), unknown.get(interfaceId)?.get(peer) ?? 0));
    }
    entries[position] = { peer, list, bytes: entryBytes(list) };
  }
  return entries;
}

/**
 * Per interface, the bytes of unknown direction per peer, from its drill-down rows. Flows folded into `*`
 * rows by the live row cap name no peer: their unknown bytes stay counted as out in the peer index.
 */
function unknownBytesByPeer(interfaces: readonly InterfaceHour[]): Map<string, Map<string, number>> {
  const byInterface = new Map<string, Map<string, number>>();
  for (const iface of interfaces) {
    if (iface.totals.unknown.bytes === 0) continue;
    const view = rowViewOf(iface);
    if (view) {
      byInterface.set(iface.interfaceId, view.unknownBytesByPeer());
      continue;
    }
    const byPeer = new Map<string, number>();
    for (const [key, bytes] of iface.rows) {
      if (!key.startsWith('unknown|')) continue;
      const peer = key.split('|')[2];
      if (peer !== '*') byPeer.set(peer, (byPeer.get(peer) ?? 0) + bytes);
    }
    byInterface.set(iface.interfaceId, byPeer);
  }
  return byInterface;
}

export function interfaceVolumes(hour: FlowHour | MergedFlowHour): InterfaceVolume[] {
  const sources = 'sources' in hour ? hour.sources : {};
  return hour.interfaces
    .map((iface): InterfaceVolume => [
      iface.interfaceId,
      iface.instanceId ?? null,
      iface.totals.in.bytes,
      iface.totals.out.bytes,
      iface.totals.unknown.bytes,
      iface.totals.in.rejectedFlows + iface.totals.out.rejectedFlows + iface.totals.unknown.rejectedFlows,
      sources[iface.interfaceId]?.duplicateLogFlows ?? 0,
    ])
    .sort((a, b) => b[2] + b[3] + b[4] - (a[2] + a[3] + a[4]) || (a[0] < b[0] ? -1 : 1));
}

export interface ManifestFacts {
  objectCount: number;
  objectsHash: string;
  files: number;
  compactedAt: string;
  /** Where the objects and interfaces written are kept (flow-manifest-state.ts encodeState). */
  state: Pick<FlowManifestItem, 'state' | 'stateParts' | 'stateGeneration'>;
}

export function manifestItem(hour: FlowHour | MergedFlowHour, facts: ManifestFacts, expiresAt: number): FlowManifestItem {
  let interfaces = interfaceVolumes(hour);
  let truncatedInterfaces = 0;
  let body = encode({ v: 2, interfaces, truncatedInterfaces } satisfies FlowManifestBody);
  while (body.byteLength > MAX_MANIFEST_BODY_BYTES && interfaces.length > 1) {
    const keep = Math.ceil(interfaces.length / 2);
    truncatedInterfaces += interfaces.length - keep;
    interfaces = interfaces.slice(0, keep);
    body = encode({ v: 2, interfaces, truncatedInterfaces } satisfies FlowManifestBody);
  }
  const flowLogs: Record<string, number> = {};
  if ('sources' in hour) for (const source of Object.values(hour.sources)) flowLogs[source.flowLogId] = (flowLogs[source.flowLogId] ?? 0) + 1;
  return {
    subject: flowAccountSubject(hour.accountId),
    slot: activitySlot(hour.hour, hour.accountId),
    accountId: hour.accountId,
    hour: hour.hour,
    objectsHash: facts.objectsHash,
    objectCount: facts.objectCount,
    files: facts.files,
    flows: hour.counts.flows,
    nodata: hour.counts.nodata,
    skipdata: hour.counts.skipdata,
    ...('sources' in hour ? { duplicateLogFlows: hour.counts.duplicateLogFlows, flowLogs } : {}),
    body,
    ...facts.state,
    compactedAt: facts.compactedAt,
    expiresAt,
  };
}

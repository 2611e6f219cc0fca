import { interfaceRows, type FlowInterfaceItem } from '../flowlogs/flow-items';
import { ipMatcher } from './ip-match';
import { rankedPage, type GroupPlace, type PageCut } from './group-ranking';

/**
 * VPC flow volume as a time series (Detective's "Overall VPC flow volume" and its drill-down): inbound and
 * outbound bytes and packets, accepted against rejected, per hour or day, optionally grouped by peer, port,
 * protocol, direction or action. Folded from the flow-log interface-hour items (pure: the reads are in
 * lambdas/queries/flow-queries.ts). Directions are the interface's view: "in" is what the instance received.
 */
export const FLOW_VOLUME_ENTITY_TYPES = ['EC2_INSTANCE', 'IP_ADDRESS'] as const;
export type FlowVolumeEntityType = (typeof FLOW_VOLUME_ENTITY_TYPES)[number];
/** Flow logs are stored per hour: MINUTE cannot be answered. */
export const FLOW_GRANULARITIES = ['HOUR', 'DAY'] as const;
export type FlowVolumeGranularity = (typeof FLOW_GRANULARITIES)[number];
export const FLOW_GROUP_BY = ['PEER_IP', 'PORT', 'PROTOCOL', 'DIRECTION', 'ACTION'] as const;
export type FlowGroupBy = (typeof FLOW_GROUP_BY)[number];
export const FLOW_DIRECTIONS = ['INBOUND', 'OUTBOUND', 'UNKNOWN'] as const;
export type FlowDirectionName = (typeof FLOW_DIRECTIONS)[number];
export const FLOW_ACTIONS = ['ACCEPT', 'REJECT'] as const;

/** Stored direction (core/flowlogs/direction.ts) ↔ the API's name. */
const DIRECTION_NAMES: Record<string, FlowDirectionName> = { in: 'INBOUND', out: 'OUTBOUND', unknown: 'UNKNOWN' };

export interface FlowVolumeFilter {
  /** An address, a CIDR block or a glob (as searchEntities' IP_ADDRESS queries). */
  peerIp?: string;
  port?: number;
  protocol?: number;
  direction?: FlowDirectionName;
  action?: (typeof FLOW_ACTIONS)[number];
}

export interface FlowVolumeRequest {
  graphArn?: string;
  entity: { type: FlowVolumeEntityType; id: string };
  fromMs: number;
  toMs: number;
  granularity: FlowVolumeGranularity;
  groupBy?: FlowGroupBy;
  filter?: FlowVolumeFilter;
  /** The page of groups after the first (a signed place in the ranking, lambdas/api/group-pages.ts). */
  nextToken?: string;
}

export interface FlowVolumeCounts {
  BytesIn: number;
  BytesOut: number;
  /** Default-format records of an interface whose own address could not be told (see README "VPC Flow Logs"). */
  BytesUnknownDirection: number;
  PacketsIn: number;
  PacketsOut: number;
  PacketsUnknownDirection: number;
  AcceptedBytes: number;
  RejectedBytes: number;
  Flows: number;
  RejectedFlows: number;
}

export interface FlowVolumePoint extends FlowVolumeCounts {
  /** Start of the hour or day (UTC). */
  Time: string;
}

export interface FlowVolumeGroup extends FlowVolumeCounts {
  Value: string;
  Series: FlowVolumePoint[];
}

export interface FlowVolumeResponse extends FlowVolumeCounts {
  GraphArn?: string;
  EntityType: FlowVolumeEntityType;
  EntityId: string;
  /** The whole hours the scope overlaps (flow data is hourly): the answer says what it covers. */
  ScopeStartTime: string;
  ScopeEndTime: string;
  Granularity: FlowVolumeGranularity;
  GroupBy?: FlowGroupBy;
  /** The network interfaces read (`instance:<id>` for records that named only their instance). */
  Interfaces: string[];
  Series: FlowVolumePoint[];
  Groups?: FlowVolumeGroup[];
  /** Groups that rank after this page's last (MAX_GROUPS per page): the NextToken gives them. */
  OtherGroupCount?: number;
  NextToken?: string;
  /** Flows folded into `*` peer rows by the storage caps: in the totals, not matched by a peer or port filter. */
  CappedFlows: number;
}

const zero = (): FlowVolumeCounts => ({ BytesIn: 0, BytesOut: 0, BytesUnknownDirection: 0, PacketsIn: 0, PacketsOut: 0, PacketsUnknownDirection: 0, AcceptedBytes: 0, RejectedBytes: 0, Flows: 0, RejectedFlows: 0 });

interface Row {
  direction: string;
  action: string;
  bytes: number;
  packets: number;
  flows: number;
}

function addRow(counts: FlowVolumeCounts, row: Row): void {
  if (row.direction === 'in') {
    counts.BytesIn += row.bytes;
    counts.PacketsIn += row.packets;
  } else if (row.direction === 'out') {
    counts.BytesOut += row.bytes;
    counts.PacketsOut += row.packets;
  } else {
    counts.BytesUnknownDirection += row.bytes;
    counts.PacketsUnknownDirection += row.packets;
  }
  if (row.action === 'REJECT') {
    counts.RejectedBytes += row.bytes;
    counts.RejectedFlows += row.flows;
  } else counts.AcceptedBytes += row.bytes;
  counts.Flows += row.flows;
}

function addCounts(target: FlowVolumeCounts, source: FlowVolumeCounts): void {
  for (const name of Object.keys(target) as (keyof FlowVolumeCounts)[]) target[name] += source[name];
}

type Series = Map<string, FlowVolumePoint>;

function addTo(series: Series, time: string, row: Row): void {
  const point = series.get(time) ?? { Time: time, ...zero() };
  series.set(time, point);
  addRow(point, row);
}

function pointsOf(series: Series): FlowVolumePoint[] {
  return [...series.values()].sort((a, b) => (a.Time < b.Time ? -1 : 1));
}

function sumOf(series: Series): FlowVolumeCounts {
  const total = zero();
  for (const point of series.values()) addCounts(total, point);
  return total;
}

function groupValue(groupBy: FlowGroupBy, direction: string, action: string, peer: string, protocol: string, port: string): string {
  switch (groupBy) {
    case 'PEER_IP':
      return peer;
    case 'PORT':
      return `${protocol}/${port}`;
    case 'PROTOCOL':
      return protocol;
    case 'DIRECTION':
      return DIRECTION_NAMES[direction] ?? 'UNKNOWN';
    case 'ACTION':
      return action;
  }
}

/**
 * Folds interface-hour items into the answer. `peer` narrows to one address (an IP_ADDRESS entity: its
 * flows with the instances), besides the request's filter. Items outside [from, to) are ignored.
 */
/** `after`: where the previous page of groups ended (a NextToken's place in the ranking, flowGroupPlace). */
export function flowVolume(items: readonly FlowInterfaceItem[], request: FlowVolumeRequest, hours: { from: string; to: string }, after?: PageCut): FlowVolumeResponse {
  const filter = request.filter ?? {};
  // By value, so that an IPv6 address matches whatever its spelling.
  const entityPeer = request.entity.type === 'IP_ADDRESS' ? ipMatcher(request.entity.id) : undefined;
  const peerMatches = filter.peerIp !== undefined ? ipMatcher(filter.peerIp) : undefined;
  const total: Series = new Map();
  const groups = new Map<string, Series>();
  let cappedFlows = 0;
  const interfaces = new Set<string>();
  for (const item of items) {
    const hourStart = `${item.hour}:00:00.000Z`;
    if (hourStart < hours.from || hourStart >= hours.to) continue;
    interfaces.add(item.interfaceId);
    cappedFlows += item.cappedFlows;
    const time = request.granularity === 'DAY' ? `${item.hour.slice(0, 10)}T00:00:00.000Z` : hourStart;
    for (const [key, bytes, packets, flows] of interfaceRows(item)) {
      const [direction, action, peer, protocol, port] = key.split('|');
      if (entityPeer && (peer === '*' || !entityPeer(peer))) continue;
      if (filter.direction && DIRECTION_NAMES[direction] !== filter.direction) continue;
      if (filter.action && action !== filter.action) continue;
      if (filter.protocol !== undefined && protocol !== String(filter.protocol)) continue;
      if (filter.port !== undefined && port !== String(filter.port)) continue;
      if (peerMatches && (peer === '*' || !peerMatches(peer))) continue;
      const row = { direction, action, bytes, packets, flows };
      addTo(total, time, row);
      if (!request.groupBy) continue;
      const value = groupValue(request.groupBy, direction, action, peer, protocol, port);
      const series = groups.get(value) ?? new Map();
      groups.set(value, series);
      addTo(series, time, row);
    }
  }
  const { page, following } = rankedPage(
    [...groups].map(([value, series]) => ({ Value: value, ...sumOf(series), series })),
    flowGroupPlace,
    after,
  );
  return {
    ...(request.graphArn ? { GraphArn: request.graphArn } : {}),
    EntityType: request.entity.type,
    EntityId: request.entity.id,
    ScopeStartTime: hours.from,
    ScopeEndTime: hours.to,
    Granularity: request.granularity,
    ...(request.groupBy ? { GroupBy: request.groupBy } : {}),
    ...sumOf(total),
    Interfaces: [...interfaces].sort(),
    Series: pointsOf(total),
    ...(request.groupBy
      ? {
          Groups: page.map(({ series, ...counts }) => ({ ...counts, Series: pointsOf(series) })),
          ...(following > 0 ? { OtherGroupCount: following } : {}),
        }
      : {}),
    CappedFlows: cappedFlows,
  };
}

/** A flow group's place in the ranking: the most bytes first, then the most flows, then by value. */
export function flowGroupPlace(group: FlowVolumeCounts & { Value: string }): GroupPlace {
  return { rank: [group.BytesIn + group.BytesOut + group.BytesUnknownDirection, group.Flows], value: group.Value };
}

const CSV_COUNTS: (keyof FlowVolumeCounts)[] = ['BytesIn', 'BytesOut', 'BytesUnknownDirection', 'PacketsIn', 'PacketsOut', 'PacketsUnknownDirection', 'AcceptedBytes', 'RejectedBytes', 'Flows', 'RejectedFlows'];

/** CSV rows of a flow volume answer: one per (group, bucket), or per bucket without grouping. */
export function flowVolumeCsvRows(response: FlowVolumeResponse): { header: string[]; rows: (string | number)[][] } {
  const counts = (p: FlowVolumePoint) => CSV_COUNTS.map((name) => p[name]);
  if (!response.Groups) return { header: ['Time', ...CSV_COUNTS], rows: response.Series.map((p) => [p.Time, ...counts(p)]) };
  return { header: ['Time', response.GroupBy ?? 'Group', ...CSV_COUNTS], rows: response.Groups.flatMap((g) => g.Series.map((p) => [p.Time, g.Value, ...counts(p)])) };
}

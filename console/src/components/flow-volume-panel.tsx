import { call } from '../api';
import { Show, useLoad } from './async';
import { EChart, type ChartOption } from './chart';
import { axisTime, Breadcrumb, bucketScope, filled, GroupView, PagedGroups, WIDTH, type Crumb, type GroupSeries } from './drill-down';
import { EntityLink, utc, type Scope } from '../entities';

/**
 * Detective's "Overall VPC flow volume" (POST /graph/getFlowVolume) for an EC2 instance or an IP address:
 * inbound and outbound bytes per hour or day, with the rejected bytes beside them, and the drill-down by
 * clicking: an instance's peers, a peer's ports, a port's actions (an address is the peer already: its
 * ports, then their actions). A bar narrows the drill-down to its hour or day. The state lives in the URL
 * (`fbucket`, `fpeer`, `fport`: apart from the API volume's `bucket`, `ip`, `api`, as an instance shows
 * both), so each step is a deep link and Back goes up a level. Directions are the instance's: "in" is what
 * it received.
 */
export type FlowEntityType = 'EC2_INSTANCE' | 'IP_ADDRESS';

interface FlowCounts {
  BytesIn: number;
  BytesOut: number;
  BytesUnknownDirection: number;
  AcceptedBytes: number;
  RejectedBytes: number;
  Flows: number;
  RejectedFlows: number;
}
interface FlowPoint extends FlowCounts {
  Time: string;
}
interface FlowGroup extends FlowCounts {
  Value: string;
}
interface FlowVolume extends FlowCounts {
  ScopeStartTime: string;
  ScopeEndTime: string;
  Interfaces: string[];
  Series: FlowPoint[];
  Groups?: FlowGroup[];
  /** Groups after this answer's (100 per answer); NextToken gives the next ones. */
  OtherGroupCount?: number;
  NextToken?: string;
  CappedFlows: number;
}
export interface FlowDrill {
  /** An hour or a day of the chart. */
  bucket?: string;
  peer?: string;
  /** `<protocol>/<port>`, as the PORT groups name them. */
  port?: string;
}

const zero = (Time: string): FlowPoint => ({ Time, BytesIn: 0, BytesOut: 0, BytesUnknownDirection: 0, AcceptedBytes: 0, RejectedBytes: 0, Flows: 0, RejectedFlows: 0 });

/** Flow data is stored per hour: hours up to 7 days, then days (the API refuses MINUTE). */
export function flowGranularityOf(scope: Scope): 'HOUR' | 'DAY' {
  return Date.parse(scope.to) - Date.parse(scope.from) <= 7 * WIDTH.DAY ? 'HOUR' : 'DAY';
}

const PROTOCOLS: Record<string, string> = { '1': 'ICMP', '6': 'TCP', '17': 'UDP', '58': 'ICMPv6' };
/** `6/22` → `TCP 22`; a protocol without a name keeps its number. */
export function portLabel(value: string): string {
  const [protocol, port] = value.split('/');
  return `${PROTOCOLS[protocol] ?? `protocol ${protocol}`} ${port}`;
}

const COLORS = { in: '#0972d3', out: '#8456ce', unknown: '#879596', rejected: '#d13212', accepted: '#1d8102' };

const bytes = (n: number) => n.toLocaleString('en-US');

/** An axis label: `12 MB`, `3.4 KB` (decimal units, as the AWS consoles show bytes). */
export function shortBytes(n: number): string {
  for (const [unit, size] of [['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) if (n >= size) return `${Number((n / size).toPrecision(3))} ${unit}`;
  return `${n} B`;
}

/** The levels of the drill-down, by entity type: what a level groups by, and which URL key its click sets. */
const LEVELS = {
  EC2_INSTANCE: [
    { groupBy: 'PEER_IP', title: 'Peer IP addresses', next: 'peer' },
    { groupBy: 'PORT', title: 'Ports', next: 'port' },
    { groupBy: 'ACTION', title: 'Actions', next: undefined },
  ],
  IP_ADDRESS: [
    { groupBy: 'PORT', title: 'Ports', next: 'port' },
    { groupBy: 'ACTION', title: 'Actions', next: undefined },
  ],
} as const;

function overallOption(points: readonly FlowPoint[]): ChartOption {
  const unknown = points.some((p) => p.BytesUnknownDirection > 0);
  return {
    // A fixed plot area (no containLabel): a bar's place on the canvas follows from the chart's size alone.
    grid: { left: 64, right: 16, top: 28, bottom: 40 },
    legend: { top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
    xAxis: { type: 'category', data: points.map((p) => axisTime(p.Time)) },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: shortBytes } },
    series: [
      { name: 'Inbound', type: 'bar', stack: 'bytes', data: points.map((p) => p.BytesIn), itemStyle: { color: COLORS.in } },
      { name: 'Outbound', type: 'bar', stack: 'bytes', data: points.map((p) => p.BytesOut), itemStyle: { color: COLORS.out } },
      ...(unknown ? [{ name: 'Unknown direction', type: 'bar', stack: 'bytes', data: points.map((p) => p.BytesUnknownDirection), itemStyle: { color: COLORS.unknown } }] : []),
      { name: 'Rejected', type: 'line', data: points.map((p) => p.RejectedBytes), symbolSize: 4, lineStyle: { color: COLORS.rejected }, itemStyle: { color: COLORS.rejected } },
    ],
  };
}

const GROUP_SERIES: readonly GroupSeries<FlowGroup>[] = [
  { name: 'Bytes in', color: COLORS.in, value: (g) => g.BytesIn },
  { name: 'Bytes out', color: COLORS.out, value: (g) => g.BytesOut },
];

interface FlowVolumePanelProps {
  type: FlowEntityType;
  id: string;
  scope: Scope;
  drill: FlowDrill;
  onDrill: (drill: FlowDrill) => void;
}

export function FlowVolumePanel({ type, id, scope, drill: asked, onDrill }: FlowVolumePanelProps) {
  // An instance's port is a peer's port: a link naming a port without a peer stays at the peers.
  const drill: FlowDrill = type === 'EC2_INSTANCE' && !asked.peer ? { bucket: asked.bucket } : asked;
  const granularity = flowGranularityOf(scope);
  const levels: readonly { groupBy: string; title: string; next?: 'peer' | 'port' }[] = LEVELS[type];
  const depth = type === 'EC2_INSTANCE' ? (drill.port && drill.peer ? 2 : drill.peer ? 1 : 0) : drill.port ? 1 : 0;
  const level = levels[Math.min(depth, levels.length - 1)] ?? levels[0];
  const base = { EntityType: type, EntityId: id, Granularity: granularity };
  const overall = useLoad(() => call<FlowVolume>('/graph/getFlowVolume', { ...base, ScopeStartTime: scope.from, ScopeEndTime: scope.to }), [type, id, scope.from, scope.to]);
  // The groups of the whole scope, or of the chosen hour or day.
  const within = bucketScope(drill.bucket, scope, granularity) ?? scope;
  const [protocol, port] = (drill.port ?? '').split('/');
  const filter = { ...(type === 'EC2_INSTANCE' && drill.peer ? { PeerIp: drill.peer } : {}), ...(drill.port ? { Protocol: Number(protocol), Port: Number(port) } : {}) };
  const groupsRequest = { ...base, ScopeStartTime: within.from, ScopeEndTime: within.to, GroupBy: level.groupBy, ...(Object.keys(filter).length ? { Filter: filter } : {}) };
  const groups = useLoad(() => call<FlowVolume>('/graph/getFlowVolume', groupsRequest), [type, id, within.from, within.to, level.groupBy, drill.peer, drill.port]);
  const open = (group: FlowGroup) => {
    if (level.next === 'peer') onDrill({ ...drill, peer: group.Value });
    else if (level.next === 'port') onDrill({ ...drill, port: group.Value });
  };
  const crumbs: Crumb[] = [{ label: drill.bucket ? `${utc(within.from)} to ${utc(within.to)}` : 'Whole scope', ...(drill.peer || drill.port ? { go: () => onDrill({ bucket: drill.bucket }) } : {}) }];
  if (drill.peer) crumbs.push({ label: `Peer ${drill.peer}`, ...(drill.port ? { go: () => onDrill({ bucket: drill.bucket, peer: drill.peer }) } : {}) });
  if (drill.port) crumbs.push({ label: portLabel(drill.port) });
  if (drill.bucket) crumbs.unshift({ label: 'All times', go: () => onDrill({}) });
  return (
    <section class="panel" aria-label="VPC flow volume" id="flow-volume">
      <h2>Overall VPC flow volume</h2>
      <Show loaded={overall} empty={(v) => (v.Flows === 0 && v.Interfaces.length === 0 ? `No VPC flow logged ${type === 'EC2_INSTANCE' ? 'for this instance' : 'with this address'} from ${utc(v.ScopeStartTime)} to ${utc(v.ScopeEndTime)}.` : false)}>
        {(volume) => {
          const hours = { from: volume.ScopeStartTime, to: volume.ScopeEndTime };
          const points = filled(volume.Series, hours, granularity, zero);
          return (
            <>
              <p>
                <strong data-testid="flow-bytes-in">{bytes(volume.BytesIn)}</strong> bytes in, <strong data-testid="flow-bytes-out">{bytes(volume.BytesOut)}</strong> bytes out
                {volume.BytesUnknownDirection ? (
                  <>
                    , <span data-testid="flow-bytes-unknown">{bytes(volume.BytesUnknownDirection)}</span> of unknown direction
                  </>
                ) : null}
                ; <span data-testid="flow-accepted">{bytes(volume.AcceptedBytes)}</span> accepted, <span data-testid="flow-rejected">{bytes(volume.RejectedBytes)}</span> rejected; <span data-testid="flow-flows">{bytes(volume.Flows)}</span> flows (
                <span data-testid="flow-rejected-flows">{bytes(volume.RejectedFlows)}</span> rejected), by {granularity.toLowerCase()}, {utc(volume.ScopeStartTime)} to {utc(volume.ScopeEndTime)} (flow logs are hourly: the scope is read in whole hours). Network interfaces: {volume.Interfaces.join(', ') || 'none'}.
                {volume.CappedFlows ? ` ${bytes(volume.CappedFlows)} flows were folded by the storage caps: in the totals, not in the groups.` : ''}
              </p>
              <EChart label="VPC flow volume, inbound, outbound and rejected bytes" option={overallOption(points)} onClick={(click) => onDrill({ ...drill, bucket: points[click.dataIndex]?.Time })} />
              <label>
                Drill into a time
                <select value={drill.bucket ?? ''} onChange={(e) => onDrill({ ...drill, bucket: (e.target as HTMLSelectElement).value || undefined })} aria-label="Drill into a flow time bucket">
                  <option value="">(whole scope)</option>
                  {points
                    .filter((p) => p.Flows > 0)
                    .map((p) => (
                      <option key={p.Time} value={p.Time}>
                        {utc(p.Time)}: {bytes(p.BytesIn + p.BytesOut + p.BytesUnknownDirection)} bytes
                      </option>
                    ))}
                </select>
              </label>
              <div data-testid="flow-drill-down">
                <Breadcrumb crumbs={crumbs} label="Flow drill-down" />
                <h3>{level.title}</h3>
                <Show loaded={groups} empty={(v) => (v.Groups?.length ? false : 'No flows here.')}>
                  {(v) => (
                    <PagedGroups
                      key={JSON.stringify(groupsRequest)}
                      first={v}
                      path="/graph/getFlowVolume"
                      request={groupsRequest}
                      csvColumns={GROUP_CSV_COLUMNS}
                      countTestId="flow-group-count"
                      fileName={`trailhound-flows-${id}-${level.groupBy.toLowerCase()}.csv`}
                      view={(rows) => (
                        <GroupView
                          groups={rows}
                          title={level.title}
                          valueOf={(g) => (level.groupBy === 'PORT' ? `${g.Value} (${portLabel(g.Value)})` : g.Value)}
                          series={GROUP_SERIES}
                          columns={[
                            { key: 'accepted', title: 'Accepted bytes', value: (g) => g.AcceptedBytes, numeric: true },
                            { key: 'rejected', title: 'Rejected bytes', value: (g) => g.RejectedBytes, numeric: true },
                            { key: 'flows', title: 'Flows', value: (g) => g.Flows, numeric: true },
                            { key: 'rejectedFlows', title: 'Rejected flows', value: (g) => g.RejectedFlows, numeric: true },
                            ...(level.groupBy === 'PEER_IP' ? [{ key: 'profile', title: 'Profile', value: (g: FlowGroup) => g.Value, cell: (g: FlowGroup) => (g.Value === '*' ? 'folded by the caps' : <EntityLink type="IP_ADDRESS" id={g.Value} scope={scope}>address profile</EntityLink>) }] : []),
                          ]}
                          // The caps' `*` row matches no filter: nothing below it to open.
                          onOpen={level.next ? open : undefined}
                          canOpen={(g) => g.Value !== '*'}
                        />
                      )}
                    />
                  )}
                </Show>
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}

/** The CSV of a drill-down level: the group's value, then its counts (every group, all pages). */
const GROUP_CSV_COLUMNS = ['BytesIn', 'BytesOut', 'BytesUnknownDirection', 'AcceptedBytes', 'RejectedBytes', 'Flows', 'RejectedFlows'] as const;

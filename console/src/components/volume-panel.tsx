import { call } from '../api';
import { Show, useLoad } from './async';
import { EChart, volumeOption, type ChartOption } from './chart';
import { Table } from './table';
import type { EntityType, Scope } from '../entities';
import { utc } from '../entities';

/**
 * "Overall API call volume" with Detective's drill-down (getApiCallVolume): the stacked success/failure
 * series of the scope; a bar opens its time bucket by source IP, an IP its APIs, an API its callers. The
 * drill-down lives in the URL (`bucket`, `ip`, `api`), so each step is a deep link and Back goes up a level.
 */
export const VOLUME_TYPES: readonly EntityType[] = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'AWS_ACCOUNT', 'EC2_INSTANCE'];

interface Point {
  Time: string;
  SuccessCount: number;
  FailureCount: number;
}
interface Volume {
  SuccessCount: number;
  FailureCount: number;
  Series: Point[];
  Groups?: { Value: string; SuccessCount: number; FailureCount: number }[];
  OtherGroupCount?: number;
}
export interface Drill {
  bucket?: string;
  ip?: string;
  api?: string;
}

const WIDTH = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const;
type Granularity = keyof typeof WIDTH;

export function granularityOf(scope: Scope): Granularity {
  const span = Date.parse(scope.to) - Date.parse(scope.from);
  return span <= 3 * WIDTH.HOUR ? 'MINUTE' : span <= 7 * WIDTH.DAY ? 'HOUR' : 'DAY';
}

/** Every bucket of the scope, those without calls at 0, so the time axis is even. */
function filled(series: Point[], scope: Scope, granularity: Granularity): Point[] {
  const width = WIDTH[granularity];
  const byTime = new Map(series.map((p) => [Date.parse(p.Time), p]));
  const points: Point[] = [];
  for (let t = Math.floor(Date.parse(scope.from) / width) * width; t < Date.parse(scope.to); t += width) {
    points.push(byTime.get(t) ?? { Time: new Date(t).toISOString(), SuccessCount: 0, FailureCount: 0 });
  }
  return points;
}

const LEVELS = [
  { groupBy: 'SOURCE_IP', title: 'Source IP addresses', next: 'ip' },
  { groupBy: 'API', title: 'APIs', next: 'api' },
  { groupBy: 'CALLER', title: 'Callers', next: undefined },
] as const;

export function VolumePanel({ type, id, scope, drill, onDrill }: { type: EntityType; id: string; scope: Scope; drill: Drill; onDrill: (drill: Drill) => void }) {
  const granularity = granularityOf(scope);
  const groupable = type !== 'AWS_ACCOUNT';
  const bucketScope: Scope | undefined = drill.bucket
    ? { from: new Date(Math.max(Date.parse(drill.bucket), Date.parse(scope.from))).toISOString(), to: new Date(Math.min(Date.parse(drill.bucket) + WIDTH[granularity], Date.parse(scope.to))).toISOString() }
    : undefined;
  const level = LEVELS[drill.api ? 2 : drill.ip ? 1 : 0];
  const base = { EntityType: type, EntityId: id };
  const overall = useLoad(() => call<Volume>('/graph/getApiCallVolume', { ...base, ScopeStartTime: scope.from, ScopeEndTime: scope.to, Granularity: granularity }), [type, id, scope.from, scope.to]);
  const groups = useLoad(
    async () =>
      bucketScope && groupable
        ? call<Volume>('/graph/getApiCallVolume', {
            ...base,
            ScopeStartTime: bucketScope.from,
            ScopeEndTime: bucketScope.to,
            Granularity: granularity,
            GroupBy: level.groupBy,
            ...(drill.ip ? { Filter: { SourceIp: drill.ip, ...(drill.api ? { Api: drill.api } : {}) } } : {}),
          })
        : undefined,
    [type, id, bucketScope?.from, bucketScope?.to, drill.ip, drill.api],
  );
  const openGroup = (value: string) => {
    if (level.next === 'ip') onDrill({ ...drill, ip: value });
    else if (level.next === 'api') onDrill({ ...drill, api: value });
  };
  return (
    <section class="panel" aria-label="API call volume">
      <h2>API call volume</h2>
      <Show loaded={overall}>
        {(volume) => {
          const points = filled(volume.Series, scope, granularity);
          return (
            <>
              <p>
                <strong data-testid="volume-total">{(volume.SuccessCount + volume.FailureCount).toLocaleString('en-US')}</strong> calls, <span data-testid="volume-failures">{volume.FailureCount.toLocaleString('en-US')}</span> failed, by {granularity.toLowerCase()}.
                {groupable ? ' Click a bar, or choose a time below, to see its source IP addresses.' : ' An account’s volume has no drill-down: open one of its principals.'}
              </p>
              <EChart
                label="API call volume, success and failure"
                option={volumeOption(points.map((p) => p.Time), points.map((p) => p.SuccessCount), points.map((p) => p.FailureCount))}
                onClick={groupable ? (click) => onDrill({ bucket: points[click.dataIndex]?.Time }) : undefined}
              />
              {groupable ? (
                <label>
                  Drill into a time
                  <select value={drill.bucket ?? ''} onChange={(e) => onDrill({ bucket: (e.target as HTMLSelectElement).value || undefined })} aria-label="Drill into a time bucket">
                    <option value="">(whole scope)</option>
                    {points
                      .filter((p) => p.SuccessCount + p.FailureCount > 0)
                      .map((p) => (
                        <option key={p.Time} value={p.Time}>
                          {utc(p.Time)}: {p.SuccessCount + p.FailureCount} calls
                        </option>
                      ))}
                  </select>
                </label>
              ) : null}
            </>
          );
        }}
      </Show>
      {bucketScope && groupable ? (
        <div data-testid="drill-down">
          <nav class="crumbs bar" aria-label="Drill-down">
            <button type="button" onClick={() => onDrill({})}>
              All times
            </button>
            <button type="button" onClick={() => onDrill({ bucket: drill.bucket })}>
              {utc(bucketScope.from)}
            </button>
            {drill.ip ? (
              <button type="button" onClick={() => onDrill({ bucket: drill.bucket, ip: drill.ip })}>
                IP {drill.ip}
              </button>
            ) : null}
            {drill.api ? <span>API {drill.api}</span> : null}
          </nav>
          <h3>{level.title}</h3>
          <Show loaded={groups} empty={(v) => (v?.Groups?.length ? false : 'No calls here.')}>
            {(v) => <GroupView volume={v as Volume} onOpen={level.next ? openGroup : undefined} title={level.title} />}
          </Show>
        </div>
      ) : null}
    </section>
  );
}

function GroupView({ volume, onOpen, title }: { volume: Volume; onOpen?: (value: string) => void; title: string }) {
  const groups = volume.Groups ?? [];
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    legend: { data: ['Success', 'Failure'], top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
    yAxis: { type: 'category', inverse: true, data: groups.map((g) => g.Value), axisLabel: { width: 220, overflow: 'truncate' } },
    xAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'Success', type: 'bar', stack: 'calls', data: groups.map((g) => g.SuccessCount), itemStyle: { color: '#1d8102' } },
      { name: 'Failure', type: 'bar', stack: 'calls', data: groups.map((g) => g.FailureCount), itemStyle: { color: '#d13212' } },
    ],
  };
  return (
    <>
      <EChart label={`${title}, success and failure`} option={option} onClick={onOpen ? (click) => onOpen(groups[click.dataIndex].Value) : undefined} />
      <Table
        label={title}
        rows={groups}
        columns={[
          { key: 'value', title: title, value: (g) => g.Value, cell: (g) => (onOpen ? <button type="button" class="link" onClick={() => onOpen(g.Value)}>{g.Value}</button> : g.Value) },
          { key: 'ok', title: 'Success', value: (g) => g.SuccessCount, numeric: true },
          { key: 'fail', title: 'Failure', value: (g) => g.FailureCount, numeric: true },
        ]}
      />
      {volume.OtherGroupCount ? <p class="muted">and {volume.OtherGroupCount} more</p> : null}
    </>
  );
}

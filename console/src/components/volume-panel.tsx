import { call } from '../api';
import { Show, useLoad } from './async';
import { EChart, volumeOption } from './chart';
import { Breadcrumb, bucketScope, filled, GroupView, PagedGroups, WIDTH, type Granularity } from './drill-down';
import type { EntityType, Scope } from '../entities';
import { utc } from '../entities';

/**
 * "Overall API call volume" with Detective's drill-down (getApiCallVolume): the stacked success/failure
 * series of the scope; a bar opens its time bucket by source IP, an IP its APIs, an API its callers. The
 * drill-down lives in the URL (`bucket`, `ip`, `api`), so each step is a deep link and Back goes up a level.
 * A level shows 100 groups, "More groups" for the next 100, and downloads all its groups as CSV.
 */
export const VOLUME_TYPES: readonly EntityType[] = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'AWS_ACCOUNT', 'EC2_INSTANCE'];

interface Point {
  Time: string;
  SuccessCount: number;
  FailureCount: number;
}
interface VolumeGroup {
  Value: string;
  SuccessCount: number;
  FailureCount: number;
}
interface Volume {
  SuccessCount: number;
  FailureCount: number;
  Series: Point[];
  Groups?: VolumeGroup[];
  /** Groups after this answer's (100 per answer); NextToken gives the next ones. */
  OtherGroupCount?: number;
  NextToken?: string;
}
/** A drill-down level's CSV: the group's value, then these. */
const GROUP_CSV_COLUMNS = ['SuccessCount', 'FailureCount'] as const;
export interface Drill {
  bucket?: string;
  ip?: string;
  api?: string;
}

export function granularityOf(scope: Scope): Granularity {
  const span = Date.parse(scope.to) - Date.parse(scope.from);
  return span <= 3 * WIDTH.HOUR ? 'MINUTE' : span <= 7 * WIDTH.DAY ? 'HOUR' : 'DAY';
}

const LEVELS = [
  { groupBy: 'SOURCE_IP', title: 'Source IP addresses', next: 'ip' },
  { groupBy: 'API', title: 'APIs', next: 'api' },
  { groupBy: 'CALLER', title: 'Callers', next: undefined },
] as const;

export function VolumePanel({ type, id, scope, drill, onDrill }: { type: EntityType; id: string; scope: Scope; drill: Drill; onDrill: (drill: Drill) => void }) {
  const granularity = granularityOf(scope);
  const groupable = type !== 'AWS_ACCOUNT';
  const bucket = bucketScope(drill.bucket, scope, granularity);
  const level = LEVELS[drill.api ? 2 : drill.ip ? 1 : 0];
  const base = { EntityType: type, EntityId: id };
  const overall = useLoad(() => call<Volume>('/graph/getApiCallVolume', { ...base, ScopeStartTime: scope.from, ScopeEndTime: scope.to, Granularity: granularity }), [type, id, scope.from, scope.to]);
  const groupsRequest = bucket
    ? {
        ...base,
        ScopeStartTime: bucket.from,
        ScopeEndTime: bucket.to,
        Granularity: granularity,
        GroupBy: level.groupBy,
        ...(drill.ip ? { Filter: { SourceIp: drill.ip, ...(drill.api ? { Api: drill.api } : {}) } } : {}),
      }
    : undefined;
  const groups = useLoad(async () => (groupsRequest && groupable ? call<Volume>('/graph/getApiCallVolume', groupsRequest) : undefined), [type, id, bucket?.from, bucket?.to, drill.ip, drill.api]);
  const openGroup = (value: string) => {
    if (level.next === 'ip') onDrill({ ...drill, ip: value });
    else if (level.next === 'api') onDrill({ ...drill, api: value });
  };
  return (
    <section class="panel" aria-label="API call volume">
      <h2>API call volume</h2>
      <Show loaded={overall}>
        {(volume) => {
          const points = filled(volume.Series, scope, granularity, (Time) => ({ Time, SuccessCount: 0, FailureCount: 0 }));
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
      {bucket && groupable ? (
        <div data-testid="drill-down">
          <Breadcrumb
            crumbs={[
              { label: 'All times', go: () => onDrill({}) },
              { label: utc(bucket.from), ...(drill.ip ? { go: () => onDrill({ bucket: drill.bucket }) } : {}) },
              ...(drill.ip ? [{ label: `IP ${drill.ip}`, ...(drill.api ? { go: () => onDrill({ bucket: drill.bucket, ip: drill.ip }) } : {}) }] : []),
              ...(drill.api ? [{ label: `API ${drill.api}` }] : []),
            ]}
          />
          <h3>{level.title}</h3>
          <Show loaded={groups} empty={(v) => (v?.Groups?.length ? false : 'No calls here.')}>
            {(v) => (
              <PagedGroups
                key={JSON.stringify(groupsRequest)}
                first={v as Volume}
                path="/graph/getApiCallVolume"
                request={groupsRequest ?? {}}
                csvColumns={GROUP_CSV_COLUMNS}
                countTestId="volume-group-count"
                fileName={`trailhound-api-calls-${id.replace(/[^A-Za-z0-9._-]+/g, '_')}-${level.groupBy.toLowerCase()}.csv`}
                view={(rows) => (
                  <GroupView
                    groups={rows}
                    title={level.title}
                    valueOf={(g) => g.Value}
                    series={[
                      { name: 'Success', color: '#1d8102', value: (g) => g.SuccessCount },
                      { name: 'Failure', color: '#d13212', value: (g) => g.FailureCount },
                    ]}
                    onOpen={level.next ? (g) => openGroup(g.Value) : undefined}
                  />
                )}
              />
            )}
          </Show>
        </div>
      ) : null}
    </section>
  );
}

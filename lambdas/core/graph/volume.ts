import type { CompactEvent } from '../storage/compact-event';
import { HOUR_MS, hourStartMs, MINUTE_MS } from '../storage/hours';
import type { GraphEntity } from './entity-types';
import { rankedPage, type GroupPlace, type PageCut } from './group-ranking';

/**
 * API call volume as a time series of successes and failures, optionally grouped (Detective's "Overall API
 * call volume" and its drill-down). Counts come from two sources that must agree: an hour item's minute
 * counts (whole hours, no grouping or filter: no event read) and compact events (everything else).
 */
export const GRANULARITIES = ['MINUTE', 'HOUR', 'DAY'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const GROUP_BY = ['API', 'SOURCE_IP', 'CALLER', 'SESSION', 'ERROR_CODE'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Filter members, each compared for equality with the call's field (`Caller`: the principal; `ErrorCode: ""`: successes). */
export interface VolumeFilter {
  api?: string;
  sourceIp?: string;
  caller?: string;
  session?: string;
  errorCode?: string;
}

export interface VolumeRequest {
  graphArn?: string;
  entity: GraphEntity;
  fromMs: number;
  toMs: number;
  granularity: Granularity;
  groupBy?: GroupBy;
  filter?: VolumeFilter;
  /** The page of groups after the first (a signed place in the ranking, lambdas/api/group-pages.ts). */
  nextToken?: string;
}

/** A call as the volume needs it: its compact event and who made it (the principal of its hour item). */
export interface VolumeCall {
  event: CompactEvent;
  hourStart: number;
  caller: string;
}

const DAY_MS = 24 * HOUR_MS;
const BUCKET_MS: Record<Granularity, number> = { MINUTE: MINUTE_MS, HOUR: HOUR_MS, DAY: DAY_MS };

export { MAX_GROUPS } from './group-ranking';

function groupKey(call: VolumeCall, groupBy: GroupBy): string {
  switch (groupBy) {
    case 'API':
      return call.event.a;
    case 'SOURCE_IP':
      return call.event.i ?? '';
    case 'CALLER':
      return call.caller;
    case 'SESSION':
      return call.event.s ?? '';
    case 'ERROR_CODE':
      return call.event.e ?? '';
  }
}

export function matchesFilter(call: VolumeCall, filter: VolumeFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.api !== undefined && call.event.a !== filter.api) return false;
  if (filter.sourceIp !== undefined && (call.event.i ?? '') !== filter.sourceIp) return false;
  if (filter.caller !== undefined && call.caller !== filter.caller) return false;
  if (filter.session !== undefined && (call.event.s ?? '') !== filter.session) return false;
  if (filter.errorCode !== undefined && (call.event.e ?? '') !== filter.errorCode) return false;
  return true;
}

type Series = Map<number, [number, number]>;

export interface VolumePoint {
  Time: string;
  SuccessCount: number;
  FailureCount: number;
}

export interface VolumeGroup {
  Value: string;
  SuccessCount: number;
  FailureCount: number;
  Series: VolumePoint[];
}

export interface ApiCallVolumeResponse {
  GraphArn?: string;
  EntityType: string;
  EntityId: string;
  ScopeStartTime: string;
  ScopeEndTime: string;
  Granularity: Granularity;
  GroupBy?: GroupBy;
  SuccessCount: number;
  FailureCount: number;
  /** Buckets with no call are left out. Each bucket's Time is its start (UTC); the first and last may be cut by the scope. */
  Series: VolumePoint[];
  Groups?: VolumeGroup[];
  /**
   * Groups that rank after this page's last (MAX_GROUPS per page; their calls are still in Series and the
   * totals): the NextToken gives them.
   */
  OtherGroupCount?: number;
  NextToken?: string;
}

export class VolumeAccumulator {
  private readonly total: Series = new Map();
  private readonly groups = new Map<string, Series>();

  constructor(private readonly request: VolumeRequest) {}

  private bucket(timeMs: number): number {
    const size = BUCKET_MS[this.request.granularity];
    return Math.floor(timeMs / size) * size;
  }

  private static add(series: Series, bucket: number, calls: number, failures: number): void {
    const point = series.get(bucket) ?? [0, 0];
    point[0] += calls;
    point[1] += failures;
    series.set(bucket, point);
  }

  /** An hour item's minute counts, for a whole hour read without grouping or filter. */
  addMinutes(hour: string, minutes: Record<string, [number, number]>): void {
    const start = hourStartMs(hour);
    for (const [minute, [calls, failures]] of Object.entries(minutes)) {
      const time = start + Number(minute) * MINUTE_MS;
      if (time < this.request.fromMs || time >= this.request.toMs) continue;
      VolumeAccumulator.add(this.total, this.bucket(time), calls, failures);
    }
  }

  /** One call; it counts only inside the scope and the filter. */
  addCall(call: VolumeCall): void {
    const time = call.hourStart + call.event.t;
    if (time < this.request.fromMs || time >= this.request.toMs || !matchesFilter(call, this.request.filter)) return;
    const failed = call.event.e !== undefined ? 1 : 0;
    const bucket = this.bucket(time);
    VolumeAccumulator.add(this.total, bucket, 1, failed);
    if (!this.request.groupBy) return;
    const key = groupKey(call, this.request.groupBy);
    const series = this.groups.get(key) ?? new Map<number, [number, number]>();
    this.groups.set(key, series);
    VolumeAccumulator.add(series, bucket, 1, failed);
  }

  /** `after`: where the previous page ended (a NextToken's place); the groups ranking after it come next. */
  response(after?: PageCut): ApiCallVolumeResponse {
    const { request } = this;
    const totals = sumSeries(this.total);
    const groups = [...this.groups].map(([value, series]) => {
      const { calls, failures } = sumSeries(series);
      return { Value: value, SuccessCount: calls - failures, FailureCount: failures, series };
    });
    const { page, following } = rankedPage(groups, volumeGroupPlace, after);
    return {
      ...(request.graphArn ? { GraphArn: request.graphArn } : {}),
      EntityType: request.entity.type,
      EntityId: request.entity.id,
      ScopeStartTime: new Date(request.fromMs).toISOString(),
      ScopeEndTime: new Date(request.toMs).toISOString(),
      Granularity: request.granularity,
      ...(request.groupBy ? { GroupBy: request.groupBy } : {}),
      SuccessCount: totals.calls - totals.failures,
      FailureCount: totals.failures,
      Series: points(this.total),
      ...(request.groupBy
        ? {
            Groups: page.map(({ series, ...counts }) => ({ ...counts, Series: points(series) })),
            ...(following > 0 ? { OtherGroupCount: following } : {}),
          }
        : {}),
    };
  }
}

/** A call volume group's place in the ranking: the most calls first, then by value. */
export function volumeGroupPlace(group: Pick<VolumeGroup, 'Value' | 'SuccessCount' | 'FailureCount'>): GroupPlace {
  return { rank: [group.SuccessCount + group.FailureCount], value: group.Value };
}

function sumSeries(series: Series): { calls: number; failures: number } {
  let calls = 0;
  let failures = 0;
  for (const [c, f] of series.values()) {
    calls += c;
    failures += f;
  }
  return { calls, failures };
}

function points(series: Series): VolumePoint[] {
  return [...series]
    .sort((a, b) => a[0] - b[0])
    .map(([time, [calls, failures]]) => ({ Time: new Date(time).toISOString(), SuccessCount: calls - failures, FailureCount: failures }));
}

/** CSV rows of a volume answer: one per (group, bucket), or per bucket without grouping. */
export function volumeCsvRows(response: ApiCallVolumeResponse): { header: string[]; rows: (string | number)[][] } {
  if (!response.Groups) return { header: ['Time', 'SuccessCount', 'FailureCount'], rows: response.Series.map((p) => [p.Time, p.SuccessCount, p.FailureCount]) };
  return {
    header: ['Time', response.GroupBy ?? 'Group', 'SuccessCount', 'FailureCount'],
    rows: response.Groups.flatMap((g) => g.Series.map((p) => [p.Time, g.Value, p.SuccessCount, p.FailureCount])),
  };
}

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { call } from '../api';
import { downloadCsv } from '../csv-download';
import { EChart, type ChartOption } from './chart';
import { Table, type Column } from './table';
import type { Scope } from '../entities';

/**
 * What the volume panels share (API calls: volume-panel.tsx; VPC flows: flow-volume-panel.tsx): an even time
 * axis, the breadcrumb that walks back up a drill-down, and a level's groups as horizontal stacked bars with
 * the same rows as a sortable table whose values are buttons (the keyboard's way down, where a click on a
 * bar is the mouse's). Group values come from the logs: they are painted on the canvas or rendered as text.
 */
export const WIDTH = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const;
export type Granularity = keyof typeof WIDTH;

/** Every bucket from `scope.from` to `scope.to`, those without data made by `empty`, so the time axis is even. */
export function filled<P extends { Time: string }>(series: readonly P[], scope: Scope, granularity: Granularity, empty: (time: string) => P): P[] {
  const width = WIDTH[granularity];
  const byTime = new Map(series.map((p) => [Date.parse(p.Time), p]));
  const points: P[] = [];
  for (let t = Math.floor(Date.parse(scope.from) / width) * width; t < Date.parse(scope.to); t += width) points.push(byTime.get(t) ?? empty(new Date(t).toISOString()));
  return points;
}

/** A time bucket within the scope: [bucket, bucket + width) cut to the scope. */
export function bucketScope(bucket: string | undefined, scope: Scope, granularity: Granularity): Scope | undefined {
  if (!bucket) return undefined;
  const start = Date.parse(bucket);
  if (Number.isNaN(start)) return undefined;
  return { from: new Date(Math.max(start, Date.parse(scope.from))).toISOString(), to: new Date(Math.min(start + WIDTH[granularity], Date.parse(scope.to))).toISOString() };
}

/** The time axis's labels: `MM-DD HH:mm`. */
export const axisTime = (time: string) => time.slice(5, 16).replace('T', ' ');

export interface Crumb {
  label: ComponentChildren;
  /** Going back to this level; the current (last) level has none. */
  go?: () => void;
}

export function Breadcrumb({ crumbs, label = 'Drill-down' }: { crumbs: readonly Crumb[]; label?: string }) {
  return (
    <nav class="crumbs bar" aria-label={label}>
      {crumbs.map((crumb, i) =>
        crumb.go ? (
          <button key={i} type="button" onClick={crumb.go}>
            {crumb.label}
          </button>
        ) : (
          <span key={i} aria-current="location">
            {crumb.label}
          </span>
        ),
      )}
    </nav>
  );
}

export interface GroupSeries<G> {
  name: string;
  color: string;
  value: (group: G) => number;
}

interface GroupViewProps<G> {
  groups: readonly G[];
  /** The level's name: the table's label and its first column's title. */
  title: string;
  valueOf: (group: G) => string;
  /** The stacked bars (and the table's numeric columns, unless `columns` names them). */
  series: readonly GroupSeries<G>[];
  /** Further numeric columns of the table. */
  columns?: readonly Column<G>[];
  /** Opens a group's next level; a group it refuses (`canOpen`) is shown as plain text. */
  onOpen?: (group: G) => void;
  canOpen?: (group: G) => boolean;
}

/** Bars a group chart draws (the API's first, the largest); the table below lists every group of the answer. */
export const CHART_GROUPS = 20;

export function GroupView<G>({ groups, title, valueOf, series, columns = [], onOpen, canOpen = () => true }: GroupViewProps<G>) {
  const charted = groups.slice(0, CHART_GROUPS);
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    legend: { data: series.map((s) => s.name), top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
    yAxis: { type: 'category', inverse: true, data: charted.map(valueOf), axisLabel: { width: 220, overflow: 'truncate' } },
    xAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'groups', barMaxWidth: 28, data: charted.map(s.value), itemStyle: { color: s.color } })),
  };
  const open = (group: G | undefined) => group !== undefined && onOpen && canOpen(group) && onOpen(group);
  return (
    <>
      <EChart label={`${title}: ${series.map((s) => s.name).join(', ')}`} option={option} onClick={onOpen ? (click) => open(charted[click.dataIndex]) : undefined} />
      {groups.length > charted.length ? <p class="muted">The chart shows the first {CHART_GROUPS} of {groups.length}; the table lists them all.</p> : null}
      <Table
        label={title}
        rows={groups}
        columns={[
          {
            key: 'value',
            title,
            value: valueOf,
            cell: (g) =>
              onOpen && canOpen(g) ? (
                <button type="button" class="link" onClick={() => open(g)}>
                  {valueOf(g)}
                </button>
              ) : (
                valueOf(g)
              ),
          },
          ...series.map((s) => ({ key: s.name, title: s.name, value: s.value, numeric: true })),
          ...columns,
        ]}
      />
    </>
  );
}

/** A volume answer's groups page, as getApiCallVolume and getFlowVolume give it (100 groups per answer). */
export interface GroupPage<G> {
  Groups?: G[];
  /** Groups after this answer's; NextToken gives the next ones. */
  OtherGroupCount?: number;
  NextToken?: string;
}
/** Pages a CSV download follows at most (100 groups each). */
const MAX_CSV_PAGES = 50;

interface PagedGroupsProps<G> {
  first: GroupPage<G>;
  /** The route (`/graph/getApiCallVolume`, `/graph/getFlowVolume`) and the level's request, paged with NextToken. */
  path: string;
  request: { GroupBy?: string };
  fileName: string;
  /** The CSV's columns after the group's value: numeric members of a group. */
  csvColumns: readonly (keyof G & string)[];
  /** The `data-testid` of the "N groups, M more" line. */
  countTestId: string;
  view: (groups: G[]) => ComponentChildren;
}

/**
 * A drill-down level's groups: the first 100 of the answer, "More groups" for the next 100 (the API's
 * NextToken), and a CSV of every group of the level. Keyed by its request by the caller, so a new level
 * starts over. The CSV's cells go through the API's CSV rules (csv-download.ts): group values are log text.
 */
export function PagedGroups<G extends { Value: string }>({ first, path, request, fileName, csvColumns, countTestId, view }: PagedGroupsProps<G>) {
  const [page, setPage] = useState({ groups: first.Groups ?? [], token: first.NextToken, other: first.OtherGroupCount });
  const [status, setStatus] = useState('');
  const fail = (what: string, error: unknown) => setStatus(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  const more = async () => {
    setStatus('Loading more groups…');
    try {
      const next = await call<GroupPage<G>>(path, { ...request, NextToken: page.token });
      setPage({ groups: [...page.groups, ...(next.Groups ?? [])], token: next.NextToken, other: next.OtherGroupCount });
      setStatus('');
    } catch (error) {
      fail('More groups', error);
    }
  };
  const download = async () => {
    setStatus('Preparing CSV…');
    try {
      const all: G[] = [];
      let token: string | undefined;
      for (let pages = 0; pages < MAX_CSV_PAGES; pages++) {
        const answer = await call<GroupPage<G>>(path, token ? { ...request, NextToken: token } : request);
        all.push(...(answer.Groups ?? []));
        token = answer.NextToken;
        if (!token) break;
      }
      downloadCsv(fileName, [request.GroupBy ?? 'Group', ...csvColumns], all.map((g) => [g.Value, ...csvColumns.map((column) => Number(g[column]))]));
      setStatus('');
    } catch (error) {
      fail('CSV', error);
    }
  };
  return (
    <>
      <div class="bar">
        <span data-testid={countTestId}>
          {page.groups.length} groups{page.other ? `, ${page.other} more` : ''}
        </span>
        <button type="button" onClick={() => void download()}>
          Download CSV
        </button>
        {status ? <span class="muted">{status}</span> : null}
      </div>
      {view(page.groups)}
      {page.token ? (
        <button type="button" onClick={() => void more()}>
          More groups ({page.other} more)
        </button>
      ) : null}
    </>
  );
}

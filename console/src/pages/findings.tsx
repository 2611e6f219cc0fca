import { useState } from 'preact/hooks';
import { call, GRAPH_ARN } from '../api';
import { Show, useLoad } from '../components/async';
import { ScopePicker } from '../components/scope-picker';
import { Table } from '../components/table';
import { EntityLink, utc, type EntityType, type Scope } from '../entities';
import { href, navigate, type Params } from '../route';

/**
 * GuardDuty findings that arrived through the trigger (POST /graph/listFindings), newest first, each linking
 * to the investigation it started and to its entity's profile; scope and filters live in the URL. Every
 * string of a finding (type, title, skip reason) was written by whoever produced the event: Preact renders
 * it as text.
 */
export interface ListedFinding {
  FindingId: string;
  Type: string;
  Severity: number;
  Title?: string;
  AccountId: string;
  Region: string;
  Entity?: { EntityType?: EntityType; EntityArn: string };
  UpdatedAt: string;
  Outcome: 'STARTED' | 'SKIPPED' | 'PENDING';
  SkipReason?: string;
  InvestigationId?: string;
}

interface ListFindingsResponse {
  Findings: ListedFinding[];
  NextToken?: string;
}

const DAY = 86_400_000;
/** The list's default scope: the last 30 days (the route accepts up to 92). */
function scopeOfFindings(params: Params): Scope {
  if (params.from && params.to) return { from: params.from, to: params.to };
  const end = Math.ceil(Date.now() / DAY) * DAY;
  return { from: new Date(end - 30 * DAY).toISOString(), to: new Date(end).toISOString() };
}

const FILTERS = {
  severity: ['', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW'],
  outcome: ['', 'STARTED', 'SKIPPED', 'PENDING'],
} as const;

function requestOf(params: Params): Record<string, unknown> {
  const scope = scopeOfFindings(params);
  const filter: Record<string, unknown> = {};
  if (params.severity) filter.Severity = { Value: params.severity };
  if (params.outcome) filter.Outcome = { Value: params.outcome };
  if (params.type) filter.Type = { Value: params.type };
  return { GraphArn: GRAPH_ARN, ScopeStartTime: scope.from, ScopeEndTime: scope.to, MaxResults: 50, ...(Object.keys(filter).length ? { FilterCriteria: filter } : {}) };
}

/** GuardDuty's severity band of a score, for the badge's colour. */
function band(severity: number): string {
  return severity >= 9 ? 'CRITICAL' : severity >= 7 ? 'HIGH' : severity >= 4 ? 'MEDIUM' : 'LOW';
}

/** The profile's scope for a finding: the day before its update (a profile's scope is at most the API's longest). */
function profileScope(finding: ListedFinding): Scope {
  const end = Math.ceil(Date.parse(finding.UpdatedAt) / 3_600_000) * 3_600_000;
  return { from: new Date(end - DAY).toISOString(), to: new Date(end).toISOString() };
}

function Outcome({ finding }: { finding: ListedFinding }) {
  if (finding.Outcome === 'STARTED' && finding.InvestigationId) return <a href={href('investigation', { id: finding.InvestigationId })}>Investigation {finding.InvestigationId}</a>;
  if (finding.Outcome === 'SKIPPED') return <span>Skipped: {finding.SkipReason}</span>;
  return <span class="muted">Pending</span>;
}

export function FindingsPage({ params }: { params: Params }) {
  const scope = scopeOfFindings(params);
  const key = JSON.stringify(requestOf(params));
  const [pages, setPages] = useState<{ key: string; items: ListedFinding[]; token?: string }>({ key: '', items: [] });
  const [typeText, setTypeText] = useState(params.type ?? '');
  const loaded = useLoad(() => call<ListFindingsResponse>('/graph/listFindings', requestOf(params)), [key]);
  const set = (changes: Params) => navigate('findings', { ...params, ...changes });
  const more = async () => {
    const token = pages.key === key ? pages.token : loaded.state === 'ok' ? loaded.data.NextToken : undefined;
    if (!token) return;
    const page = await call<ListFindingsResponse>('/graph/listFindings', { ...requestOf(params), NextToken: token });
    setPages({ key, items: [...(pages.key === key ? pages.items : []), ...page.Findings], token: page.NextToken });
  };
  return (
    <>
      <h1>GuardDuty findings</h1>
      <ScopePicker key={`${scope.from}|${scope.to}`} scope={scope} onChange={(s) => set({ from: s.from, to: s.to })} />
      <form
        class="bar"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ type: typeText.trim() });
        }}
      >
        {(Object.keys(FILTERS) as (keyof typeof FILTERS)[]).map((name) => (
          <label key={name}>
            {name[0].toUpperCase() + name.slice(1)}
            <select name={name} value={params[name] ?? ''} onChange={(e) => set({ [name]: (e.target as HTMLSelectElement).value })}>
              {FILTERS[name].map((v) => (
                <option key={v} value={v}>
                  {v || 'any'}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label>
          Type starts with
          <input name="type" size={30} value={typeText} placeholder="e.g. Backdoor:EC2/" onInput={(e) => setTypeText((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Show loaded={loaded} empty={(d) => (d.Findings.length ? false : 'No GuardDuty finding arrived in this scope with these filters.')}>
        {(first) => {
          const rows = [...first.Findings, ...(pages.key === key ? pages.items : [])];
          const hasMore = pages.key === key ? !!pages.token : !!first.NextToken;
          return (
            <section class="panel" aria-label="Findings">
              <Table
                label="GuardDuty findings"
                rows={rows}
                columns={[
                  { key: 'updated', title: 'Updated', value: (r) => r.UpdatedAt, cell: (r) => utc(r.UpdatedAt) },
                  { key: 'severity', title: 'Severity', value: (r) => r.Severity, numeric: true, cell: (r) => <span class={`badge sev-${band(r.Severity)}`}>{r.Severity}</span> },
                  { key: 'type', title: 'Type', value: (r) => r.Type },
                  {
                    key: 'entity',
                    title: 'Entity',
                    value: (r) => r.Entity?.EntityArn,
                    cell: (r) => (r.Entity?.EntityType ? <EntityLink type={r.Entity.EntityType} id={r.Entity.EntityArn} scope={profileScope(r)} /> : (r.Entity?.EntityArn ?? '')),
                  },
                  { key: 'account', title: 'Account', value: (r) => r.AccountId, cell: (r) => <EntityLink type="AWS_ACCOUNT" id={r.AccountId} scope={profileScope(r)} /> },
                  { key: 'region', title: 'Region', value: (r) => r.Region },
                  { key: 'outcome', title: 'What the trigger did', value: (r) => r.Outcome, cell: (r) => <Outcome finding={r} /> },
                  { key: 'id', title: 'Finding id', value: (r) => r.FindingId },
                ]}
              />
              {hasMore ? (
                <button type="button" onClick={() => void more()}>
                  More
                </button>
              ) : null}
            </section>
          );
        }}
      </Show>
    </>
  );
}

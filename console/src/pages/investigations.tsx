import { useState } from 'preact/hooks';
import { call, GRAPH_ARN } from '../api';
import { Show, useLoad } from '../components/async';
import { Table } from '../components/table';
import { utc } from '../entities';
import { href, navigate, type Params } from '../route';

/** The investigations list (listInvestigations) with Detective's filters and sorts, all held in the URL. */
export interface InvestigationDetail {
  InvestigationId: string;
  Severity?: string;
  Status?: string;
  State?: string;
  CreatedTime?: string;
  EntityArn?: string;
  EntityType?: string;
}

const FILTERS = {
  severity: ['', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'],
  status: ['', 'RUNNING', 'SUCCESSFUL', 'FAILED'],
  state: ['', 'ACTIVE', 'ARCHIVED'],
} as const;

function requestOf(params: Params): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (params.severity) filter.Severity = { Value: params.severity };
  if (params.status) filter.Status = { Value: params.status };
  if (params.state) filter.State = { Value: params.state };
  if (params.entity) filter.EntityArn = { Value: params.entity };
  if (params.createdFrom || params.createdTo) filter.CreatedTime = { StartInclusive: params.createdFrom || '1970-01-01T00:00:00Z', EndInclusive: params.createdTo || new Date().toISOString() };
  return {
    GraphArn: GRAPH_ARN,
    MaxResults: 50,
    ...(Object.keys(filter).length ? { FilterCriteria: filter } : {}),
    SortCriteria: { Field: params.sort || 'CREATED_TIME', SortOrder: params.order || 'DESC' },
  };
}

export function InvestigationsPage({ params }: { params: Params }) {
  const [pages, setPages] = useState<{ key: string; items: InvestigationDetail[]; token?: string }>({ key: '', items: [] });
  const key = JSON.stringify(requestOf(params));
  const loaded = useLoad(() => call<{ InvestigationDetails: InvestigationDetail[]; NextToken?: string }>('/investigations/listInvestigations', requestOf(params)), [key]);
  const more = async () => {
    const token = pages.key === key ? pages.token : loaded.state === 'ok' ? loaded.data.NextToken : undefined;
    if (!token) return;
    const page = await call<{ InvestigationDetails: InvestigationDetail[]; NextToken?: string }>('/investigations/listInvestigations', { ...requestOf(params), NextToken: token });
    setPages({ key, items: [...(pages.key === key ? pages.items : []), ...page.InvestigationDetails], token: page.NextToken });
  };
  const set = (name: string, value: string) => navigate('investigations', { ...params, [name]: value });
  return (
    <>
      <h1>Investigations</h1>
      <form class="bar" aria-label="Filters and sort" onSubmit={(e) => e.preventDefault()}>
        {(Object.keys(FILTERS) as (keyof typeof FILTERS)[]).map((name) => (
          <label key={name}>
            {name[0].toUpperCase() + name.slice(1)}
            <select name={name} value={params[name] ?? ''} onChange={(e) => set(name, (e.target as HTMLSelectElement).value)}>
              {FILTERS[name].map((v) => (
                <option key={v} value={v}>
                  {v || 'any'}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label>
          Entity ARN
          <input name="entity" size={40} value={params.entity ?? ''} onChange={(e) => set('entity', (e.target as HTMLInputElement).value.trim())} />
        </label>
        <label>
          Created from (UTC)
          <input type="date" name="createdFrom" value={(params.createdFrom ?? '').slice(0, 10)} onChange={(e) => set('createdFrom', (e.target as HTMLInputElement).value ? `${(e.target as HTMLInputElement).value}T00:00:00Z` : '')} />
        </label>
        <label>
          Created to (UTC)
          <input type="date" name="createdTo" value={(params.createdTo ?? '').slice(0, 10)} onChange={(e) => set('createdTo', (e.target as HTMLInputElement).value ? `${(e.target as HTMLInputElement).value}T23:59:59Z` : '')} />
        </label>
        <label>
          Sort by
          <select name="sort" value={params.sort ?? 'CREATED_TIME'} onChange={(e) => set('sort', (e.target as HTMLSelectElement).value)}>
            <option value="CREATED_TIME">created time</option>
            <option value="SEVERITY">severity</option>
            <option value="STATUS">status</option>
          </select>
        </label>
        <label>
          Order
          <select name="order" value={params.order ?? 'DESC'} onChange={(e) => set('order', (e.target as HTMLSelectElement).value)}>
            <option value="DESC">descending</option>
            <option value="ASC">ascending</option>
          </select>
        </label>
      </form>
      <Show loaded={loaded} empty={(d) => (d.InvestigationDetails.length ? false : 'No investigation matches these filters.')}>
        {(first) => {
          const rows = [...first.InvestigationDetails, ...(pages.key === key ? pages.items : [])];
          const hasMore = pages.key === key ? !!pages.token : !!first.NextToken;
          return (
            <section class="panel" aria-label="Investigations">
              <Table
                label="Investigations"
                rows={rows}
                columns={[
                  { key: 'id', title: 'Investigation', value: (r) => r.InvestigationId, cell: (r) => <a href={href('investigation', { id: r.InvestigationId })}>{r.InvestigationId}</a> },
                  { key: 'severity', title: 'Severity', value: (r) => r.Severity, cell: (r) => <span class={`badge sev-${r.Severity ?? ''}`}>{r.Severity}</span> },
                  { key: 'entity', title: 'Entity', value: (r) => r.EntityArn },
                  { key: 'status', title: 'Status', value: (r) => r.Status },
                  { key: 'state', title: 'State', value: (r) => r.State },
                  { key: 'created', title: 'Created', value: (r) => r.CreatedTime, cell: (r) => utc(r.CreatedTime) },
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

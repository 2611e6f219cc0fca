import { useState } from 'preact/hooks';
import { call, callAll } from '../api';
import { downloadCsv } from '../csv-download';
import { Show, useLoad } from '../components/async';
import { ScopePicker } from '../components/scope-picker';
import { Table } from '../components/table';
import { ENTITY_TYPES, EntityLink, TYPE_LABELS, isEntityType, scopeOf, utc, type EntityType } from '../entities';
import { navigate, type Params } from '../route';

/** Search (searchEntities): a type, a query with `*` and `?` (an address also by CIDR), a scope. */
interface Entity {
  EntityType: EntityType;
  EntityId: string;
  DisplayName: string;
  FirstObservedTime: string;
  LastObservedTime: string;
  /** IP addresses: CLOUDTRAIL and/or VPC_FLOW_LOGS. */
  Sources?: string[];
}

export function SearchPage({ params }: { params: Params }) {
  const type: EntityType = isEntityType(params.type) ? params.type : 'IAM_ROLE';
  const query = params.q ?? '';
  const scope = scopeOf(params);
  const [draftType, setDraftType] = useState<string>(type);
  const [draftQuery, setDraftQuery] = useState(query);
  const [csvState, setCsvState] = useState('');
  const request = { EntityType: type, Query: query, ScopeStartTime: scope.from, ScopeEndTime: scope.to };
  const loaded = useLoad(async () => (query ? (await call<{ Entities: Entity[] }>('/graph/searchEntities', { ...request, MaxResults: 100 })).Entities : undefined), [type, query, scope.from, scope.to]);
  const go = (next: Params) => navigate('search', { type, q: query, from: scope.from, to: scope.to, ...next });
  const download = async () => {
    setCsvState('Preparing CSV…');
    try {
      // Every page of the results, written with the API's own CSV rules (RFC 4180, formula cells defused).
      const all = await callAll<Entity, 'Entities'>('/graph/searchEntities', { ...request, MaxResults: 100 }, 'Entities');
      const columns = ['EntityType', 'EntityId', 'DisplayName', 'FirstObservedTime', 'LastObservedTime'] as const;
      downloadCsv(`trailhound-${type.toLowerCase()}-search.csv`, columns, all.map((e) => columns.map((c) => e[c])));
      setCsvState('');
    } catch (error) {
      setCsvState(`CSV failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <>
      <h1>Search</h1>
      <form
        class="bar"
        aria-label="Search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ type: draftType, q: draftQuery.trim() });
        }}
      >
        <label>
          Entity type
          <select name="type" value={draftType} onChange={(e) => setDraftType((e.target as HTMLSelectElement).value)}>
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Query (* and ? wildcards; addresses also by CIDR)
          <input name="q" size={40} value={draftQuery} onInput={(e) => setDraftQuery((e.target as HTMLInputElement).value)} placeholder="e.g. *admin*, 192.168.0.0/16" />
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <ScopePicker scope={scope} onChange={(s) => go({ from: s.from, to: s.to })} />
      {!query ? (
        <p class="state empty">Enter a query: a name, an ARN, an address or a pattern.</p>
      ) : (
        <Show loaded={loaded} empty={(rows) => (rows?.length ? false : `No ${TYPE_LABELS[type].toLowerCase()} matches "${query}" in this scope.`)}>
          {(rows) => (
            <section class="panel" aria-label="Search results">
              <div class="bar">
                <span>{rows?.length} results</span>
                <button type="button" onClick={() => void download()}>
                  Download CSV
                </button>
                {csvState ? <span class="muted">{csvState}</span> : null}
              </div>
              <Table
                label="Search results"
                rows={rows ?? []}
                columns={[
                  { key: 'name', title: 'Name', value: (r) => r.DisplayName, cell: (r) => <EntityLink type={r.EntityType} id={r.EntityId} scope={scope}>{r.DisplayName}</EntityLink> },
                  { key: 'id', title: 'Id', value: (r) => r.EntityId },
                  { key: 'first', title: 'First observed', value: (r) => r.FirstObservedTime, cell: (r) => utc(r.FirstObservedTime) },
                  { key: 'last', title: 'Last observed', value: (r) => r.LastObservedTime, cell: (r) => utc(r.LastObservedTime) },
                  ...(type === 'IP_ADDRESS' ? [{ key: 'sources', title: 'Seen in', value: (r: Entity) => (r.Sources ?? []).map((source) => (source === 'VPC_FLOW_LOGS' ? 'VPC flow logs' : 'CloudTrail')).join(', ') }] : []),
                ]}
              />
            </section>
          )}
        </Show>
      )}
    </>
  );
}

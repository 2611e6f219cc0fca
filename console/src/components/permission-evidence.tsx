import { call, GRAPH_ARN } from '../api';
import { utc } from '../entities';
import { Panel, Show, useLoad } from './async';
import { Table } from './table';
import type { PermissionsInScope } from '../../../lambdas/core/iam/scope-report-types';

/**
 * The report's permissions section (issue 11, POST /investigations/listPermissionEvidence): for the investigated
 * entity and the roles of its chains, what they held during the scope and how complete that is, then each
 * permission fact (held when the scope began, or changed in it) with the raw CloudTrail event behind it. Every
 * string here comes from logs an attacker may write: rendered as text only.
 */
export interface PermissionFact {
  Fact: 'CHANGE' | 'HELD';
  EntityType: string;
  AccountId: string;
  Name: string;
  Kind: string;
  Says: string;
  EventId?: string;
  EventTime?: string;
  Origin: string;
  OriginTime?: string;
  Event?: { RecordStatus: string; Record?: unknown };
}

/** What the route gives for each entity: its permissions during the scope, without the changes (they are the facts). */
type EntityPermissions = Omit<PermissionsInScope, 'Changes'>;

interface Page {
  Entities: EntityPermissions[];
  TotalCount: number;
  Facts: PermissionFact[];
  NextToken?: string;
}

/** Pages read at most (50 facts each): an investigation of ten entities rarely has more than a few dozen. */
const MAX_PAGES = 10;

async function loadAll(id: string): Promise<Page> {
  let first: Page | undefined;
  const facts: PermissionFact[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await call<Page>('/investigations/listPermissionEvidence', { GraphArn: GRAPH_ARN, InvestigationId: id, MaxResults: 50, ...(token ? { NextToken: token } : {}) });
    first ??= answer;
    facts.push(...answer.Facts);
    token = answer.NextToken;
    if (!token) break;
  }
  return { ...first!, Facts: facts };
}

const existence = (value: boolean | null) => (value === null ? 'not known' : value ? 'yes' : 'no');

export function PermissionEvidence({ id }: { id: string }) {
  const loaded = useLoad(() => loadAll(id), [id]);
  return (
    <Panel title="Permissions during the scope">
      <Show loaded={loaded}>
        {(d) => (
          <>
            <Table
              label="Permissions held"
              rows={d.Entities}
              columns={[
                { key: 'entity', title: 'Entity', value: (e) => `${e.EntityType.toLowerCase()} ${e.Name}` },
                { key: 'start', title: 'Existed at start', value: (e) => existence(e.ExistedAtStart) },
                { key: 'end', title: 'Exists at end', value: (e) => existence(e.ExistsAtEnd) },
                { key: 'policies', title: 'Policies held', value: (e) => [...e.AttachedPolicies, ...e.InlinePolicies.map((name) => `inline ${name}`), ...e.PermissionsBoundaries.map((arn) => `boundary ${arn}`)].join(', ') },
                { key: 'external', title: 'Trusted outside the account', value: (e) => e.ExternalPrincipals.map((p) => `${p.Principal} (${p.Flags.join(', ')})`).join(', ') },
                { key: 'changes', title: 'Changes in scope', value: (e) => e.ChangesInScope },
                { key: 'coverage', title: 'Coverage', value: (e) => (e.Coverage === 'FULL' ? 'FULL' : `PARTIAL: ${e.CoverageReason}`) },
              ]}
            />
            {d.Facts.length ? (
              <>
                <p class="muted">
                  {d.Facts.length} of {d.TotalCount} permission facts, each with the event behind it
                </p>
                <Table
                  label="Permission facts"
                  rows={d.Facts}
                  columns={[
                    { key: 'time', title: 'Time', value: (f) => f.EventTime ?? f.OriginTime, cell: (f) => (f.EventTime ?? f.OriginTime ? utc((f.EventTime ?? f.OriginTime)!) : '') },
                    { key: 'fact', title: 'Fact', value: (f) => (f.Fact === 'HELD' ? 'held at start' : 'changed') },
                    { key: 'says', title: 'What', value: (f) => f.Says },
                    { key: 'id', title: 'Event id', value: (f) => f.EventId ?? `from ${f.Origin.toLowerCase()}` },
                    {
                      key: 'record',
                      title: 'Record',
                      value: (f) => f.Event?.RecordStatus ?? '',
                      cell: (f) =>
                        f.Event?.Record ? (
                          <details>
                            <summary>{f.Event.RecordStatus}</summary>
                            <pre>{JSON.stringify(f.Event.Record, null, 2)}</pre>
                          </details>
                        ) : (
                          (f.Event?.RecordStatus ?? (f.EventId ? 'not found' : ''))
                        ),
                    },
                  ]}
                />
              </>
            ) : (
              <p class="state empty">No IAM change and no permission known for these entities in the scope.</p>
            )}
          </>
        )}
      </Show>
    </Panel>
  );
}

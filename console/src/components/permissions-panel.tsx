import { useState } from 'preact/hooks';
import { call, GRAPH_ARN } from '../api';
import { utc, type Scope } from '../entities';
import { Panel, Show, useLoad } from './async';
import { Table } from './table';
import type { PermissionsAtTime } from '../../../lambdas/core/iam/types';

/**
 * A role's or user's permissions at the end of the profile's scope (POST /graph/getPermissions, issue 11):
 * policies, trust policy principals with those outside the account flagged, groups, boundary, credentials,
 * how complete the answer is, and the timeline of IAM changes up to that moment. Policy documents and
 * principals come from logs (an attacker may write them): rendered as text only.
 */
/** The route's answer, in its own type: the console reads what the server writes. */
export type Permissions = PermissionsAtTime;

interface TrustRow {
  Kind: string;
  Principal: string;
  Flags: string;
}

/** The Allow principals of a trust policy's text (it was parsed and bounded by the server; still only read here). */
function trustPrincipals(text: string | null): { Kind: string; Principal: string }[] {
  if (!text) return [];
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    return [];
  }
  const statements = (policy as { Statement?: unknown }).Statement;
  const found: { Kind: string; Principal: string }[] = [];
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (!statement || typeof statement !== 'object' || (statement as { Effect?: unknown }).Effect !== 'Allow') continue;
    const principal = (statement as { Principal?: unknown }).Principal;
    if (principal === '*') found.push({ Kind: '*', Principal: '*' });
    else if (principal && typeof principal === 'object') {
      for (const [kind, values] of Object.entries(principal)) for (const value of Array.isArray(values) ? values : [values]) found.push({ Kind: kind, Principal: String(value) });
    }
  }
  return found;
}

function trustRows(permissions: Permissions): TrustRow[] {
  const external = new Map(permissions.ExternalPrincipals.map((p) => [p.Principal, p]));
  const rows: TrustRow[] = trustPrincipals(permissions.TrustPolicy).map((p) => ({ ...p, Flags: external.get(p.Principal)?.Flags.join(', ') ?? '' }));
  // External principals the text did not show (a document kept without its text): still listed.
  for (const p of permissions.ExternalPrincipals) if (!rows.some((r) => r.Principal === p.Principal)) rows.push({ Kind: p.Kind, Principal: p.Principal, Flags: p.Flags.join(', ') });
  return rows;
}

function Items({ label, items }: { label: string; items: string[] }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-fact={label}>{items.length ? items.join(', ') : 'none'}</dd>
    </>
  );
}

export function PermissionsPanel({ type, arn, scope }: { type: 'IAM_ROLE' | 'IAM_USER'; arn: string; scope: Scope }) {
  // The moment shown: the scope's end, or the moment just after a change picked in the timeline (a role deleted
  // by the scope's end would otherwise show nothing of what it could do while it existed).
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const at = picked ?? scope.to;
  const loaded = useLoad(() => call<Permissions>('/graph/getPermissions', { GraphArn: GRAPH_ARN, EntityType: type, EntityId: arn, AtTime: at }), [type, arn, at]);
  return (
    <Panel title={`Permissions at ${utc(at)}`} id="permissions">
      <Show loaded={loaded}>
        {(p) => (
          <>
            {picked ? (
              <p>
                Just after the change of {utc(picked)}.{' '}
                <button type="button" onClick={() => setPicked(undefined)}>
                  Back to the scope's end
                </button>
              </p>
            ) : null}
            <p data-coverage={p.Coverage}>
              <span class={`badge${p.Coverage === 'FULL' ? '' : ' new'}`}>Coverage {p.Coverage}</span> {p.CoverageReason}
              {p.Exists === false ? ' It does not exist at this moment.' : p.Exists === null ? ' Whether it exists is not known.' : ''}
            </p>
            <dl class="facts">
              <Items label="Attached policies" items={p.AttachedPolicies.map((a) => a.PolicyArn)} />
              <Items label="Inline policies" items={p.InlinePolicies.map((i) => i.PolicyName)} />
              {type === 'IAM_USER' ? <Items label="Groups" items={p.Groups.map((g) => g.GroupName)} /> : null}
              <Items label="Permissions boundary" items={p.PermissionsBoundary ? [p.PermissionsBoundary.PolicyArn] : []} />
              {type === 'IAM_USER' ? (
                <>
                  <Items label="Access keys" items={p.AccessKeys.map((k) => `${k.AccessKeyId} (${k.Status})`)} />
                  <Items label="Console password" items={p.LoginProfile ? [`since ${utc(p.LoginProfile.CreatedAt) || 'an unknown time'}`] : []} />
                  {p.CredentialsCoverage ? <Items label="Credentials coverage" items={[p.CredentialsCoverage]} /> : null}
                </>
              ) : null}
            </dl>
            {type === 'IAM_ROLE' ? (
              <>
                <h3>Who may assume it (trust policy)</h3>
                {trustRows(p).length ? (
                  <Table
                    label="Trust policy principals"
                    rows={trustRows(p)}
                    columns={[
                      { key: 'kind', title: 'Kind', value: (r) => r.Kind },
                      { key: 'principal', title: 'Principal', value: (r) => r.Principal },
                      { key: 'flags', title: 'Outside the account', value: (r) => r.Flags, cell: (r) => (r.Flags ? <span class="badge new" data-external={r.Principal}>{r.Flags}</span> : '') },
                    ]}
                  />
                ) : (
                  <p class="state empty">No trust policy known at this moment.</p>
                )}
              </>
            ) : null}
            {p.InlinePolicies.map((i) => (
              <details key={i.PolicyName}>
                <summary>Inline policy {i.PolicyName}</summary>
                <pre>{i.PolicyDocument ?? '(document not kept)'}</pre>
              </details>
            ))}
            <h3>Changes up to this moment</h3>
            {p.Changes.length ? (
              <Table
                label="IAM changes"
                rows={p.Changes}
                columns={[
                  { key: 'time', title: 'Time', value: (c) => c.Time, cell: (c) => utc(c.Time) },
                  { key: 'event', title: 'Event', value: (c) => c.EventName },
                  { key: 'by', title: 'By', value: (c) => c.By },
                  { key: 'ok', title: 'Succeeded', value: (c) => c.Succeeded, cell: (c) => (c.Succeeded ? '✓' : `✗ ${c.ErrorCode ?? ''}`) },
                  { key: 'session', title: 'Session', value: (c) => c.Session },
                  { key: 'ip', title: 'Source IP', value: (c) => c.SourceIp },
                  {
                    key: 'then',
                    title: 'State',
                    value: (c) => c.Time,
                    cell: (c) => (
                      <button type="button" data-state-at={c.Time} onClick={() => setPicked(c.Time)}>
                        after this
                      </button>
                    ),
                  },
                ]}
              />
            ) : (
              <p class="state empty">No IAM change of it is in the logs up to this moment.</p>
            )}
            {p.ChangesTrimmed ? <p class="muted">{p.ChangesTrimmed} older changes are folded into the state above.</p> : null}
          </>
        )}
      </Show>
    </Panel>
  );
}

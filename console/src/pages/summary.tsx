import { call } from '../api';
import { Panel, Show, useLoad } from '../components/async';
import { EChart, sparklineOption } from '../components/chart';
import { ScopePicker } from '../components/scope-picker';
import { Table } from '../components/table';
import { EntityLink, principalEntityType, scopeOf, utc, type Scope } from '../entities';
import { href, navigate, type Params } from '../route';
import { LinkedRows } from './entity';

/** Detective's summary page: one 24-hour window (getSummary), its panels side by side. */
interface TopPrincipal {
  Principal: string;
  PrincipalType: string;
  PrincipalArn?: string;
  Accounts: string[];
  Calls: number;
  FailedCalls: number;
  ServiceLinked: boolean;
  Timeline: { Day: string; Calls: number; FailedCalls: number }[];
}
interface Summary {
  Accounts: string[];
  Investigations: { Total: number; BySeverity: Record<string, number>; ByStatus: Record<string, number> };
  NewGeolocations: { AccountsWithoutMatureBaseline?: string[]; Geolocations: Record<string, unknown>[] };
  TopRoles: TopPrincipal[];
  TopUsers: TopPrincipal[];
  TopInstances: { InstanceId: string; Roles: string[]; Sessions: number; Calls: number; FailedCalls: number }[];
  /** Absent where the deployment reads no VPC flow logs. */
  TopTrafficInstances?: TrafficInstance[];
}
interface TrafficInstance {
  EntityId: string;
  InstanceId?: string;
  Interfaces: string[];
  AccountId: string;
  BytesIn: number;
  BytesOut: number;
  BytesUnknownDirection: number;
  RejectedFlows: number;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

export function SummaryPage({ params }: { params: Params }) {
  const scope = scopeOf(params);
  const hide = params.hideServiceLinked === 'true';
  const loaded = useLoad(() => call<Summary>('/graph/getSummary', { ScopeStartTime: scope.from, ScopeEndTime: scope.to, HideServiceLinkedRoles: hide }), [scope.from, scope.to, hide]);
  const go = (next: Params) => navigate('summary', { from: scope.from, to: scope.to, ...(hide ? { hideServiceLinked: 'true' } : {}), ...next });
  const principals = (rows: TopPrincipal[], label: string) => (
    <Table
      label={label}
      rows={rows}
      initialSort={{ key: 'calls', descending: true }}
      columns={[
        {
          key: 'name',
          title: 'Principal',
          value: (r) => r.Principal,
          cell: (r) => {
            const type = principalEntityType(r.PrincipalType);
            return type && r.PrincipalArn ? <EntityLink type={type} id={r.PrincipalArn} scope={scope}>{r.Principal}</EntityLink> : r.Principal;
          },
        },
        { key: 'accounts', title: 'Accounts', value: (r) => r.Accounts.join(', ') },
        { key: 'calls', title: 'API calls', value: (r) => r.Calls, numeric: true },
        { key: 'failed', title: 'Failed', value: (r) => r.FailedCalls, numeric: true },
        { key: 'spark', title: '7 days', value: (r) => r.Timeline.reduce((a, d) => a + d.Calls, 0), cell: (r) => <EChart class="spark" label={`7-day calls of ${r.Principal}`} option={sparklineOption(r.Timeline.map((d) => d.Calls))} /> },
      ]}
    />
  );
  return (
    <>
      <h1>Summary</h1>
      <ScopePicker scope={scope} maxHours={24} withinRetention onChange={(s) => go({ from: s.from, to: s.to })} />
      <label class="bar">
        <span>
          <input type="checkbox" checked={hide} onChange={(e) => go({ hideServiceLinked: (e.target as HTMLInputElement).checked ? 'true' : '' })} /> Hide service-linked roles
        </span>
      </label>
      <Show loaded={loaded}>
        {(s) => (
          <div class="grid">
            <Panel title="Investigations by severity">
              <p>
                {s.Investigations.Total} investigations created from {utc(scope.from)} to {utc(scope.to)}.
              </p>
              <table aria-label="Investigations by severity">
                <tbody>
                  {SEVERITIES.map((severity) => (
                    <tr key={severity}>
                      <td>
                        <a href={href('investigations', { severity })}>
                          <span class={`badge sev-${severity}`}>{severity}</span>
                        </a>
                      </td>
                      <td class="num">{s.Investigations.BySeverity[severity] ?? 0}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Panel>
            <Panel title="Newly observed geolocations">
              {s.NewGeolocations.Geolocations.length === 0 ? (
                <p class="state empty">
                  No new geolocation.
                  {s.NewGeolocations.AccountsWithoutMatureBaseline?.length ? ` Accounts without a 14-day baseline yet: ${s.NewGeolocations.AccountsWithoutMatureBaseline.join(', ')}.` : ''}
                </p>
              ) : (
                <LinkedRows rows={s.NewGeolocations.Geolocations} label="Newly observed geolocations" scope={scope} />
              )}
            </Panel>
            <Panel title="Roles with the most API calls">{s.TopRoles.length ? principals(s.TopRoles, 'Top roles') : <p class="state empty">No role made calls in this window.</p>}</Panel>
            <Panel title="Users with the most API calls">{s.TopUsers.length ? principals(s.TopUsers, 'Top users') : <p class="state empty">No user made calls in this window.</p>}</Panel>
            <Panel title="EC2 instances by API calls">
              {s.TopInstances.length ? (
                <Table
                  label="Top EC2 instances"
                  rows={s.TopInstances}
                  initialSort={{ key: 'calls', descending: true }}
                  columns={[
                    { key: 'id', title: 'Instance', value: (r) => r.InstanceId, cell: (r) => <EntityLink type="EC2_INSTANCE" id={r.InstanceId} scope={scope} /> },
                    { key: 'roles', title: 'Instance-profile roles', value: (r) => r.Roles.join(', '), cell: (r) => r.Roles.map((arn) => <div key={arn}><EntityLink type="IAM_ROLE" id={arn} scope={scope} /></div>) },
                    { key: 'sessions', title: 'Sessions', value: (r) => r.Sessions, numeric: true },
                    { key: 'calls', title: 'API calls', value: (r) => r.Calls, numeric: true },
                    { key: 'failed', title: 'Failed', value: (r) => r.FailedCalls, numeric: true },
                  ]}
                />
              ) : (
                <p class="state empty">No instance made calls in this window.</p>
              )}
            </Panel>
            <TrafficPanel instances={s.TopTrafficInstances} scope={scope} />
          </div>
        )}
      </Show>
    </>
  );
}

/** "EC2 instances by activity", the traffic side: the instances (or interfaces) with the most VPC flow bytes. */
function TrafficPanel({ instances, scope }: { instances: TrafficInstance[] | undefined; scope: Scope }) {
  const total = (r: TrafficInstance) => r.BytesIn + r.BytesOut + r.BytesUnknownDirection;
  return (
    <Panel title="EC2 instances by VPC flow traffic">
      {!instances ? (
        <p class="state empty">This deployment reads no VPC flow logs.</p>
      ) : instances.length === 0 ? (
        <p class="state empty">No VPC flow traffic in this window.</p>
      ) : (
        <Table
          label="Top EC2 instances by traffic"
          rows={instances}
          initialSort={{ key: 'bytes', descending: true }}
          columns={[
            {
              key: 'id',
              title: 'Instance or interface',
              value: (r) => r.EntityId,
              cell: (r) => (r.InstanceId ? <EntityLink type="EC2_INSTANCE" id={r.InstanceId} scope={scope} /> : `${r.EntityId} (no instance known)`),
            },
            { key: 'account', title: 'Account', value: (r) => r.AccountId },
            { key: 'in', title: 'Bytes in', value: (r) => r.BytesIn, numeric: true },
            { key: 'out', title: 'Bytes out', value: (r) => r.BytesOut, numeric: true },
            { key: 'bytes', title: 'Bytes', value: total, numeric: true },
            { key: 'rejected', title: 'Rejected flows', value: (r) => r.RejectedFlows, numeric: true },
          ]}
        />
      )}
    </Panel>
  );
}

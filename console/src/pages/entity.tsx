import { useMemo, useState } from 'preact/hooks';
import { call, GRAPH_ARN } from '../api';
import { errorText, Panel, Show, useLoad } from '../components/async';
import { ChainGraph, type ChainEdge, type ChainNode } from '../components/chain-graph';
import { PermissionsPanel } from '../components/permissions-panel';
import { NetworkPanel } from '../components/network-panel';
import { ScopePicker } from '../components/scope-picker';
import { FlowPeersPanel } from '../components/flow-peers-panel';
import { FlowVolumePanel } from '../components/flow-volume-panel';
import { display, Table } from '../components/table';
import { VolumePanel, VOLUME_TYPES } from '../components/volume-panel';
import { isEntityType, LINKED_COLUMNS, principalEntityType, profileHref, scopeOf, TYPE_LABELS, utc, type EntityType, type Scope } from '../entities';
import { href, navigate, type Params } from '../route';

/**
 * An entity's profile (getEntityProfile): volume with drill-down, new behaviour and geolocation, the role-chain
 * graph, and every list the profile returns as a table. Tables are drawn from whatever arrays the response
 * holds, so a panel the server adds later (permissions, flows) appears without a change here.
 */
type Profile = Record<string, unknown>;
interface Session {
  SessionId: string;
  SessionName?: string;
  RoleArn: string;
  ParentSessionId?: string;
  RootPrincipal?: string;
  RootPrincipalType?: string;
  Caller?: string;
}

export function EntityPage({ params }: { params: Params }) {
  const scope = scopeOf(params);
  const type = params.type;
  const id = params.id ?? '';
  const loaded = useLoad(
    () => (isEntityType(type) && id ? call<Profile>('/graph/getEntityProfile', { EntityType: type, EntityId: id, ScopeStartTime: scope.from, ScopeEndTime: scope.to }) : Promise.reject(new Error('The link names no entity (type and id).'))),
    [type, id, scope.from, scope.to],
  );
  if (!isEntityType(type)) return <p class="state error">Unknown entity type.</p>;
  const go = (next: Params) => navigate('entity', { type, id, from: scope.from, to: scope.to, ...next });
  const volume = (volumeId: string) => (
    <VolumePanel type={type} id={volumeId} scope={scope} drill={{ bucket: params.bucket, ip: params.ip, api: params.api }} onDrill={(drill) => go({ bucket: drill.bucket ?? '', ip: drill.ip ?? '', api: drill.api ?? '' })} />
  );
  // The flow drill-down's keys are its own: an instance shows the API volume's drill-down too.
  const flows = type === 'EC2_INSTANCE' || type === 'IP_ADDRESS' ? (
    <FlowVolumePanel type={type} id={id} scope={scope} drill={{ bucket: params.fbucket, peer: params.fpeer, port: params.fport }} onDrill={(drill) => go({ fbucket: drill.bucket ?? '', fpeer: drill.peer ?? '', fport: drill.port ?? '' })} />
  ) : null;
  return (
    <>
      <h1>
        <span class="muted">{TYPE_LABELS[type]}</span> {id}
      </h1>
      <ScopePicker scope={scope} withinRetention onChange={(s) => go({ from: s.from, to: s.to })} />
      {type === 'IAM_ROLE' || type === 'IAM_USER' ? <InvestigateButton arn={id} scope={scope} /> : null}
      {/* The volume is asked at once, beside the profile; only a role session's needs its profile first (its ARN). */}
      {VOLUME_TYPES.includes(type) && type !== 'ROLE_SESSION' ? volume(id) : null}
      {type === 'EC2_INSTANCE' ? flows : null}
      <Show loaded={loaded}>
        {(profile) => (
          <>
            {type === 'ROLE_SESSION' ? volume(volumeIdOf(type, id, profile)) : null}
            <Facts profile={profile} />
            <BehaviourPanel profile={profile} />
            <ChainPanel type={type} id={id} profile={profile} scope={scope} />
            {type === 'IAM_ROLE' || type === 'IAM_USER' ? <PermissionsPanel type={type} arn={id} scope={scope} /> : null}
            {type === 'EC2_INSTANCE' && /^i-[0-9a-f]{8,17}$/.test(id) ? <NetworkPanel instanceId={id} scope={scope} /> : null}
            {/* An address's two sides together: the instances it exchanged traffic with, the principals that called from it. */}
            {type === 'IP_ADDRESS' ? <FlowPeersPanel profile={profile} scope={scope} /> : null}
            {type === 'IP_ADDRESS' ? relationPanel(['Principals', (profile.Principals ?? []) as Record<string, unknown>[]], scope) : null}
            <RelationshipTables profile={profile} scope={scope} omit={type === 'IP_ADDRESS' ? ['Principals'] : []} />
            {type === 'IP_ADDRESS' ? flows : null}
          </>
        )}
      </Show>
    </>
  );
}

/** A role session's volume is asked by its assumed-role ARN; its profile by its access key. */
function volumeIdOf(type: EntityType, id: string, profile: Profile): string {
  const session = profile.Session as Session | undefined;
  if (type !== 'ROLE_SESSION' || !session?.SessionName) return id;
  const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(session.RoleArn);
  return match ? `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/${session.SessionName}` : id;
}

function InvestigateButton({ arn, scope }: { arn: string; scope: Scope }) {
  const [state, setState] = useState('');
  const start = async () => {
    setState('Starting…');
    try {
      const { InvestigationId } = await call<{ InvestigationId: string }>('/investigations/startInvestigation', { GraphArn: GRAPH_ARN, EntityArn: arn, ScopeStartTime: scope.from, ScopeEndTime: scope.to });
      navigate('investigation', { id: InvestigationId });
    } catch (error) {
      setState(errorText(error));
    }
  };
  return (
    <div class="bar">
      <button type="button" class="primary" onClick={() => void start()}>
        Investigate this scope
      </button>
      {state ? <span role="status">{state}</span> : null}
    </div>
  );
}

/** The profile's single values (address details, totals, flags), as a definition list. */
function Facts({ profile }: { profile: Profile }) {
  // Flows: the flow panels show them (totals and drill-down; an address's instances).
  const skip = new Set(['EntityType', 'EntityId', 'ScopeStartTime', 'ScopeEndTime', 'NewBehavior', 'ApiCallVolume', 'Flows']);
  const entries: [string, string][] = [];
  const add = (prefix: string, value: unknown) => {
    if (Array.isArray(value)) {
      if (value.every((v) => typeof v !== 'object')) entries.push([prefix, value.map(display).join(', ')]);
      return;
    }
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${prefix} ${k}`, v);
    else entries.push([prefix, display(value)]);
  };
  // Lists of objects, and empty lists, are the relationship tables' (below).
  for (const [key, value] of Object.entries(profile)) if (!skip.has(key) && !(Array.isArray(value) && (value.length === 0 || value.some((v) => typeof v === 'object')))) add(key, value);
  const volume = profile.ApiCallVolume as { Calls?: number; FailedCalls?: number } | undefined;
  if (volume?.Calls !== undefined) entries.unshift(['API calls (failed)', `${display(volume.Calls)} (${display(volume.FailedCalls)})`]);
  if (entries.length === 0) return null;
  return (
    <Panel title="Details">
      <dl class="facts">
        {entries.map(([k, v]) => (
          <>
            <dt key={`t${k}`}>{k}</dt>
            <dd key={`d${k}`} data-fact={k}>
              {v}
            </dd>
          </>
        ))}
      </dl>
    </Panel>
  );
}

/** New behaviour against the 45-day baseline: each list with its new-ness flag, or why there is none. */
function BehaviourPanel({ profile }: { profile: Profile }) {
  const behaviour = profile.NewBehavior as (Record<string, unknown> & { SkippedReason?: string; BaselineStartTime?: string; BaselineEndTime?: string }) | undefined;
  if (!behaviour) return null;
  const lists = Object.entries(behaviour).filter((e): e is [string, Record<string, unknown>[]] => Array.isArray(e[1]));
  return (
    <Panel title="Geolocations and new behaviour">
      <p class="muted">
        Baseline {utc(behaviour.BaselineStartTime)} to {utc(behaviour.BaselineEndTime)}. {behaviour.SkippedReason ? `Not compared: ${behaviour.SkippedReason}.` : ''}
      </p>
      {lists.map(([name, rows]) => (
        <div key={name}>
          <h3>
            {name} <span class={`badge${rows.length ? ' new' : ''}`}>{rows.length ? `${rows.length} new` : 'none new'}</span>
          </h3>
          {rows.length ? <LinkedRows rows={rows} label={name} /> : null}
        </div>
      ))}
    </Panel>
  );
}

function ChainPanel({ type, id, profile, scope }: { type: EntityType; id: string; profile: Profile; scope: Scope }) {
  // Memoised: a new graph only for a new profile, not on every render.
  const graph = useMemo(() => chainOf(type, id, profile, scope), [type, id, profile, scope.from, scope.to]);
  if (!graph) return null;
  return (
    <Panel title="Role chains">
      {graph.nodes.length > 1 ? <ChainGraph nodes={graph.nodes} edges={graph.edges} /> : <p class="state empty">No role session in this scope.</p>}
    </Panel>
  );
}

function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Root principal → sessions (through their parents) → roles, from the profile's session lists. */
export function chainOf(type: EntityType, id: string, profile: Profile, scope: Scope): { nodes: ChainNode[]; edges: ChainEdge[] } | undefined {
  let sessions: Session[];
  if (type === 'IAM_USER' || type === 'IAM_ROLE' || type === 'FEDERATED_USER') sessions = (profile.RoleSessions ?? profile.Sessions ?? []) as Session[];
  else if (type === 'ROLE_SESSION') sessions = [...((profile.Ancestors ?? []) as Session[]), profile.Session as Session, ...((profile.Descendants ?? []) as Session[])].filter(Boolean);
  else return undefined;
  const nodes = new Map<string, ChainNode>();
  const edges: ChainEdge[] = [];
  const users = new Map<string, string>();
  for (const user of (profile.RoleUsers ?? []) as { Principal: string; PrincipalType: string; PrincipalArn?: string }[]) if (user.PrincipalArn && principalEntityType(user.PrincipalType)) users.set(user.Principal, profileHref(principalEntityType(user.PrincipalType) as EntityType, user.PrincipalArn, scope));
  const root = profile.RootPrincipal as { Principal: string; PrincipalType: string; PrincipalArn?: string } | undefined;
  if (root?.PrincipalArn && principalEntityType(root.PrincipalType)) users.set(root.Principal, profileHref(principalEntityType(root.PrincipalType) as EntityType, root.PrincipalArn, scope));
  const rootOf = (s: Session): string => {
    if (type === 'IAM_USER' || type === 'FEDERATED_USER') {
      const name = type === 'IAM_USER' ? roleName(id) : id;
      nodes.set('root', { id: 'root', label: name, kind: 'principal', href: profileHref(type, id, scope) });
      return 'root';
    }
    const name = s.RootPrincipal ?? root?.Principal ?? s.Caller ?? 'unknown principal';
    nodes.set(`root:${name}`, { id: `root:${name}`, label: name, kind: 'principal', ...(users.get(name) ? { href: users.get(name) } : {}) });
    return `root:${name}`;
  };
  const ids = new Set(sessions.map((s) => s.SessionId));
  for (const s of sessions) {
    nodes.set(`s:${s.SessionId}`, { id: `s:${s.SessionId}`, label: s.SessionName ?? s.SessionId, kind: 'session', href: profileHref('ROLE_SESSION', s.SessionId, scope) });
    nodes.set(`r:${s.RoleArn}`, { id: `r:${s.RoleArn}`, label: roleName(s.RoleArn), kind: 'role', href: profileHref('IAM_ROLE', s.RoleArn, scope) });
    edges.push({ from: s.ParentSessionId && ids.has(s.ParentSessionId) ? `s:${s.ParentSessionId}` : rootOf(s), to: `s:${s.SessionId}` });
    edges.push({ from: `s:${s.SessionId}`, to: `r:${s.RoleArn}` });
  }
  return { nodes: [...nodes.values()], edges };
}

function relationPanel([name, rows]: [string, Record<string, unknown>[]], scope: Scope) {
  return (
    <Panel key={name} title={name}>
      {rows.length ? <LinkedRows rows={rows} label={name} scope={scope} /> : <p class="state empty">None in this scope.</p>}
    </Panel>
  );
}

function RelationshipTables({ profile, scope, omit }: { profile: Profile; scope: Scope; omit: readonly string[] }) {
  const lists = Object.entries(profile).filter((e): e is [string, Record<string, unknown>[]] => !omit.includes(e[0]) && Array.isArray(e[1]) && (e[1].length === 0 || e[1].some((v) => v && typeof v === 'object')));
  const volume = profile.ApiCallVolume as Record<string, unknown> | undefined;
  const volumeLists = volume ? Object.entries(volume).filter((e): e is [string, Record<string, unknown>[]] => e[0] !== 'Hourly' && Array.isArray(e[1]) && e[1].length > 0) : [];
  const panel = (list: [string, Record<string, unknown>[]]) => relationPanel(list, scope);
  // The profile's own lists are wide (sessions, users): full width; the volume's top-10 lists side by side.
  return (
    <>
      {lists.map(panel)}
      <div class="grid">{volumeLists.map(panel)}</div>
    </>
  );
}

/** A list of objects as a sortable table; ids, ARNs and addresses open their profiles. */
export function LinkedRows({ rows, label, scope }: { rows: Record<string, unknown>[]; label: string; scope?: Scope }) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => rows.some((r) => typeof r[k] !== 'object' || r[k] === null || (Array.isArray(r[k]) && (r[k] as unknown[]).every((v) => typeof v !== 'object'))));
  const linkType = (key: string, row: Record<string, unknown>): EntityType | undefined => {
    if (key === 'PrincipalArn' || key === 'Principal') return principalEntityType(String(row.PrincipalType));
    return LINKED_COLUMNS[key];
  };
  return (
    <Table
      label={label}
      rows={rows}
      columns={keys.map((key) => ({
        key,
        title: key,
        numeric: rows.every((r) => typeof r[key] === 'number' || r[key] === undefined),
        value: (r: Record<string, unknown>) => (Array.isArray(r[key]) ? (r[key] as unknown[]).join(', ') : (r[key] as string | number | boolean | undefined)),
        cell: (r: Record<string, unknown>) => {
          const value = r[key];
          if (value === undefined || value === null) return '';
          // A related finding's investigation (the one the GuardDuty trigger started on it), as the Findings page links it.
          if (key === 'InvestigationId' && typeof value === 'string') return <a href={href('investigation', { id: value })}>Investigation {value}</a>;
          const target = scope ? linkType(key, r) : undefined;
          const entityId = key === 'Principal' ? (r.PrincipalArn as string | undefined) : String(value);
          if (target && entityId && typeof value !== 'object') return <a href={href('entity', { type: target, id: entityId, from: scope?.from ?? '', to: scope?.to ?? '' })}>{String(value)}</a>;
          return /Time$|At$|Seen$/.test(key) && typeof value === 'string' ? utc(value) : display(Array.isArray(value) ? value.join(', ') : value);
        },
      }))}
    />
  );
}

import { normalizeRoleArn } from '../cloudtrail/arn';
import { attributionOf, compareChanges, entityKey } from './events';
import { externalPrincipals } from './policy-document';
import { sentenceOf } from './scope-report';
import { applyBaseline, applyChange, baselineBefore, foldUntil, initialFold, type StateOptions } from './state';
import type { EntityHistory, IamActionKind, IamBaseline, IamChange, IamEntityRef, PolicyDoc } from './types';

/**
 * Permission facts: what an IAM change did, or what an entity held, as evidence (issue 11). Detective's
 * indicator types have no place for them, so they ride beside the raw events (`listIndicatorEvidence`) and in
 * their own listing (`listPermissionEvidence`). Every fact made by an event names that event (`EventId`), so
 * its raw CloudTrail record can be fetched; a permission known only from a snapshot or a checkpoint says so
 * (`Origin`) and names none.
 */
export type FactEntityType = 'IAM_ROLE' | 'IAM_USER' | 'IAM_GROUP' | 'IAM_POLICY';

export interface PermissionFact {
  /** CHANGE: an IAM call in the scope (or behind an indicator's event); HELD: a permission held at the scope's start. */
  Fact: 'CHANGE' | 'HELD';
  EntityType: FactEntityType;
  AccountId: string;
  Name: string;
  /** What the change did (`ATTACH`, `SET_TRUST`, …), or for a HELD fact what the permission is. */
  Kind: IamActionKind | 'POLICY' | 'INLINE_POLICY' | 'BOUNDARY' | 'TRUST' | 'GROUP' | 'ACCESS_KEY' | 'LOGIN_PROFILE';
  /** One sentence, e.g. "AdministratorAccess attached to role X by arn:… (session ASIA…, from 1.2.3.4)". */
  Says: string;
  /** The event that made it (a CHANGE's own; a HELD fact's last change that set it). Absent: `Origin` says where it is known from. */
  EventId?: string;
  EventTime?: string;
  EventName?: string;
  By?: string;
  Session?: string;
  SourceIp?: string;
  Succeeded?: boolean;
  ErrorCode?: string;
  /** The managed policy attached, detached or set as boundary. */
  PolicyArn?: string;
  /** Trust changes: the principals outside the account the change let in, and those it shut out. */
  ExternalOpened?: string[];
  ExternalClosed?: string[];
  /** EVENT: from `EventId`; SNAPSHOT or CHECKPOINT: the state at that time held it, no event is known; UNKNOWN: neither. */
  Origin: 'EVENT' | 'SNAPSHOT' | 'CHECKPOINT' | 'UNKNOWN';
  /** SNAPSHOT or CHECKPOINT: its time. */
  OriginTime?: string;
}

const TYPE_NAMES: Record<IamEntityRef['Type'], FactEntityType> = { ROLE: 'IAM_ROLE', USER: 'IAM_USER', GROUP: 'IAM_GROUP', POLICY: 'IAM_POLICY' };

/** Trust principals outside the account (and organization, when known), as strings. */
function externalOf(doc: PolicyDoc | null | undefined, accountId: string, options: StateOptions): string[] {
  if (!doc?.Principals) return [];
  return externalPrincipals(doc.Principals, accountId, options.orgAccountIds).map((principal) => principal.Principal);
}

function eventMembers(change: IamChange): Pick<PermissionFact, 'EventId' | 'EventTime' | 'EventName' | 'By' | 'Session' | 'SourceIp' | 'Succeeded' | 'ErrorCode'> {
  return {
    EventId: change.EventId,
    EventTime: change.Time,
    EventName: change.EventName,
    ...attributionOf(change),
  };
}

function policyArnOf(change: IamChange): string | undefined {
  const action = change.Action;
  if (action.Kind === 'ATTACH' || action.Kind === 'DETACH' || action.Kind === 'SET_BOUNDARY') return action.PolicyArn;
  return undefined;
}

/** The trust policy the entity had just before `change` (to say what a trust change opened or closed). */
export function trustBefore(history: EntityHistory | undefined, change: IamChange, options: StateOptions = {}): PolicyDoc | null {
  if (!history) return null;
  const earlier = { ...history, Changes: history.Changes.filter((other) => compareChanges(other, change) < 0) };
  return foldUntil(earlier, change.Time, options.baselines).state.body.TrustPolicy;
}

/** The fact one change states. `history` is the entity's stored history (for the trust before it), if any. */
export function changeFact(change: IamChange, history: EntityHistory | undefined, options: StateOptions = {}): PermissionFact {
  const before = trustBefore(history, change, options);
  const fact: PermissionFact = {
    Fact: 'CHANGE',
    EntityType: TYPE_NAMES[change.Entity.Type],
    AccountId: change.Entity.AccountId,
    Name: change.Entity.Name,
    Kind: change.Action.Kind,
    Says: sentenceOf(change, before, options),
    ...eventMembers(change),
    Origin: 'EVENT',
  };
  const policyArn = policyArnOf(change);
  if (policyArn) fact.PolicyArn = policyArn;
  const action = change.Action;
  const trust = action.Kind === 'SET_TRUST' || action.Kind === 'CREATE' ? action.TrustPolicy : undefined;
  if (trust) {
    const was = action.Kind === 'CREATE' ? [] : externalOf(before, change.Entity.AccountId, options);
    const now = externalOf(trust, change.Entity.AccountId, options);
    const opened = now.filter((principal) => !was.includes(principal));
    const closed = was.filter((principal) => !now.includes(principal));
    if (opened.length) fact.ExternalOpened = opened;
    if (closed.length) fact.ExternalClosed = closed;
  }
  return fact;
}

/** Where a held permission came from: the last change that set it, or the baseline the fold started from. */
type Origin = { change: IamChange } | { baseline: IamBaseline };

/** A permission's key in the origin map, for the changes that grant one (removals delete the key). */
function grantKey(change: IamChange): { set?: string[]; remove?: string[] } {
  const action = change.Action;
  switch (action.Kind) {
    case 'CREATE':
      return { set: [...(action.TrustPolicy ? ['trust'] : []), ...(action.PermissionsBoundary ? ['boundary'] : [])] };
    case 'ATTACH':
      return { set: [`policy:${action.PolicyArn}`] };
    case 'DETACH':
      return { remove: [`policy:${action.PolicyArn}`] };
    case 'PUT_INLINE':
      return { set: [`inline:${action.PolicyName.toLowerCase()}`] };
    case 'DELETE_INLINE':
      return { remove: [`inline:${action.PolicyName.toLowerCase()}`] };
    case 'SET_TRUST':
      return { set: ['trust'] };
    case 'SET_BOUNDARY':
      return { set: ['boundary'] };
    case 'DELETE_BOUNDARY':
      return { remove: ['boundary'] };
    case 'JOIN_GROUP':
      return { set: [`group:${action.GroupName.toLowerCase()}`] };
    case 'LEAVE_GROUP':
      return { remove: [`group:${action.GroupName.toLowerCase()}`] };
    case 'CREATE_ACCESS_KEY':
      return { set: [`key:${action.AccessKeyId ?? `unknown-${change.EventId}`}`] };
    case 'UPDATE_ACCESS_KEY':
      return { set: [`key:${action.AccessKeyId}`] };
    case 'DELETE_ACCESS_KEY':
      return { remove: [`key:${action.AccessKeyId}`] };
    case 'CREATE_LOGIN_PROFILE':
    case 'UPDATE_LOGIN_PROFILE':
      return { set: ['login'] };
    case 'DELETE_LOGIN_PROFILE':
      return { remove: ['login'] };
    default:
      return {};
  }
}

/** The origin of each permission held just after the history is folded to `atTime`, in the fold's own order. */
function originsAt(history: EntityHistory, atTime: string, extraBaselines: readonly IamBaseline[]): Map<string, Origin> {
  const at = Date.parse(atTime);
  const baselines = [...history.Baselines, ...extraBaselines].filter((baseline) => Date.parse(baseline.Time) <= at).sort((a, b) => Date.parse(a.Time) - Date.parse(b.Time));
  let origins = new Map<string, Origin>();
  let state = initialFold();
  let next = 0;
  const fromBaseline = (baseline: IamBaseline) => {
    state = applyBaseline(state, baseline);
    origins = new Map();
    const body = baseline.State;
    const keys = [
      ...body.AttachedPolicies.map((arn) => `policy:${arn}`),
      ...body.InlinePolicies.map((policy) => `inline:${policy.PolicyName.toLowerCase()}`),
      ...(body.PermissionsBoundary ? ['boundary'] : []),
      ...(body.TrustPolicy ? ['trust'] : []),
      ...body.Groups.map((group) => `group:${group.toLowerCase()}`),
      ...body.AccessKeys.map((key) => `key:${key.AccessKeyId}`),
      ...(body.LoginProfile ? ['login'] : []),
    ];
    for (const key of keys) origins.set(key, { baseline });
  };
  for (const change of [...history.Changes].sort(compareChanges)) {
    if (Date.parse(change.Time) > at) break;
    while (next < baselines.length && baselineBefore(baselines[next], change)) fromBaseline(baselines[next++]);
    state = applyChange(state, change);
    if (!change.Succeeded) continue;
    if (change.Action.Kind === 'CREATE' || change.Action.Kind === 'DELETE') origins = new Map();
    const { set = [], remove = [] } = grantKey(change);
    for (const key of remove) origins.delete(key);
    for (const key of set) origins.set(key, { change });
  }
  while (next < baselines.length) fromBaseline(baselines[next++]);
  return origins;
}

function heldFact(ref: IamEntityRef, kind: PermissionFact['Kind'], what: string, origin: Origin | undefined, extra: Partial<PermissionFact>, asOf: string): PermissionFact {
  const base = { Fact: 'HELD' as const, EntityType: TYPE_NAMES[ref.Type], AccountId: ref.AccountId, Name: ref.Name, Kind: kind, ...extra };
  const target = `${ref.Type.toLowerCase()} ${ref.Name}`;
  if (origin && 'change' in origin) {
    const change = origin.change;
    const how = [change.Session ? `session ${change.Session}` : '', change.SourceIp ? `from ${change.SourceIp}` : ''].filter(Boolean).join(', ');
    return { ...base, Says: `${what} held by ${target} ${asOf}: ${change.EventName} at ${change.Time} by ${change.By}${how ? ` (${how})` : ''}`, ...eventMembers(change), Origin: 'EVENT' };
  }
  const baseline = origin?.baseline;
  const source = baseline?.Source === 'SNAPSHOT' ? `the IAM snapshot of ${baseline.Time}` : baseline ? `a checkpoint of the stored history at ${baseline.Time}` : 'no event in the logs';
  return { ...base, Says: `${what} held by ${target} ${asOf}: known from ${source}`, Origin: baseline?.Source ?? 'UNKNOWN', ...(baseline ? { OriginTime: baseline.Time } : {}) };
}

/**
 * The permissions an entity held at `atTime` (the moment before a scope), each with the change that granted it:
 * attached and inline policies, boundary, trust policy (when it lets in a principal outside the account),
 * groups, access keys and console password.
 */
export function heldFacts(history: EntityHistory, atTime: string, options: StateOptions = {}, asOf = `at ${atTime}`): PermissionFact[] {
  const { state } = foldUntil(history, atTime, options.baselines);
  const body = state.body;
  if (body.Exists === false) return [];
  const origins = originsAt(history, atTime, options.baselines ?? []);
  const ref = history.Entity;
  const facts: PermissionFact[] = [];
  for (const arn of body.AttachedPolicies) facts.push(heldFact(ref, 'POLICY', `${arn.slice(arn.lastIndexOf('/') + 1) || arn} (attached)`, origins.get(`policy:${arn}`), { PolicyArn: arn }, asOf));
  for (const policy of body.InlinePolicies) facts.push(heldFact(ref, 'INLINE_POLICY', `inline policy ${policy.PolicyName}`, origins.get(`inline:${policy.PolicyName.toLowerCase()}`), {}, asOf));
  if (body.PermissionsBoundary) facts.push(heldFact(ref, 'BOUNDARY', `permissions boundary ${body.PermissionsBoundary}`, origins.get('boundary'), { PolicyArn: body.PermissionsBoundary }, asOf));
  const external = externalOf(body.TrustPolicy, ref.AccountId, options);
  if (external.length) facts.push(heldFact(ref, 'TRUST', `trust open to ${external.join(', ')}`, origins.get('trust'), { ExternalOpened: external }, asOf));
  for (const group of body.Groups) facts.push(heldFact(ref, 'GROUP', `membership of group ${group}`, origins.get(`group:${group.toLowerCase()}`), {}, asOf));
  for (const key of body.AccessKeys) facts.push(heldFact(ref, 'ACCESS_KEY', `access key ${key.AccessKeyId} (${key.Status})`, origins.get(`key:${key.AccessKeyId}`), {}, asOf));
  if (body.LoginProfile) facts.push(heldFact(ref, 'LOGIN_PROFILE', 'a console password', origins.get('login'), {}, asOf));
  return facts;
}

/**
 * The permission facts of an entity over an investigation's scope [from, to): what it held when the scope
 * began, each with the change that granted it, then every change made to it in the scope.
 */
export function scopeFacts(history: EntityHistory, from: string, to: string, options: StateOptions = {}): PermissionFact[] {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  // CloudTrail logs seconds: a change at `from`'s second is in the scope, so the state before is the second before.
  const beforeScope = new Date(Math.floor(fromMs / 1000) * 1000 - 1).toISOString();
  const inScope = [...history.Changes].sort(compareChanges).filter((change) => Date.parse(change.Time) >= fromMs && Date.parse(change.Time) < toMs);
  return [...heldFacts(history, beforeScope, options, `when the scope began (${from})`), ...inScope.map((change) => changeFact(change, history, options))];
}

/** A fact's place in a listing: by time (a HELD fact at its origin's time), then entity, kind and event. */
export function factKey(fact: PermissionFact): string {
  return `${entityKey({ AccountId: fact.AccountId, Type: fact.EntityType.slice(4) as IamEntityRef['Type'], Name: fact.Name })}#${fact.Fact}#${fact.Kind}#${fact.EventId ?? ''}#${fact.PolicyArn ?? ''}#${fact.Says}`;
}

export function factTime(fact: PermissionFact): number {
  const time = Date.parse(fact.EventTime ?? fact.OriginTime ?? '');
  return Number.isFinite(time) ? time : 0;
}

export function compareFacts(a: PermissionFact, b: PermissionFact): number {
  const ka = factKey(a);
  const kb = factKey(b);
  return factTime(a) - factTime(b) || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

/**
 * The Activity subject whose compact events hold the call a fact's event was (its caller, `By`): an IAM user's
 * ARN, a role session's role, the root, a federated user. Undefined for a caller Trailhound keeps no activity
 * under by ARN (an AWS service, a principal id).
 */
export function callerSubjectOf(by: string | undefined): string | undefined {
  if (!by) return undefined;
  const arn = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/.exec(by);
  if (!arn) return undefined;
  const [, service, , resource] = arn as unknown as [string, string, string, string];
  if (service === 'iam' && resource.startsWith('user/')) return `iam-user#${by}`;
  if (service === 'iam' && resource === 'root') return `root#${by}`;
  if (service === 'sts' && resource.startsWith('assumed-role/')) return resource.split('/')[1] ? `role#${normalizeRoleArn(by)}` : undefined;
  if (service === 'sts' && resource.startsWith('federated-user/')) return `federated-user#${by}`;
  return undefined;
}

import { attributionOf, compareChanges } from './events';
import { externalPrincipals } from './policy-document';
import { foldUntil, stateAt, type StateOptions } from './state';
import type { EntityHistory, IamChange, PolicyDoc } from './types';
import type { PermissionsInScope } from './scope-report-types';

/**
 * Permissions during an investigation's scope, for its report: what an entity held at any moment of
 * [from, to) (its state at the start, and after each change in the scope), and each change made in the scope
 * as a sentence naming who made it and from which session ("AdministratorAccess attached to X by Y", "trust
 * opened to external account Z"). Small by construction: it goes into the Step Functions output.
 */
export type { PermissionsInScope, ScopeChange } from './scope-report-types';

export const MAX_SCOPE_CHANGES = 15;
const MAX_LISTED = 20;

/** `arn:aws:iam::aws:policy/AdministratorAccess` → `AdministratorAccess`. */
function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

function externalAccounts(doc: PolicyDoc | null | undefined, accountId: string, options: StateOptions): string[] {
  if (!doc?.Principals) return [];
  return externalPrincipals(doc.Principals, accountId, options.orgAccountIds).map((p) => (p.AccountId ? `external account ${p.AccountId}` : p.Principal));
}

/** The sentence of one change; `before` is the entity's trust policy just before it (to say what a trust change opened or closed). */
export function sentenceOf(change: IamChange, before: PolicyDoc | null, options: StateOptions = {}): string {
  const kind = change.Entity.Type.toLowerCase();
  const target = `${kind} ${change.Entity.Name}`;
  const action = change.Action;
  let what: string;
  switch (action.Kind) {
    case 'CREATE': {
      const opened = externalAccounts(action.TrustPolicy, change.Entity.AccountId, options);
      what = `${target} created${opened.length ? `, its trust open to ${opened.join(', ')}` : ''}`;
      break;
    }
    case 'DELETE':
      what = `${target} deleted`;
      break;
    case 'ATTACH':
      what = `${policyName(action.PolicyArn)} attached to ${target}`;
      break;
    case 'DETACH':
      what = `${policyName(action.PolicyArn)} detached from ${target}`;
      break;
    case 'PUT_INLINE':
      what = `inline policy ${action.PolicyName} put on ${target}`;
      break;
    case 'DELETE_INLINE':
      what = `inline policy ${action.PolicyName} deleted from ${target}`;
      break;
    case 'SET_TRUST': {
      const was = externalAccounts(before, change.Entity.AccountId, options);
      const now = externalAccounts(action.TrustPolicy, change.Entity.AccountId, options);
      const opened = now.filter((p) => !was.includes(p));
      const closed = was.filter((p) => !now.includes(p));
      const parts = [...(opened.length ? [`opened to ${opened.join(', ')}`] : []), ...(closed.length ? [`closed to ${closed.join(', ')}`] : [])];
      what = `trust of ${target} ${parts.length ? parts.join(' and ') : 'changed'}`;
      break;
    }
    case 'SET_BOUNDARY':
      what = `permissions boundary ${policyName(action.PolicyArn)} set on ${target}`;
      break;
    case 'DELETE_BOUNDARY':
      what = `permissions boundary removed from ${target}`;
      break;
    case 'JOIN_GROUP':
      what = `${target} added to group ${action.GroupName}`;
      break;
    case 'LEAVE_GROUP':
      what = `${target} removed from group ${action.GroupName}`;
      break;
    case 'CREATE_ACCESS_KEY':
      what = `access key ${action.AccessKeyId ?? '(id not logged)'} created for ${target}`;
      break;
    case 'UPDATE_ACCESS_KEY':
      what = `access key ${action.AccessKeyId} of ${target} set ${action.Status}`;
      break;
    case 'DELETE_ACCESS_KEY':
      what = `access key ${action.AccessKeyId} of ${target} deleted`;
      break;
    case 'CREATE_LOGIN_PROFILE':
      what = `console password created for ${target}`;
      break;
    case 'UPDATE_LOGIN_PROFILE':
      what = `console password of ${target} changed`;
      break;
    case 'DELETE_LOGIN_PROFILE':
      what = `console password of ${target} deleted`;
      break;
    default:
      what = `${change.EventName} on ${target}`;
  }
  const how = [change.Session ? `session ${change.Session}` : '', change.SourceIp ? `from ${change.SourceIp}` : ''].filter(Boolean).join(', ');
  const sentence = `${what} by ${change.By}${how ? ` (${how})` : ''}`;
  return change.Succeeded ? sentence : `attempted, failed with ${change.ErrorCode ?? 'an error'}: ${sentence}`;
}

const union = (lists: string[][]) => [...new Set(lists.flat())].slice(0, MAX_LISTED);

/** The entity's permissions during [from, to) and the changes made in it. */
export function permissionsInScope(history: EntityHistory, from: string, to: string, options: StateOptions = {}): PermissionsInScope {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const inScope = [...history.Changes].sort(compareChanges).filter((change) => Date.parse(change.Time) >= fromMs && Date.parse(change.Time) < toMs);
  // The state just before the scope (CloudTrail logs seconds: a change at `from`'s second is in the scope).
  const beforeScope = new Date(Math.floor(fromMs / 1000) * 1000 - 1).toISOString();
  const states = [stateAt(history, beforeScope, options), ...inScope.map((change) => stateAt(history, change.Time, options))];
  const end = stateAt(history, new Date(toMs - 1).toISOString(), options);
  const changes = inScope.slice(0, MAX_SCOPE_CHANGES).map((change) => {
    const { state } = foldUntil({ ...history, Changes: history.Changes.filter((other) => compareChanges(other, change) < 0) }, change.Time, options.baselines);
    return {
      Time: change.Time,
      EventId: change.EventId,
      EventName: change.EventName,
      ...attributionOf(change),
      Says: sentenceOf(change, state.body.TrustPolicy, options),
    };
  });
  const externals = new Map<string, string[]>();
  for (const state of states) for (const principal of state.ExternalPrincipals) externals.set(principal.Principal, principal.Flags);
  return {
    EntityType: history.Entity.Type === 'USER' ? 'USER' : 'ROLE',
    AccountId: history.Entity.AccountId,
    Name: history.Entity.Name,
    ExistedAtStart: states[0].Exists,
    ExistsAtEnd: end.Exists,
    AttachedPolicies: union(states.map((state) => state.AttachedPolicies.map((policy) => policy.PolicyArn))),
    InlinePolicies: union(states.map((state) => state.InlinePolicies.map((policy) => policy.PolicyName))),
    PermissionsBoundaries: union(states.map((state) => (state.PermissionsBoundary ? [state.PermissionsBoundary.PolicyArn] : []))),
    ExternalPrincipals: [...externals].slice(0, MAX_LISTED).map(([Principal, Flags]) => ({ Principal, Flags })),
    Coverage: states.every((state) => state.Coverage === 'FULL') ? 'FULL' : 'PARTIAL',
    CoverageReason: (states.find((state) => state.Coverage === 'PARTIAL') ?? end).CoverageReason,
    Changes: changes,
    ChangesInScope: inScope.length,
  };
}

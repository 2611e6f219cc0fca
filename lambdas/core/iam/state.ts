import { compareChanges, compareOrderKeys, orderKey } from './events';
import { externalPrincipals } from './policy-document';
import type { ChangeView, Coverage, EntityHistory, IamBaseline, IamChange, IamEntityBody, PermissionsAtTime } from './types';

/**
 * Folding an entity's history into its state at a moment.
 *
 * The state starts unknown: an entity whose creation is not in the logs had a state nobody saw. A successful
 * creation, a deletion, or a baseline (snapshot, checkpoint) makes it known from then on (`Coverage: FULL`);
 * changes seen before that are applied to the unknown state (`PARTIAL`: what is listed is true, but there may
 * be more). A failed call changes nothing and is listed as an attempt.
 *
 * Moments: a change logged at second S is in the state at any moment ≥ S (CloudTrail logs times to the
 * second); a baseline at S reflects every change logged at or before S.
 */

export function emptyBody(exists: boolean | null): IamEntityBody {
  return {
    Exists: exists,
    AttachedPolicies: [],
    InlinePolicies: [],
    Groups: [],
    Members: [],
    PermissionsBoundary: null,
    TrustPolicy: null,
    AccessKeys: [],
    LoginProfile: null,
    Versions: [],
    DefaultVersionId: null,
    CredentialsKnown: true,
  };
}

function cloneBody(body: IamEntityBody): IamEntityBody {
  return {
    ...body,
    AttachedPolicies: [...body.AttachedPolicies],
    InlinePolicies: body.InlinePolicies.map((policy) => ({ ...policy })),
    Groups: [...body.Groups],
    Members: [...body.Members],
    AccessKeys: body.AccessKeys.map((key) => ({ ...key })),
    LoginProfile: body.LoginProfile && { ...body.LoginProfile },
    Versions: body.Versions.map((version) => ({ ...version })),
  };
}

const lower = (value: string) => value.toLowerCase();

function addName(list: string[], value: string): string[] {
  return list.some((item) => lower(item) === lower(value)) ? list : [...list, value];
}

function removeName(list: string[], value: string): string[] {
  return list.filter((item) => lower(item) !== lower(value));
}

/** A fold in progress. */
export interface FoldState {
  body: IamEntityBody;
  known: boolean;
  reason: string;
  credentialsReason?: string;
}

export function initialFold(): FoldState {
  return { body: emptyBody(null), known: false, reason: 'no creation event or snapshot of this entity in the logs: its earlier state is unknown' };
}

export function applyBaseline(_state: FoldState, baseline: IamBaseline): FoldState {
  const source = baseline.Source === 'SNAPSHOT' ? `the IAM snapshot of ${baseline.Time}` : `a checkpoint of the stored history at ${baseline.Time}`;
  return {
    body: cloneBody(baseline.State),
    known: baseline.Coverage === 'FULL',
    reason: baseline.Coverage === 'FULL' ? `state known from ${source}` : (baseline.CoverageReason ?? `partial state from ${source}`),
    ...(baseline.State.CredentialsKnown ? {} : { credentialsReason: `${source} does not hold access keys or login profiles: only those created since are listed` }),
  };
}

/** Applies one change; a failed change returns the state unchanged. */
export function applyChange(state: FoldState, change: IamChange): FoldState {
  if (!change.Succeeded) return state;
  const action = change.Action;
  if (action.Kind === 'CREATE') {
    const body = emptyBody(true);
    body.CreatedAt = change.Time;
    if (action.Arn) body.Arn = action.Arn;
    if (action.Path) body.Path = action.Path;
    if (action.TrustPolicy) body.TrustPolicy = action.TrustPolicy;
    if (action.PermissionsBoundary) body.PermissionsBoundary = action.PermissionsBoundary;
    if (action.Document) {
      const versionId = action.DefaultVersionId ?? 'v1';
      body.Versions = [{ VersionId: versionId, Document: action.Document, CreatedAt: change.Time }];
      body.DefaultVersionId = versionId;
    }
    return { body, known: true, reason: `created at ${change.Time} (event ${change.EventId})` };
  }
  if (action.Kind === 'DELETE') {
    return { body: emptyBody(false), known: true, reason: `deleted at ${change.Time} (event ${change.EventId})` };
  }
  let { known, reason } = state;
  const body = cloneBody(state.body);
  if (body.Exists === false) {
    // A successful change to a deleted entity: it was created again in a gap of the logs.
    known = false;
    reason = `changed at ${change.Time} after its deletion, with no creation event in the logs: its state since is partly unknown`;
  }
  body.Exists = true;
  switch (action.Kind) {
    case 'SET_TRUST':
      body.TrustPolicy = action.TrustPolicy;
      break;
    case 'PUT_INLINE':
      body.InlinePolicies = [...body.InlinePolicies.filter((policy) => lower(policy.PolicyName) !== lower(action.PolicyName)), { PolicyName: action.PolicyName, Document: action.Document }];
      break;
    case 'DELETE_INLINE':
      body.InlinePolicies = body.InlinePolicies.filter((policy) => lower(policy.PolicyName) !== lower(action.PolicyName));
      break;
    case 'ATTACH':
      if (!body.AttachedPolicies.includes(action.PolicyArn)) body.AttachedPolicies.push(action.PolicyArn);
      break;
    case 'DETACH':
      body.AttachedPolicies = body.AttachedPolicies.filter((arn) => arn !== action.PolicyArn);
      break;
    case 'SET_BOUNDARY':
      body.PermissionsBoundary = action.PolicyArn;
      break;
    case 'DELETE_BOUNDARY':
      body.PermissionsBoundary = null;
      break;
    case 'JOIN_GROUP':
      body.Groups = addName(body.Groups, action.GroupName);
      break;
    case 'LEAVE_GROUP':
      body.Groups = removeName(body.Groups, action.GroupName);
      break;
    case 'ADD_MEMBER':
      body.Members = addName(body.Members, action.UserName);
      break;
    case 'REMOVE_MEMBER':
      body.Members = removeName(body.Members, action.UserName);
      break;
    case 'CREATE_VERSION': {
      // IAM numbers versions v1, v2, … and never reuses a number; without the response, the id is unknown.
      const versionId = action.VersionId ?? `unknown-${change.EventId}`;
      body.Versions = [...body.Versions.filter((version) => version.VersionId !== versionId), { VersionId: versionId, Document: action.Document, CreatedAt: change.Time }];
      if (action.SetAsDefault) body.DefaultVersionId = versionId;
      break;
    }
    case 'SET_DEFAULT_VERSION':
      body.DefaultVersionId = action.VersionId;
      break;
    case 'DELETE_VERSION':
      body.Versions = body.Versions.filter((version) => version.VersionId !== action.VersionId);
      break;
    case 'CREATE_ACCESS_KEY':
      body.AccessKeys = [...body.AccessKeys.filter((key) => key.AccessKeyId !== action.AccessKeyId), { AccessKeyId: action.AccessKeyId ?? `unknown-${change.EventId}`, Status: action.Status ?? 'Active', CreatedAt: change.Time }];
      break;
    case 'UPDATE_ACCESS_KEY': {
      const key = body.AccessKeys.find((candidate) => candidate.AccessKeyId === action.AccessKeyId);
      if (key) key.Status = action.Status;
      else body.AccessKeys.push({ AccessKeyId: action.AccessKeyId, Status: action.Status });
      break;
    }
    case 'DELETE_ACCESS_KEY':
      body.AccessKeys = body.AccessKeys.filter((key) => key.AccessKeyId !== action.AccessKeyId);
      break;
    case 'CREATE_LOGIN_PROFILE':
      body.LoginProfile = { CreatedAt: change.Time, ...(action.PasswordResetRequired === undefined ? {} : { PasswordResetRequired: action.PasswordResetRequired }) };
      break;
    case 'UPDATE_LOGIN_PROFILE':
      body.LoginProfile = { ...(body.LoginProfile ?? {}), ...(action.PasswordResetRequired === undefined ? {} : { PasswordResetRequired: action.PasswordResetRequired }) };
      break;
    case 'DELETE_LOGIN_PROFILE':
      body.LoginProfile = null;
      break;
  }
  return { ...state, body, known, reason };
}

/** Whether a baseline comes before a change: a checkpoint after what it absorbed, a snapshot after every change logged at or before its second. */
export function baselineBefore(baseline: IamBaseline, change: IamChange): boolean {
  if (baseline.AbsorbedThrough) return compareOrderKeys(orderKey(change), baseline.AbsorbedThrough) > 0;
  return Math.floor(Date.parse(baseline.Time) / 1000) < Math.floor(Date.parse(change.Time) / 1000);
}

export interface StateOptions {
  /** The account ids of the organization: trust principals outside them are flagged `OUTSIDE_ORGANIZATION`. */
  orgAccountIds?: ReadonlySet<string>;
  /** More baselines than the history's own (an account snapshot stored apart). */
  baselines?: readonly IamBaseline[];
}

/** Folds a history up to and including `atTime` (ISO-8601). Returns the fold and the changes it went through. */
export function foldUntil(history: EntityHistory, atTime: string, extraBaselines: readonly IamBaseline[] = []): { state: FoldState; changes: IamChange[] } {
  const at = Date.parse(atTime);
  if (!Number.isFinite(at)) throw new Error(`not a moment: ${JSON.stringify(String(atTime).slice(0, 64))}`);
  const changes = [...history.Changes].sort(compareChanges);
  const baselines = [...history.Baselines, ...extraBaselines].filter((baseline) => Date.parse(baseline.Time) <= at).sort((a, b) => Date.parse(a.Time) - Date.parse(b.Time));
  let state = initialFold();
  const seen: IamChange[] = [];
  let next = 0;
  for (const change of changes) {
    if (Date.parse(change.Time) > at) break;
    while (next < baselines.length && baselineBefore(baselines[next], change)) state = applyBaseline(state, baselines[next++]);
    state = applyChange(state, change);
    seen.push(change);
  }
  while (next < baselines.length) state = applyBaseline(state, baselines[next++]);
  return { state, changes: seen };
}

function view(change: IamChange): ChangeView {
  return {
    Time: change.Time,
    EventName: change.EventName,
    By: change.By,
    EventId: change.EventId,
    Succeeded: change.Succeeded,
    ...(change.ErrorCode ? { ErrorCode: change.ErrorCode } : {}),
    ...(change.Session ? { Session: change.Session } : {}),
    ...(change.SourceIp ? { SourceIp: change.SourceIp } : {}),
  };
}

/**
 * The entity's permissions at `atTime`, with every change up to it. When the fold does not know whether the
 * entity existed (no creation, deletion or baseline before `atTime`), the first successful change after it
 * tells: a creation means it did not exist yet, any other change that it did.
 */
export function stateAt(history: EntityHistory, atTime: string, options: StateOptions = {}): PermissionsAtTime {
  const { state, changes } = foldUntil(history, atTime, options.baselines);
  const body = state.body;
  let exists = body.Exists;
  let coverage: Coverage = state.known ? 'FULL' : 'PARTIAL';
  let reason = state.reason;
  // Changes before a checkpoint are folded into it: a moment before it is not known, and later changes say nothing of it.
  const checkpoint = history.Baselines.find((baseline) => baseline.Source === 'CHECKPOINT' && Date.parse(baseline.Time) > Date.parse(atTime));
  if (exists === null && !checkpoint) {
    const at = Date.parse(atTime);
    const later = [...history.Changes].sort(compareChanges).find((change) => change.Succeeded && Date.parse(change.Time) > at);
    if (later?.Action.Kind === 'CREATE') {
      exists = false;
      coverage = 'FULL';
      reason = `not created yet: created at ${later.Time} (event ${later.EventId})`;
    } else if (later) {
      exists = true;
      reason = `${reason}; it existed (changed at ${later.Time} with no creation before)`;
    } else if (changes.some((change) => change.Succeeded)) {
      exists = true;
    }
  }
  if (checkpoint) {
    coverage = 'PARTIAL';
    const why = checkpoint.FoldReason === 'RETENTION' ? 'because they are older than the retention' : 'to bound its size';
    reason = `the stored history's changes up to ${checkpoint.Time} were folded into a checkpoint ${why}: moments before it are not known (the earliest state known is at ${checkpoint.Time})`;
  }
  const accountId = history.Entity.AccountId;
  const trust = body.TrustPolicy;
  if (trust && !trust.Principals && trust.Issue) {
    // IAM refuses a malformed trust policy, so an unreadable one was damaged or oversize in the log: who may assume the role is not known.
    coverage = 'PARTIAL';
    reason = `${reason}; the trust policy could not be read (${trust.Issue}): its principals are not known`;
  } else if (trust?.PrincipalsTrimmed) {
    coverage = 'PARTIAL';
    reason = `${reason}; ${trust.PrincipalsTrimmed} trust principals beyond the first ${trust.Principals?.length ?? 0} were not kept`;
  }
  const credentialsCoverage: Coverage = body.CredentialsKnown && coverage === 'FULL' ? 'FULL' : 'PARTIAL';
  return {
    EntityType: history.Entity.Type,
    AccountId: accountId,
    Name: history.Entity.Name,
    ...(body.Arn ? { Arn: body.Arn } : {}),
    AtTime: atTime,
    Exists: exists,
    AttachedPolicies: body.AttachedPolicies.map((arn) => ({ PolicyArn: arn })),
    InlinePolicies: body.InlinePolicies.map((policy) => ({ PolicyName: policy.PolicyName, PolicyDocument: policy.Document.Text, ...(policy.Document.Issue ? { DocumentIssue: policy.Document.Issue } : {}) })),
    Groups: body.Groups.map((group) => ({ GroupName: group })),
    Members: body.Members.map((user) => ({ UserName: user })),
    PermissionsBoundary: body.PermissionsBoundary ? { PolicyArn: body.PermissionsBoundary } : null,
    TrustPolicy: trust?.Text ?? null,
    ...(trust?.Issue ? { TrustPolicyIssue: trust.Issue } : {}),
    ExternalPrincipals: trust?.Principals ? externalPrincipals(trust.Principals, accountId, options.orgAccountIds) : [],
    AccessKeys: body.AccessKeys.map((key) => ({ ...key })),
    LoginProfile: body.LoginProfile && { ...body.LoginProfile },
    PolicyVersions: body.Versions.map((version) => ({
      VersionId: version.VersionId,
      IsDefault: version.VersionId === body.DefaultVersionId,
      PolicyDocument: version.Document.Text,
      ...(version.Document.Issue ? { DocumentIssue: version.Document.Issue } : {}),
    })),
    Coverage: coverage,
    CoverageReason: credentialsCoverage === 'PARTIAL' && state.credentialsReason ? `${reason}; ${state.credentialsReason}` : reason,
    CredentialsCoverage: credentialsCoverage,
    Changes: changes.map(view),
    ChangesTrimmed: history.Trimmed?.Changes ?? 0,
  };
}

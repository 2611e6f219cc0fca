/**
 * IAM state over time: the shapes of the pure core (no AWS SDK, no I/O).
 *
 * A history is kept per IAM entity (role, user, group, customer-managed policy), keyed by account, type and
 * name. IAM names are unique per account whatever their path and are not distinguished by case, so the key
 * uses the lower-cased name; a role deleted and created again under the same name keeps one history, and
 * `stateAt` answers for whichever existed at the moment asked.
 */

export type IamEntityType = 'ROLE' | 'USER' | 'GROUP' | 'POLICY';

export interface IamEntityRef {
  AccountId: string;
  Type: IamEntityType;
  /** As the first call that named it wrote it (the key lower-cases it). */
  Name: string;
}

/** Why a policy document's text is not shown. */
export type DocumentIssue = 'MISSING' | 'UNDECODABLE' | 'OVERSIZE' | 'TOO_DEEP' | 'NOT_AN_OBJECT' | 'TRIMMED';

/** A principal named by a trust policy's Allow statement. */
export interface TrustPrincipal {
  /** `AWS`, `Federated`, `Service`, `CanonicalUser`, or `*` for `"Principal": "*"` / `NotPrincipal`. */
  Kind: 'AWS' | 'Federated' | 'Service' | 'CanonicalUser' | '*';
  Value: string;
  /** The statement has a `Condition` (an external id, a source account, an OIDC audience...). */
  Conditional: boolean;
  /** Granted through `NotPrincipal`: everyone except the named value. */
  Negated?: boolean;
}

/** A decoded policy document: compact JSON text (never evaluated), or why there is none. */
export interface PolicyDoc {
  /** `JSON.stringify(JSON.parse(decoded))`: one line, key order kept. */
  Text: string | null;
  /** Characters of the text as decoded (before any trimming). */
  Chars: number;
  Issue?: DocumentIssue;
  /** For trust policies: the Allow statements' principals, extracted at decode time so they survive trimming. */
  Principals?: TrustPrincipal[];
  /** Principals beyond the cap, not kept. */
  PrincipalsTrimmed?: number;
}

/** What one successful event does to one entity. A failed event keeps its action but changes nothing. */
export type IamAction =
  | { Kind: 'CREATE'; Arn?: string; Path?: string; TrustPolicy?: PolicyDoc; PermissionsBoundary?: string; Document?: PolicyDoc; DefaultVersionId?: string }
  | { Kind: 'DELETE' }
  | { Kind: 'SET_TRUST'; TrustPolicy: PolicyDoc }
  | { Kind: 'PUT_INLINE'; PolicyName: string; Document: PolicyDoc }
  | { Kind: 'DELETE_INLINE'; PolicyName: string }
  | { Kind: 'ATTACH'; PolicyArn: string }
  | { Kind: 'DETACH'; PolicyArn: string }
  | { Kind: 'SET_BOUNDARY'; PolicyArn: string }
  | { Kind: 'DELETE_BOUNDARY' }
  | { Kind: 'JOIN_GROUP'; GroupName: string }
  | { Kind: 'LEAVE_GROUP'; GroupName: string }
  | { Kind: 'ADD_MEMBER'; UserName: string }
  | { Kind: 'REMOVE_MEMBER'; UserName: string }
  | { Kind: 'CREATE_VERSION'; VersionId?: string; Document: PolicyDoc; SetAsDefault: boolean }
  | { Kind: 'SET_DEFAULT_VERSION'; VersionId: string }
  | { Kind: 'DELETE_VERSION'; VersionId: string }
  | { Kind: 'CREATE_ACCESS_KEY'; AccessKeyId?: string; Status?: string }
  | { Kind: 'UPDATE_ACCESS_KEY'; AccessKeyId: string; Status: string }
  | { Kind: 'DELETE_ACCESS_KEY'; AccessKeyId: string }
  | { Kind: 'CREATE_LOGIN_PROFILE'; PasswordResetRequired?: boolean }
  | { Kind: 'UPDATE_LOGIN_PROFILE'; PasswordResetRequired?: boolean }
  | { Kind: 'DELETE_LOGIN_PROFILE' };

export type IamActionKind = IamAction['Kind'];

/** One event's effect on one entity (an event naming two entities, like AddUserToGroup, gives one change to each). */
export interface IamChange {
  Entity: IamEntityRef;
  EventId: string;
  /** eventTime as logged (ISO-8601, to the second). */
  Time: string;
  EventName: string;
  /** The caller: userIdentity.arn (an assumed-role ARN names the role and the session), else the invoking service or principal id. */
  By: string;
  /** The caller's access key id (`ASIA…` is a role session, `AKIA…` a user's long-term key). */
  Session?: string;
  SourceIp?: string;
  Succeeded: boolean;
  ErrorCode?: string;
  Action: IamAction;
}

export interface AccessKeyState {
  AccessKeyId: string;
  Status: string;
  CreatedAt?: string;
}

export interface LoginProfileState {
  CreatedAt?: string;
  PasswordResetRequired?: boolean;
}

export interface PolicyVersionState {
  VersionId: string;
  Document: PolicyDoc;
  CreatedAt?: string;
}

/** The state of one entity: what a fold holds, and what a snapshot or a checkpoint stores. Plain JSON. */
export interface IamEntityBody {
  Exists: boolean | null;
  Arn?: string;
  Path?: string;
  CreatedAt?: string;
  AttachedPolicies: string[];
  InlinePolicies: { PolicyName: string; Document: PolicyDoc }[];
  /** Users: the groups they belong to. */
  Groups: string[];
  /** Groups: their users. */
  Members: string[];
  PermissionsBoundary: string | null;
  TrustPolicy: PolicyDoc | null;
  AccessKeys: AccessKeyState[];
  LoginProfile: LoginProfileState | null;
  /** Customer-managed policies: their versions and the default one. */
  Versions: PolicyVersionState[];
  DefaultVersionId: string | null;
  /** False when access keys and the login profile are not known (a snapshot does not hold them). */
  CredentialsKnown: boolean;
}

/**
 * A known state at a moment: from a snapshot (`aws iam get-account-authorization-details`), or a checkpoint
 * (older changes folded together to bound a stored history). Sorts after every change logged at its second.
 */
export interface IamBaseline {
  Source: 'SNAPSHOT' | 'CHECKPOINT';
  Time: string;
  State: IamEntityBody;
  /** A checkpoint of a fold that was itself partial stays partial. */
  Coverage: 'FULL' | 'PARTIAL';
  CoverageReason?: string;
  /** Checkpoints: the last change they absorbed; merging drops changes at or before it (they are in the state). */
  AbsorbedThrough?: ChangeOrderKey;
  /** Checkpoints: why the changes were folded (older than the retention, or to bound the item's size). */
  FoldReason?: FoldReason;
}

export type FoldReason = 'RETENTION' | 'SIZE';

/** A change's place in the canonical order (see `compareChanges`). */
export interface ChangeOrderKey {
  Time: string;
  Rank: number;
  EventId: string;
}

/** What bounding a stored history removed. */
export interface TrimCounts {
  /** Policy documents whose text was dropped (their size and principals are kept). */
  Documents: number;
  /** Characters of document text dropped. */
  DocumentChars: number;
  /** Changes folded into a checkpoint and no longer listed. */
  Changes: number;
}

/** The stored history of one entity. */
export interface EntityHistory {
  Entity: IamEntityRef;
  /** In canonical order (see `compareChanges`), each eventID once. */
  Changes: IamChange[];
  /** By time; a history keeps at most one checkpoint (the latest). */
  Baselines: IamBaseline[];
  Trimmed?: TrimCounts;
}

export type Coverage = 'FULL' | 'PARTIAL';

export interface ExternalPrincipal {
  Principal: string;
  Kind: TrustPrincipal['Kind'];
  /** The account the principal belongs to, when it names one. */
  AccountId?: string;
  Flags: ExternalFlag[];
}

export type ExternalFlag =
  | 'OUTSIDE_ACCOUNT'
  | 'OUTSIDE_ORGANIZATION'
  /** `*`, `{"AWS": "*"}` or an Allow with `NotPrincipal`: any AWS principal. */
  | 'PUBLIC'
  /** A unique id (`AROA…`, `AIDA…`): IAM shows one when the trusted principal was deleted; its account is unknown. */
  | 'UNRESOLVED_ID'
  /** A public identity provider (Cognito, Google, Facebook, Login with Amazon). */
  | 'PUBLIC_IDENTITY_PROVIDER'
  | 'CONDITIONAL'
  | 'UNRECOGNISED';

export interface ChangeView {
  Time: string;
  EventName: string;
  By: string;
  EventId: string;
  Succeeded: boolean;
  ErrorCode?: string;
  Session?: string;
  SourceIp?: string;
}

/** The answer of `stateAt`, in the API's shape (`POST /graph/getPermissions`). */
export interface PermissionsAtTime {
  EntityType: IamEntityType;
  AccountId: string;
  Name: string;
  Arn?: string;
  AtTime: string;
  /** null: not known (no creation, snapshot or later evidence). */
  Exists: boolean | null;
  AttachedPolicies: { PolicyArn: string }[];
  InlinePolicies: { PolicyName: string; PolicyDocument: string | null; DocumentIssue?: DocumentIssue }[];
  Groups: { GroupName: string }[];
  Members: { UserName: string }[];
  PermissionsBoundary: { PolicyArn: string } | null;
  TrustPolicy: string | null;
  TrustPolicyIssue?: DocumentIssue;
  ExternalPrincipals: ExternalPrincipal[];
  AccessKeys: AccessKeyState[];
  LoginProfile: LoginProfileState | null;
  PolicyVersions: { VersionId: string; IsDefault: boolean; PolicyDocument: string | null; DocumentIssue?: DocumentIssue }[];
  Coverage: Coverage;
  CoverageReason: string;
  /** Users: access keys and the login profile are PARTIAL after a snapshot (it does not hold them) until their creation is seen. */
  CredentialsCoverage: Coverage;
  Changes: ChangeView[];
  /** Changes no longer listed because the stored history was bounded (their effect is kept in a checkpoint). */
  ChangesTrimmed: number;
}

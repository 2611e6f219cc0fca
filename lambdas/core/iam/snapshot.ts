import { entityKey, policyRefOfArn } from './events';
import { decodePolicyDocument } from './policy-document';
import { emptyBody } from './state';
import type { IamBaseline, IamEntityBody, IamEntityRef, IamEntityType } from './types';

/**
 * Snapshots: the output of `aws iam get-account-authorization-details` (the IAM API's
 * GetAccountAuthorizationDetails), as documented in the AWS CLI reference
 * (https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html):
 *
 *   { "UserDetailList":  [{ UserName, Path, Arn, CreateDate, GroupList: [name], UserPolicyList: [{PolicyName, PolicyDocument}],
 *                           AttachedManagedPolicies: [{PolicyName, PolicyArn}], PermissionsBoundary: {PermissionsBoundaryArn} }],
 *     "GroupDetailList": [{ GroupName, Path, Arn, CreateDate, GroupPolicyList, AttachedManagedPolicies }],
 *     "RoleDetailList":  [{ RoleName, Path, Arn, CreateDate, AssumeRolePolicyDocument, RolePolicyList, AttachedManagedPolicies,
 *                           PermissionsBoundary, InstanceProfileList, RoleLastUsed }],
 *     "Policies":        [{ PolicyName, Path, Arn, DefaultVersionId, PolicyVersionList: [{Document, VersionId, IsDefaultVersion, CreateDate}] }],
 *     "IsTruncated", "Marker" }
 *
 * The API returns policy documents URL-encoded (RFC 3986); the CLI decodes them into objects. Both are read.
 * The output holds no access keys and no login profiles, so users' credentials stay PARTIAL after a snapshot.
 * A list that is present covers its whole type: an entity of that type missing from it did not exist at the
 * snapshot's time (unless the output says it is truncated).
 */

/** Entities per list at most (far above IAM's quotas: 5,000 users, 1,000 roles by default, 300 groups, 1,500 policies). */
const MAX_ENTITIES = 20_000;
const MAX_LIST = 1_000;

export interface IamSnapshot {
  AccountId: string;
  /** When the snapshot was taken (the output does not say: the caller does). */
  Time: string;
  /** The types whose lists were present and complete: absence from them means the entity did not exist. */
  CompleteTypes: IamEntityType[];
  /** Entity key (`entityKey`) → its state. */
  Entities: Map<string, { Entity: IamEntityRef; State: IamEntityBody }>;
  /** What could not be read (bounded). */
  Problems: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(object: Record<string, unknown>, key: string, max = 2048): string | undefined {
  const value = object[key];
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/** A list, or the single object the documentation's own example sometimes shows in its place. */
function list(value: unknown): Record<string, unknown>[] {
  const items = Array.isArray(value) ? value : isObject(value) ? [value] : [];
  return items.slice(0, MAX_LIST).filter(isObject);
}

function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function attached(detail: Record<string, unknown>): string[] {
  return [...new Set(list(detail.AttachedManagedPolicies).map((policy) => str(policy, 'PolicyArn')).filter((arn): arn is string => arn !== undefined))];
}

function inline(detail: Record<string, unknown>, key: string): IamEntityBody['InlinePolicies'] {
  return list(detail[key]).flatMap((policy) => {
    const policyName = str(policy, 'PolicyName', 128);
    return policyName ? [{ PolicyName: policyName, Document: decodePolicyDocument(policy.PolicyDocument) }] : [];
  });
}

function boundary(detail: Record<string, unknown>): string | null {
  const value = detail.PermissionsBoundary;
  return (isObject(value) && str(value, 'PermissionsBoundaryArn')) || null;
}

/**
 * Parses the JSON output (already `JSON.parse`d) of `get-account-authorization-details`. Never throws on
 * malformed content: what cannot be read is listed in `Problems`. `accountId` is taken from the entities'
 * ARNs when not given.
 */
export function parseAuthorizationDetails(output: unknown, options: { time: string; accountId?: string }): IamSnapshot {
  if (!Number.isFinite(Date.parse(options.time))) throw new Error('parseAuthorizationDetails: time must be an ISO-8601 moment');
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 50) problems.push(text);
  };
  const root = isObject(output) ? output : {};
  if (!isObject(output)) problem('the snapshot is not a JSON object');
  const truncated = root.IsTruncated === true;
  if (truncated) problem('the output is truncated (IsTruncated): entities missing from it are not known to be absent');

  const lists = { ROLE: 'RoleDetailList', USER: 'UserDetailList', GROUP: 'GroupDetailList', POLICY: 'Policies' } as const;
  const firstArn = (Object.values(lists) as string[]).flatMap((key) => (Array.isArray(root[key]) ? (root[key] as unknown[]) : [])).filter(isObject).map((detail) => accountOfArn(str(detail, 'Arn'))).find((account) => account !== undefined);
  const accountId = options.accountId ?? firstArn;
  if (!accountId) throw new Error('parseAuthorizationDetails: no account id given and none in the entities’ ARNs');

  const entities: IamSnapshot['Entities'] = new Map();
  const completeTypes: IamEntityType[] = [];
  const add = (type: IamEntityType, entityName: string | undefined, state: IamEntityBody, arn: string | undefined) => {
    if (!entityName || entityName.length > 128) return problem(`a ${type.toLowerCase()} without a usable name`);
    const account = accountOfArn(arn) ?? accountId;
    if (account !== accountId) return problem(`${type.toLowerCase()} ${entityName} belongs to account ${account}, not ${accountId}`);
    if (entities.size >= MAX_ENTITIES) return problem('too many entities: the rest were left out');
    const ref: IamEntityRef = { AccountId: accountId, Type: type, Name: entityName };
    entities.set(entityKey(ref), { Entity: ref, State: state });
  };

  const base = (detail: Record<string, unknown>): IamEntityBody => {
    const body = emptyBody(true);
    const arn = str(detail, 'Arn');
    if (arn) body.Arn = arn;
    const path = str(detail, 'Path', 512);
    if (path) body.Path = path;
    const created = str(detail, 'CreateDate', 64);
    if (created) body.CreatedAt = created;
    return body;
  };

  const members = new Map<string, string[]>();
  for (const [type, key] of Object.entries(lists) as [IamEntityType, string][]) {
    if (!Object.prototype.hasOwnProperty.call(root, key)) continue;
    if (!Array.isArray(root[key])) {
      problem(`${key} is not a list`);
      continue;
    }
    if ((root[key] as unknown[]).length > MAX_ENTITIES) problem(`${key} has more than ${MAX_ENTITIES} entries: the rest were left out`);
    else if (!truncated) completeTypes.push(type);
    for (const detail of (root[key] as unknown[]).slice(0, MAX_ENTITIES)) {
      if (!isObject(detail)) {
        problem(`an entry of ${key} is not an object`);
        continue;
      }
      const body = base(detail);
      switch (type) {
        case 'ROLE':
          body.TrustPolicy = decodePolicyDocument(detail.AssumeRolePolicyDocument, { trust: true });
          body.InlinePolicies = inline(detail, 'RolePolicyList');
          body.AttachedPolicies = attached(detail);
          body.PermissionsBoundary = boundary(detail);
          add(type, str(detail, 'RoleName', 128), body, body.Arn);
          break;
        case 'USER': {
          body.InlinePolicies = inline(detail, 'UserPolicyList');
          body.AttachedPolicies = attached(detail);
          body.PermissionsBoundary = boundary(detail);
          body.Groups = Array.isArray(detail.GroupList) ? [...new Set(detail.GroupList.slice(0, MAX_LIST).filter((group): group is string => typeof group === 'string' && group.length > 0 && group.length <= 128))] : [];
          // The snapshot has no access keys and no login profiles.
          body.CredentialsKnown = false;
          const userName = str(detail, 'UserName', 128);
          if (userName) for (const group of body.Groups) members.set(group.toLowerCase(), [...(members.get(group.toLowerCase()) ?? []), userName]);
          add(type, userName, body, body.Arn);
          break;
        }
        case 'GROUP':
          body.InlinePolicies = inline(detail, 'GroupPolicyList');
          body.AttachedPolicies = attached(detail);
          add(type, str(detail, 'GroupName', 128), body, body.Arn);
          break;
        case 'POLICY': {
          // AWS-managed policies (`arn:aws:iam::aws:policy/…`, with `--filter AWSManagedPolicy`) are not the account's.
          const arn = str(detail, 'Arn');
          const ref = arn ? policyRefOfArn(arn) : undefined;
          if (!ref) break;
          body.Versions = list(detail.PolicyVersionList).flatMap((version) => {
            const versionId = str(version, 'VersionId', 16);
            const created = str(version, 'CreateDate', 64);
            return versionId ? [{ VersionId: versionId, Document: decodePolicyDocument(version.Document), ...(created ? { CreatedAt: created } : {}) }] : [];
          });
          body.DefaultVersionId = str(detail, 'DefaultVersionId', 16) ?? list(detail.PolicyVersionList).map((version) => (version.IsDefaultVersion === true ? str(version, 'VersionId', 16) : undefined)).find((id) => id !== undefined) ?? null;
          add(type, ref.Name, body, arn);
          break;
        }
      }
    }
  }
  // Group members come from the users' GroupList.
  for (const { Entity, State } of entities.values()) {
    if (Entity.Type === 'GROUP') State.Members = members.get(Entity.Name.toLowerCase()) ?? [];
  }
  if (!completeTypes.includes('USER') && completeTypes.includes('GROUP')) {
    problem('groups without the user list: their members are not known');
  }
  return { AccountId: accountId, Time: options.time, CompleteTypes: completeTypes, Entities: entities, Problems: problems };
}

/**
 * The baseline a snapshot gives one entity: its state, or (when its type's list is complete and it is not in
 * it) its absence. Undefined when the snapshot says nothing about it (another account, a type not fetched).
 */
export function snapshotBaseline(snapshot: IamSnapshot, entity: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>): IamBaseline | undefined {
  if (entity.AccountId !== snapshot.AccountId) return undefined;
  const found = snapshot.Entities.get(entityKey(entity));
  if (found) {
    const groupsKnown = entity.Type !== 'GROUP' || snapshot.CompleteTypes.includes('USER');
    return {
      Source: 'SNAPSHOT',
      Time: snapshot.Time,
      State: found.State,
      Coverage: groupsKnown ? 'FULL' : 'PARTIAL',
      ...(groupsKnown ? {} : { CoverageReason: `the IAM snapshot of ${snapshot.Time} has no user list: the group's members are not known` }),
    };
  }
  if (!snapshot.CompleteTypes.includes(entity.Type)) return undefined;
  return { Source: 'SNAPSHOT', Time: snapshot.Time, State: emptyBody(false), Coverage: 'FULL' };
}

import { createHash } from 'node:crypto';
import type { CloudTrailRecord } from '../cloudtrail/types';
import { decodePolicyDocument } from './policy-document';
import type { ChangeOrderKey, IamAction, IamChange, IamEntityRef, IamEntityType } from './types';

/**
 * CloudTrail IAM write events → changes per entity. The parameter names are those of the IAM API as
 * CloudTrail logs them (camelCase `requestParameters`, and `responseElements` for what IAM assigned: a
 * role's ARN, a policy version's id, an access key's id). Anything else from `iam.amazonaws.com` (reads,
 * instance profiles, tags, SAML providers...) gives no change.
 */

export const IAM_EVENT_SOURCE = 'iam.amazonaws.com';
/** IAM names are at most 128 characters (policy names 128, roles 64, users 64); longer ones never named an entity. */
const MAX_NAME_CHARS = 128;
const MAX_ARN_CHARS = 2048;
const MAX_BY_CHARS = 2048;
const ACCOUNT_ID = /^\d{12}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(object: unknown, key: string, max = MAX_ARN_CHARS): string | undefined {
  if (!isObject(object)) return undefined;
  const value = object[key];
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

function name(object: unknown, key: string): string | undefined {
  return str(object, key, MAX_NAME_CHARS);
}

function bool(object: unknown, key: string): boolean | undefined {
  if (!isObject(object)) return undefined;
  const value = object[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

function child(object: unknown, key: string): Record<string, unknown> | undefined {
  if (!isObject(object)) return undefined;
  const value = object[key];
  return isObject(value) ? value : undefined;
}

/** `arn:aws:iam::123456789012:policy/path/Name` → its account and name; AWS-managed policies (`iam::aws:`) have no account. */
export function policyRefOfArn(arn: string): { AccountId: string; Name: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'iam') return undefined;
  const resource = parts.slice(5).join(':');
  if (!resource.startsWith('policy/') || !ACCOUNT_ID.test(parts[4])) return undefined;
  const policyName = resource.split('/').pop();
  if (!policyName || policyName.length > MAX_NAME_CHARS) return undefined;
  return { AccountId: parts[4], Name: policyName };
}

/**
 * Canonical order of changes: by time, then by what a same-second sequence must have been (IAM refuses to
 * delete an entity that still has policies, keys or members, and to change one before it exists), then by
 * eventID. CloudTrail logs times to the second, so the order inside a second is otherwise unknown; this one
 * is a total order on the changes themselves, so any arrival order folds to the same state.
 */
const RANK: Record<IamAction['Kind'], number> = {
  CREATE: 0,
  SET_TRUST: 1,
  PUT_INLINE: 1,
  ATTACH: 1,
  SET_BOUNDARY: 1,
  JOIN_GROUP: 1,
  ADD_MEMBER: 1,
  CREATE_VERSION: 1,
  CREATE_ACCESS_KEY: 1,
  CREATE_LOGIN_PROFILE: 1,
  SET_DEFAULT_VERSION: 2,
  UPDATE_ACCESS_KEY: 2,
  UPDATE_LOGIN_PROFILE: 2,
  DELETE_INLINE: 3,
  DETACH: 3,
  DELETE_BOUNDARY: 3,
  LEAVE_GROUP: 3,
  REMOVE_MEMBER: 3,
  DELETE_VERSION: 3,
  DELETE_ACCESS_KEY: 3,
  DELETE_LOGIN_PROFILE: 3,
  DELETE: 4,
};

export function changeRank(change: Pick<IamChange, 'Action'>): number {
  return RANK[change.Action.Kind];
}

export function orderKey(change: IamChange): ChangeOrderKey {
  return { Time: change.Time, Rank: changeRank(change), EventId: change.EventId };
}

export function compareOrderKeys(a: ChangeOrderKey, b: ChangeOrderKey): number {
  const ta = Date.parse(a.Time);
  const tb = Date.parse(b.Time);
  if (ta !== tb) return ta - tb;
  if (a.Rank !== b.Rank) return a.Rank - b.Rank;
  return a.EventId < b.EventId ? -1 : a.EventId > b.EventId ? 1 : 0;
}

export function compareChanges(a: IamChange, b: IamChange): number {
  return compareOrderKeys(orderKey(a), orderKey(b));
}

export function entityKey(ref: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>): string {
  return `${ref.AccountId}#${ref.Type}#${ref.Name.toLowerCase()}`;
}

type Extracted = { type: IamEntityType; name: string; accountId?: string; action: IamAction }[];

/** The user a self-service call (no `userName`) acts on: the calling IAM user. Root's own keys are not modelled. */
function userOf(record: CloudTrailRecord): string | undefined {
  const explicit = name(record.requestParameters, 'userName') ?? name(child(record.responseElements, 'accessKey'), 'userName');
  if (explicit) return explicit;
  if (record.userIdentity.type === 'IAMUser') return name(record.userIdentity, 'userName');
  return undefined;
}

function policyEntity(arn: string | undefined): { name: string; accountId: string } | undefined {
  if (!arn) return undefined;
  const ref = policyRefOfArn(arn);
  return ref && { name: ref.Name, accountId: ref.AccountId };
}

const KIND_BY_PREFIX: Record<'Role' | 'User' | 'Group', { type: IamEntityType; key: string }> = {
  Role: { type: 'ROLE', key: 'roleName' },
  User: { type: 'USER', key: 'userName' },
  Group: { type: 'GROUP', key: 'groupName' },
};

const ENTITY_EVENT = /^(Put|Delete|Attach|Detach)(Role|User|Group)(Policy|PermissionsBoundary)$/;

function extract(record: CloudTrailRecord): Extracted {
  const request = record.requestParameters;
  const response = record.responseElements;
  const event = record.eventName;

  const entityEvent = ENTITY_EVENT.exec(event);
  if (entityEvent) {
    const [, verb, noun, what] = entityEvent as unknown as [string, 'Put' | 'Delete' | 'Attach' | 'Detach', 'Role' | 'User' | 'Group', 'Policy' | 'PermissionsBoundary'];
    const { type, key } = KIND_BY_PREFIX[noun];
    const entityName = name(request, key);
    if (!entityName) return [];
    let action: IamAction | undefined;
    if (what === 'PermissionsBoundary') {
      if (noun === 'Group') return [];
      const boundary = str(request, 'permissionsBoundary');
      if (verb === 'Put' && boundary) action = { Kind: 'SET_BOUNDARY', PolicyArn: boundary };
      else if (verb === 'Delete') action = { Kind: 'DELETE_BOUNDARY' };
    } else {
      const policyName = name(request, 'policyName');
      const policyArn = str(request, 'policyArn');
      if (verb === 'Put' && policyName) action = { Kind: 'PUT_INLINE', PolicyName: policyName, Document: decodePolicyDocument(isObject(request) ? request.policyDocument : undefined) };
      else if (verb === 'Delete' && policyName) action = { Kind: 'DELETE_INLINE', PolicyName: policyName };
      else if (verb === 'Attach' && policyArn) action = { Kind: 'ATTACH', PolicyArn: policyArn };
      else if (verb === 'Detach' && policyArn) action = { Kind: 'DETACH', PolicyArn: policyArn };
    }
    return action ? [{ type, name: entityName, action }] : [];
  }

  switch (event) {
    case 'CreateRole': {
      const roleName = name(request, 'roleName');
      if (!roleName) return [];
      const role = child(response, 'role');
      const document = isObject(request) && request.assumeRolePolicyDocument !== undefined ? request.assumeRolePolicyDocument : role?.assumeRolePolicyDocument;
      return [
        {
          type: 'ROLE',
          name: roleName,
          action: {
            Kind: 'CREATE',
            ...optional('Arn', str(role, 'arn')),
            ...optional('Path', str(request, 'path') ?? str(role, 'path')),
            TrustPolicy: decodePolicyDocument(document, { trust: true }),
            ...optional('PermissionsBoundary', str(request, 'permissionsBoundary')),
          },
        },
      ];
    }
    case 'UpdateAssumeRolePolicy': {
      const roleName = name(request, 'roleName');
      if (!roleName) return [];
      return [{ type: 'ROLE', name: roleName, action: { Kind: 'SET_TRUST', TrustPolicy: decodePolicyDocument(isObject(request) ? request.policyDocument : undefined, { trust: true }) } }];
    }
    case 'DeleteRole':
    case 'DeleteUser':
    case 'DeleteGroup': {
      const noun = event.slice('Delete'.length) as 'Role' | 'User' | 'Group';
      const entityName = name(request, KIND_BY_PREFIX[noun].key);
      return entityName ? [{ type: KIND_BY_PREFIX[noun].type, name: entityName, action: { Kind: 'DELETE' } }] : [];
    }
    case 'CreateUser':
    case 'CreateGroup': {
      const noun = event === 'CreateUser' ? 'User' : 'Group';
      const entityName = name(request, KIND_BY_PREFIX[noun].key);
      if (!entityName) return [];
      const created = child(response, noun.toLowerCase());
      return [
        {
          type: KIND_BY_PREFIX[noun].type,
          name: entityName,
          action: {
            Kind: 'CREATE',
            ...optional('Arn', str(created, 'arn')),
            ...optional('Path', str(request, 'path') ?? str(created, 'path')),
            ...optional('PermissionsBoundary', noun === 'User' ? str(request, 'permissionsBoundary') : undefined),
          },
        },
      ];
    }
    case 'AddUserToGroup':
    case 'RemoveUserFromGroup': {
      const userName = name(request, 'userName');
      const groupName = name(request, 'groupName');
      if (!userName || !groupName) return [];
      const adding = event === 'AddUserToGroup';
      return [
        { type: 'USER', name: userName, action: adding ? { Kind: 'JOIN_GROUP', GroupName: groupName } : { Kind: 'LEAVE_GROUP', GroupName: groupName } },
        { type: 'GROUP', name: groupName, action: adding ? { Kind: 'ADD_MEMBER', UserName: userName } : { Kind: 'REMOVE_MEMBER', UserName: userName } },
      ];
    }
    case 'CreatePolicy': {
      const policyName = name(request, 'policyName');
      if (!policyName) return [];
      const policy = child(response, 'policy');
      const arn = str(policy, 'arn');
      const fromArn = arn ? policyRefOfArn(arn) : undefined;
      return [
        {
          type: 'POLICY',
          name: fromArn?.Name ?? policyName,
          ...optional('accountId', fromArn?.AccountId),
          action: {
            Kind: 'CREATE',
            ...optional('Arn', arn),
            ...optional('Path', str(request, 'path') ?? str(policy, 'path')),
            Document: decodePolicyDocument(isObject(request) ? request.policyDocument : undefined),
            DefaultVersionId: str(policy, 'defaultVersionId', 16) ?? 'v1',
          },
        },
      ];
    }
    case 'CreatePolicyVersion': {
      const policy = policyEntity(str(request, 'policyArn'));
      if (!policy) return [];
      const version = child(response, 'policyVersion');
      const setAsDefault = bool(request, 'setAsDefault') ?? bool(version, 'isDefaultVersion') ?? false;
      return [
        {
          type: 'POLICY',
          name: policy.name,
          accountId: policy.accountId,
          action: { Kind: 'CREATE_VERSION', ...optional('VersionId', str(version, 'versionId', 16)), Document: decodePolicyDocument(isObject(request) ? request.policyDocument : undefined), SetAsDefault: setAsDefault },
        },
      ];
    }
    case 'SetDefaultPolicyVersion':
    case 'DeletePolicyVersion': {
      const policy = policyEntity(str(request, 'policyArn'));
      const versionId = str(request, 'versionId', 16);
      if (!policy || !versionId) return [];
      return [{ type: 'POLICY', name: policy.name, accountId: policy.accountId, action: { Kind: event === 'SetDefaultPolicyVersion' ? 'SET_DEFAULT_VERSION' : 'DELETE_VERSION', VersionId: versionId } }];
    }
    case 'DeletePolicy': {
      const policy = policyEntity(str(request, 'policyArn'));
      return policy ? [{ type: 'POLICY', name: policy.name, accountId: policy.accountId, action: { Kind: 'DELETE' } }] : [];
    }
    case 'CreateAccessKey': {
      const userName = userOf(record);
      if (!userName) return [];
      const key = child(response, 'accessKey');
      return [{ type: 'USER', name: userName, action: { Kind: 'CREATE_ACCESS_KEY', ...optional('AccessKeyId', str(key, 'accessKeyId', 128)), ...optional('Status', str(key, 'status', 32)) } }];
    }
    case 'UpdateAccessKey':
    case 'DeleteAccessKey': {
      const userName = userOf(record);
      const accessKeyId = str(request, 'accessKeyId', 128);
      if (!userName || !accessKeyId) return [];
      if (event === 'DeleteAccessKey') return [{ type: 'USER', name: userName, action: { Kind: 'DELETE_ACCESS_KEY', AccessKeyId: accessKeyId } }];
      const status = str(request, 'status', 32);
      return status ? [{ type: 'USER', name: userName, action: { Kind: 'UPDATE_ACCESS_KEY', AccessKeyId: accessKeyId, Status: status } }] : [];
    }
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
    case 'DeleteLoginProfile': {
      const userName = userOf(record);
      if (!userName) return [];
      const reset = bool(request, 'passwordResetRequired');
      const action: IamAction =
        event === 'DeleteLoginProfile'
          ? { Kind: 'DELETE_LOGIN_PROFILE' }
          : { Kind: event === 'CreateLoginProfile' ? 'CREATE_LOGIN_PROFILE' : 'UPDATE_LOGIN_PROFILE', ...optional('PasswordResetRequired', reset) };
      return [{ type: 'USER', name: userName, action }];
    }
    default:
      return [];
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The id of an event: its eventID, or (when a hostile or damaged record lacks one) a digest of what identifies it. */
function eventIdOf(record: CloudTrailRecord): string {
  if (typeof record.eventID === 'string' && record.eventID.length > 0 && record.eventID.length <= 128) return record.eventID;
  const digest = createHash('sha256')
    .update(JSON.stringify([record.eventTime, record.eventName, record.userIdentity?.arn ?? null, record.requestParameters ?? null, record.errorCode ?? null]))
    .digest('hex')
    .slice(0, 32);
  return `synthetic-${digest}`;
}

function callerOf(record: CloudTrailRecord): string {
  const identity = record.userIdentity;
  const by = identity.arn ?? identity.invokedBy ?? identity.principalId ?? identity.type ?? 'unknown';
  return typeof by === 'string' ? by.slice(0, MAX_BY_CHARS) : 'unknown';
}

/** The IAM changes one CloudTrail record makes (none for other events). Never throws on malformed input. */
export function iamChangesOf(record: CloudTrailRecord): IamChange[] {
  if (record.eventSource !== IAM_EVENT_SOURCE || typeof record.eventName !== 'string') return [];
  if (typeof record.eventTime !== 'string' || !Number.isFinite(Date.parse(record.eventTime))) return [];
  if (!isObject(record.userIdentity)) return [];
  const recordAccount = [record.recipientAccountId, record.userIdentity.accountId].find((value): value is string => typeof value === 'string' && ACCOUNT_ID.test(value));
  const extracted = extract(record);
  if (extracted.length === 0) return [];
  const succeeded = record.errorCode === undefined || record.errorCode === null || record.errorCode === '';
  const eventId = eventIdOf(record);
  const by = callerOf(record);
  const session = str(record.userIdentity, 'accessKeyId', 128);
  const sourceIp = typeof record.sourceIPAddress === 'string' ? record.sourceIPAddress.slice(0, 256) : undefined;
  const changes: IamChange[] = [];
  for (const { type, name: entityName, accountId, action } of extracted) {
    const account = accountId ?? recordAccount;
    if (!account) continue;
    changes.push({
      Entity: { AccountId: account, Type: type, Name: entityName },
      EventId: eventId,
      Time: record.eventTime,
      EventName: record.eventName.slice(0, 128),
      By: by,
      ...optional('Session', session),
      ...optional('SourceIp', sourceIp),
      Succeeded: succeeded,
      ...optional('ErrorCode', succeeded ? undefined : String(record.errorCode).slice(0, 128)),
      Action: action,
    });
  }
  return changes;
}

/** Changes grouped per entity (by `entityKey`), each list in canonical order with each eventID once. */
export function changesByEntity(records: Iterable<CloudTrailRecord>): Map<string, IamChange[]> {
  const byEntity = new Map<string, Map<string, IamChange>>();
  for (const record of records) {
    for (const change of iamChangesOf(record)) {
      const key = entityKey(change.Entity);
      let changes = byEntity.get(key);
      if (!changes) byEntity.set(key, (changes = new Map()));
      const existing = changes.get(change.EventId);
      if (!existing || preferred(change, existing)) changes.set(change.EventId, change);
    }
  }
  return new Map([...byEntity].map(([key, changes]) => [key, [...changes.values()].sort(compareChanges)]));
}

/**
 * Two changes with one eventID (a duplicate delivery, an organization trail beside the account's) are one
 * event; should their contents differ, the smaller serialisation wins, so the choice does not depend on order.
 */
export function preferred(candidate: IamChange, existing: IamChange): boolean {
  // A copy whose documents were trimmed (a bounded stored history) wins over the full one, so merging the
  // hour's changes again does not undo the bound.
  const kept = keptDocumentChars(candidate) - keptDocumentChars(existing);
  if (kept !== 0) return kept < 0;
  return JSON.stringify(candidate) < JSON.stringify(existing);
}

function keptDocumentChars(change: IamChange): number {
  const action = change.Action;
  const docs = action.Kind === 'CREATE' ? [action.TrustPolicy, action.Document] : action.Kind === 'SET_TRUST' ? [action.TrustPolicy] : action.Kind === 'PUT_INLINE' || action.Kind === 'CREATE_VERSION' ? [action.Document] : [];
  return docs.reduce((sum, doc) => sum + (doc?.Text?.length ?? 0), 0);
}

/** Who made a change, from where, and how it ended: the same members wherever a change is reported. */
export function attributionOf(change: IamChange): { By: string; Session?: string; SourceIp?: string; Succeeded: boolean; ErrorCode?: string } {
  return {
    By: change.By,
    ...(change.Session ? { Session: change.Session } : {}),
    ...(change.SourceIp ? { SourceIp: change.SourceIp } : {}),
    Succeeded: change.Succeeded,
    ...(change.ErrorCode ? { ErrorCode: change.ErrorCode } : {}),
  };
}

import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { historiesFromRecords, iamChangesOf, stateAt } from '../../lambdas/core/iam';
import type { EntityHistory, PermissionsAtTime } from '../../lambdas/core/iam';
import { OTHER_ACCOUNT, iamUser } from '../helpers/records';
import { ACCOUNT, ADMIN, READONLY, at, attacker, createRole, iamEvent, trustDocument } from './iam-records';

const END = '2030-01-01T00:00:00Z';

function fold(records: CloudTrailRecord[], type: string, name: string, time = END, orgAccountIds?: Set<string>): PermissionsAtTime {
  const history = historiesFromRecords(records).get(`${ACCOUNT}#${type}#${name.toLowerCase()}`);
  if (!history) throw new Error(`no history for ${type} ${name}`);
  return stateAt(history, time, orgAccountIds ? { orgAccountIds } : {});
}

function historyOf(records: CloudTrailRecord[], type: string, name: string): EntityHistory {
  const history = historiesFromRecords(records).get(`${ACCOUNT}#${type}#${name.toLowerCase()}`);
  if (!history) throw new Error(`no history for ${type} ${name}`);
  return history;
}

describe('roles', () => {
  it('CreateRole, UpdateAssumeRolePolicy, Put/DeleteRolePolicy, Attach/DetachRolePolicy, Put/DeleteRolePermissionsBoundary, DeleteRole', () => {
    const records = [
      createRole('App'),
      iamEvent('PutRolePolicy', { roleName: 'App', policyName: 'inline', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }),
      iamEvent('AttachRolePolicy', { roleName: 'App', policyArn: ADMIN }),
      iamEvent('AttachRolePolicy', { roleName: 'App', policyArn: READONLY }),
      iamEvent('PutRolePermissionsBoundary', { roleName: 'App', permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/boundary` }),
      iamEvent('UpdateAssumeRolePolicy', { roleName: 'App', policyDocument: trustDocument({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }) }),
    ];
    const mid = fold(records, 'ROLE', 'App');
    expect(mid).toMatchObject({
      Exists: true,
      Coverage: 'FULL',
      Arn: `arn:aws:iam::${ACCOUNT}:role/App`,
      AttachedPolicies: [{ PolicyArn: ADMIN }, { PolicyArn: READONLY }],
      InlinePolicies: [{ PolicyName: 'inline', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }],
      PermissionsBoundary: { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/boundary` },
      ExternalPrincipals: [{ Principal: `arn:aws:iam::${OTHER_ACCOUNT}:root`, AccountId: OTHER_ACCOUNT, Flags: ['OUTSIDE_ACCOUNT'] }],
    });
    const later = [
      ...records,
      iamEvent('DetachRolePolicy', { roleName: 'App', policyArn: ADMIN }),
      iamEvent('DeleteRolePolicy', { roleName: 'App', policyName: 'INLINE' }),
      iamEvent('DeleteRolePermissionsBoundary', { roleName: 'App' }),
    ];
    expect(fold(later, 'ROLE', 'App')).toMatchObject({ AttachedPolicies: [{ PolicyArn: READONLY }], InlinePolicies: [], PermissionsBoundary: null });
    const deleted = fold([...later, iamEvent('DetachRolePolicy', { roleName: 'App', policyArn: READONLY }), iamEvent('DeleteRole', { roleName: 'App' })], 'ROLE', 'App');
    expect(deleted).toMatchObject({ Exists: false, Coverage: 'FULL', AttachedPolicies: [], TrustPolicy: null, ExternalPrincipals: [] });
    expect(deleted.Changes).toHaveLength(11);
  });

  it('a PutRolePolicy replaces the inline policy of the same name (names are not case-sensitive)', () => {
    const records = [createRole('App'), iamEvent('PutRolePolicy', { roleName: 'App', policyName: 'p', policyDocument: '{"Statement":[]}' }), iamEvent('PutRolePolicy', { roleName: 'app', policyName: 'P', policyDocument: '{"Statement":[{}]}' })];
    expect(fold(records, 'ROLE', 'App').InlinePolicies).toEqual([{ PolicyName: 'P', PolicyDocument: '{"Statement":[{}]}' }]);
  });

  it('CreateRole with a permissions boundary', () => {
    const record = createRole('Bounded');
    (record.requestParameters as Record<string, unknown>).permissionsBoundary = `arn:aws:iam::${ACCOUNT}:policy/b`;
    expect(fold([record], 'ROLE', 'Bounded').PermissionsBoundary).toEqual({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/b` });
  });

  it('the caller, session and source address are kept per change', () => {
    const change = iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'App', policyArn: ADMIN }, { userIdentity: attacker, sourceIPAddress: '203.0.113.7' }))[0];
    expect(change).toMatchObject({ By: `arn:aws:sts::${ACCOUNT}:assumed-role/Compromised/i-0abc`, Session: 'ASIAATTACKER', SourceIp: '203.0.113.7', Succeeded: true, EventName: 'AttachRolePolicy' });
  });

  it('a role recreated under the same name: each moment shows the one that existed', () => {
    const records = [createRole('App'), iamEvent('AttachRolePolicy', { roleName: 'App', policyArn: ADMIN }), iamEvent('DetachRolePolicy', { roleName: 'App', policyArn: ADMIN }), iamEvent('DeleteRole', { roleName: 'App' }), createRole('App')];
    const history = historyOf(records, 'ROLE', 'App');
    expect(stateAt(history, records[1].eventTime).AttachedPolicies).toEqual([{ PolicyArn: ADMIN }]);
    expect(stateAt(history, records[3].eventTime).Exists).toBe(false);
    expect(stateAt(history, records[4].eventTime)).toMatchObject({ Exists: true, AttachedPolicies: [], Coverage: 'FULL' });
  });
});

describe('users and groups', () => {
  it('CreateUser, Put/DeleteUserPolicy, Attach/DetachUserPolicy, PutUserPermissionsBoundary, AddUserToGroup, RemoveUserFromGroup, DeleteUser', () => {
    const records = [
      iamEvent('CreateUser', { userName: 'eve', path: '/' }, { responseElements: { user: { path: '/', userName: 'eve', userId: 'AIDAEVE', arn: `arn:aws:iam::${ACCOUNT}:user/eve`, createDate: 'Oct 22, 2026 10:00:00 AM' } } }),
      iamEvent('PutUserPolicy', { userName: 'eve', policyName: 'all', policyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' }),
      iamEvent('AttachUserPolicy', { userName: 'eve', policyArn: ADMIN }),
      iamEvent('PutUserPermissionsBoundary', { userName: 'eve', permissionsBoundary: ADMIN }),
      iamEvent('CreateGroup', { groupName: 'Ops', path: '/' }),
      iamEvent('AddUserToGroup', { groupName: 'Ops', userName: 'eve' }),
    ];
    expect(fold(records, 'USER', 'eve')).toMatchObject({
      Exists: true,
      Arn: `arn:aws:iam::${ACCOUNT}:user/eve`,
      AttachedPolicies: [{ PolicyArn: ADMIN }],
      InlinePolicies: [{ PolicyName: 'all' }],
      PermissionsBoundary: { PolicyArn: ADMIN },
      Groups: [{ GroupName: 'Ops' }],
      Coverage: 'FULL',
    });
    expect(fold(records, 'GROUP', 'Ops')).toMatchObject({ Exists: true, Members: [{ UserName: 'eve' }], Coverage: 'FULL' });
    const later = [
      ...records,
      iamEvent('RemoveUserFromGroup', { groupName: 'Ops', userName: 'eve' }),
      iamEvent('DeleteUserPolicy', { userName: 'eve', policyName: 'all' }),
      iamEvent('DetachUserPolicy', { userName: 'eve', policyArn: ADMIN }),
      iamEvent('DeleteUserPermissionsBoundary', { userName: 'eve' }),
    ];
    expect(fold(later, 'USER', 'eve')).toMatchObject({ Exists: true, AttachedPolicies: [], InlinePolicies: [], PermissionsBoundary: null, Groups: [] });
    expect(fold(later, 'GROUP', 'Ops').Members).toEqual([]);
    expect(fold([...later, iamEvent('DeleteUser', { userName: 'eve' })], 'USER', 'eve').Exists).toBe(false);
  });

  it('CreateGroup, Put/DeleteGroupPolicy, Attach/DetachGroupPolicy, DeleteGroup', () => {
    const records = [
      iamEvent('CreateGroup', { groupName: 'Ops', path: '/' }, { responseElements: { group: { groupName: 'Ops', arn: `arn:aws:iam::${ACCOUNT}:group/Ops`, path: '/' } } }),
      iamEvent('PutGroupPolicy', { groupName: 'Ops', policyName: 'g', policyDocument: '{"Statement":[]}' }),
      iamEvent('AttachGroupPolicy', { groupName: 'Ops', policyArn: READONLY }),
    ];
    expect(fold(records, 'GROUP', 'Ops')).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT}:group/Ops`, AttachedPolicies: [{ PolicyArn: READONLY }], InlinePolicies: [{ PolicyName: 'g' }] });
    const gone = [...records, iamEvent('DetachGroupPolicy', { groupName: 'Ops', policyArn: READONLY }), iamEvent('DeleteGroupPolicy', { groupName: 'Ops', policyName: 'g' }), iamEvent('DeleteGroup', { groupName: 'Ops' })];
    expect(fold(gone, 'GROUP', 'Ops')).toMatchObject({ Exists: false, AttachedPolicies: [], InlinePolicies: [] });
  });

  it('access keys: CreateAccessKey (id from the response), UpdateAccessKey, DeleteAccessKey; self-service calls name no user', () => {
    const self = iamUser('carol', 'AKIACAROLOLD');
    const records = [
      iamEvent('CreateUser', { userName: 'carol' }),
      iamEvent('CreateAccessKey', {}, { userIdentity: self, responseElements: { accessKey: { userName: 'carol', accessKeyId: 'AKIACAROLNEW', status: 'Active', createDate: 'Oct 22, 2026 10:00:00 AM' } } }),
      iamEvent('CreateAccessKey', { userName: 'carol' }, { responseElements: { accessKey: { userName: 'carol', accessKeyId: 'AKIACAROL2', status: 'Active' } } }),
      iamEvent('UpdateAccessKey', { accessKeyId: 'AKIACAROLNEW', status: 'Inactive' }, { userIdentity: self }),
    ];
    expect(fold(records, 'USER', 'carol').AccessKeys).toEqual([
      { AccessKeyId: 'AKIACAROLNEW', Status: 'Inactive', CreatedAt: records[1].eventTime },
      { AccessKeyId: 'AKIACAROL2', Status: 'Active', CreatedAt: records[2].eventTime },
    ]);
    expect(fold([...records, iamEvent('DeleteAccessKey', { userName: 'carol', accessKeyId: 'AKIACAROLNEW' })], 'USER', 'carol').AccessKeys.map((key) => key.AccessKeyId)).toEqual(['AKIACAROL2']);
  });

  it('login profiles: Create, Update, Delete', () => {
    const records = [iamEvent('CreateUser', { userName: 'dan' }), iamEvent('CreateLoginProfile', { userName: 'dan', passwordResetRequired: true }), iamEvent('UpdateLoginProfile', { userName: 'dan', passwordResetRequired: false })];
    expect(fold(records, 'USER', 'dan').LoginProfile).toEqual({ CreatedAt: records[1].eventTime, PasswordResetRequired: false });
    expect(fold([...records, iamEvent('DeleteLoginProfile', { userName: 'dan' })], 'USER', 'dan').LoginProfile).toBeNull();
  });

  it('root’s own access keys (no userName, caller root) are not modelled', () => {
    expect(iamChangesOf(iamEvent('CreateAccessKey', {}, { userIdentity: { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT } }))).toEqual([]);
  });
});

describe('customer-managed policies', () => {
  const arn = `arn:aws:iam::${ACCOUNT}:policy/deploy`;
  const v1 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
  const v2 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

  it('CreatePolicy, CreatePolicyVersion (set as default), SetDefaultPolicyVersion, DeletePolicyVersion, DeletePolicy', () => {
    const records = [
      iamEvent('CreatePolicy', { policyName: 'deploy', path: '/', policyDocument: v1 }, { responseElements: { policy: { policyName: 'deploy', arn, path: '/', defaultVersionId: 'v1' } } }),
      iamEvent('CreatePolicyVersion', { policyArn: arn, policyDocument: v2, setAsDefault: true }, { userIdentity: attacker, responseElements: { policyVersion: { versionId: 'v2', isDefaultVersion: true } } }),
    ];
    expect(fold(records, 'POLICY', 'deploy').PolicyVersions).toEqual([
      { VersionId: 'v1', IsDefault: false, PolicyDocument: v1 },
      { VersionId: 'v2', IsDefault: true, PolicyDocument: v2 },
    ]);
    const reverted = [...records, iamEvent('SetDefaultPolicyVersion', { policyArn: arn, versionId: 'v1' }), iamEvent('DeletePolicyVersion', { policyArn: arn, versionId: 'v2' })];
    expect(fold(reverted, 'POLICY', 'deploy').PolicyVersions).toEqual([{ VersionId: 'v1', IsDefault: true, PolicyDocument: v1 }]);
    expect(fold([...reverted, iamEvent('DeletePolicy', { policyArn: arn })], 'POLICY', 'deploy')).toMatchObject({ Exists: false, PolicyVersions: [] });
  });

  it('AWS-managed policies have no history of their own; a policy of another account is keyed by its own account', () => {
    expect(iamChangesOf(iamEvent('CreatePolicyVersion', { policyArn: ADMIN, policyDocument: v2, setAsDefault: true }))).toEqual([]);
    const other = iamChangesOf(iamEvent('SetDefaultPolicyVersion', { policyArn: `arn:aws:iam::${OTHER_ACCOUNT}:policy/x`, versionId: 'v3' }));
    expect(other.map((change) => change.Entity)).toEqual([{ AccountId: OTHER_ACCOUNT, Type: 'POLICY', Name: 'x' }]);
  });
});

describe('failed calls', () => {
  it('are kept as attempts, with their error, and change nothing', () => {
    const records = [
      createRole('App'),
      iamEvent('AttachRolePolicy', { roleName: 'App', policyArn: ADMIN }, { userIdentity: attacker, errorCode: 'AccessDenied', errorMessage: 'not authorized' }),
      iamEvent('UpdateAssumeRolePolicy', { roleName: 'App', policyDocument: trustDocument({ AWS: '*' }) }, { userIdentity: attacker, errorCode: 'AccessDenied' }),
      iamEvent('DeleteRole', { roleName: 'App' }, { errorCode: 'DeleteConflictException' }),
    ];
    const state = fold(records, 'ROLE', 'App');
    expect(state).toMatchObject({ Exists: true, AttachedPolicies: [], ExternalPrincipals: [], Coverage: 'FULL' });
    expect(state.Changes.map((change) => [change.EventName, change.Succeeded, change.ErrorCode])).toEqual([
      ['CreateRole', true, undefined],
      ['AttachRolePolicy', false, 'AccessDenied'],
      ['UpdateAssumeRolePolicy', false, 'AccessDenied'],
      ['DeleteRole', false, 'DeleteConflictException'],
    ]);
  });

  it('a failed CreateRole does not make an unknown role known', () => {
    const records = [createRole('Old', { errorCode: 'EntityAlreadyExists', responseElements: null })];
    expect(fold(records, 'ROLE', 'Old')).toMatchObject({ Coverage: 'PARTIAL', Exists: null });
  });
});

describe('coverage', () => {
  it('an entity whose creation is not in the logs is PARTIAL: what is listed is true, there may be more', () => {
    const records = [iamEvent('AttachRolePolicy', { roleName: 'Legacy', policyArn: ADMIN })];
    const after = fold(records, 'ROLE', 'Legacy');
    expect(after).toMatchObject({ Exists: true, Coverage: 'PARTIAL', AttachedPolicies: [{ PolicyArn: ADMIN }] });
    expect(after.CoverageReason).toMatch(/no creation event or snapshot/);
    // Before the first change: unknown state, but it existed (it was changed later without being created).
    const before = fold(records, 'ROLE', 'Legacy', '2026-10-01T00:00:00Z');
    expect(before).toMatchObject({ Exists: true, Coverage: 'PARTIAL', AttachedPolicies: [] });
  });

  it('a deletion makes the state known; a change after it without a creation makes it partial again', () => {
    const records = [iamEvent('DeleteRole', { roleName: 'Legacy' }), iamEvent('AttachRolePolicy', { roleName: 'Legacy', policyArn: ADMIN })];
    const history = historyOf(records, 'ROLE', 'Legacy');
    expect(stateAt(history, records[0].eventTime)).toMatchObject({ Exists: false, Coverage: 'FULL' });
    expect(stateAt(history, records[1].eventTime)).toMatchObject({ Exists: true, Coverage: 'PARTIAL', AttachedPolicies: [{ PolicyArn: ADMIN }] });
  });

  it('changes are listed up to and including the second asked', () => {
    const records = [createRole('App'), iamEvent('AttachRolePolicy', { roleName: 'App', policyArn: ADMIN })];
    const history = historyOf(records, 'ROLE', 'App');
    expect(stateAt(history, records[1].eventTime).Changes).toHaveLength(2);
    expect(stateAt(history, new Date(Date.parse(records[1].eventTime) - 1).toISOString()).Changes).toHaveLength(1);
  });

  it('rejects a moment that is not one', () => {
    const history = historyOf([createRole('App')], 'ROLE', 'App');
    expect(() => stateAt(history, 'yesterday')).toThrow(/not a moment/);
  });
});

describe('external principals of trust policies', () => {
  const trustOf = (principal: Record<string, unknown> | string, extra: Record<string, unknown> = {}) => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] });
    return fold([createRole('T', {}, document)], 'ROLE', 'T', END, new Set([ACCOUNT, '999999999999'])).ExternalPrincipals;
  };

  it('flags accounts and ARNs outside the account and the organization; leaves services and the account itself out', () => {
    expect(trustOf({ AWS: [ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/x`, '999999999999', `arn:aws:iam::${OTHER_ACCOUNT}:role/Partner`], Service: ['lambda.amazonaws.com'] })).toEqual([
      { Principal: '999999999999', Kind: 'AWS', AccountId: '999999999999', Flags: ['OUTSIDE_ACCOUNT'] },
      { Principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/Partner`, Kind: 'AWS', AccountId: OTHER_ACCOUNT, Flags: ['OUTSIDE_ACCOUNT', 'OUTSIDE_ORGANIZATION'] },
    ]);
  });

  it('flags `*`, NotPrincipal, unique ids, public identity providers and conditions', () => {
    expect(trustOf('*')).toEqual([{ Principal: '*', Kind: '*', Flags: ['PUBLIC'] }]);
    expect(trustOf({ AWS: '*' }, { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } })).toEqual([{ Principal: '*', Kind: 'AWS', Flags: ['PUBLIC', 'CONDITIONAL'] }]);
    expect(trustOf({ AWS: 'AROAABCDEFGHIJKLMNOP' })).toEqual([{ Principal: 'AROAABCDEFGHIJKLMNOP', Kind: 'AWS', Flags: ['UNRESOLVED_ID'] }]);
    expect(trustOf({ Federated: 'accounts.google.com' })).toEqual([{ Principal: 'accounts.google.com', Kind: 'Federated', Flags: ['PUBLIC_IDENTITY_PROVIDER'] }]);
    expect(trustOf({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_abc` })).toEqual([]);
    expect(trustOf({ Federated: `arn:aws:iam::${OTHER_ACCOUNT}:oidc-provider/x` })[0].Flags).toEqual(['OUTSIDE_ACCOUNT', 'OUTSIDE_ORGANIZATION']);
    const notPrincipal = JSON.stringify({ Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    expect(fold([createRole('N', {}, notPrincipal)], 'ROLE', 'N').ExternalPrincipals).toEqual([{ Principal: 'NotPrincipal', Kind: '*', Flags: ['PUBLIC'] }]);
  });

  it('Deny statements grant nothing', () => {
    const document = JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
    expect(fold([createRole('D', {}, document)], 'ROLE', 'D').ExternalPrincipals).toEqual([]);
  });
});

describe('records that are not IAM changes', () => {
  it('give no change: other services, reads, instance profiles, records without a usable account or name', () => {
    expect(iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'x', policyArn: ADMIN }, { eventSource: 'sts.amazonaws.com' }))).toEqual([]);
    expect(iamChangesOf(iamEvent('GetRole', { roleName: 'x' }))).toEqual([]);
    expect(iamChangesOf(iamEvent('AddRoleToInstanceProfile', { roleName: 'x', instanceProfileName: 'p' }))).toEqual([]);
    expect(iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'x', policyArn: ADMIN }, { recipientAccountId: 'nope', userIdentity: { type: 'Unknown' } }))).toEqual([]);
    expect(iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'x'.repeat(129), policyArn: ADMIN }))).toEqual([]);
    expect(iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 42, policyArn: ADMIN }))).toEqual([]);
    expect(iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'x' }))).toEqual([]);
    expect(iamChangesOf(iamEvent('PutGroupPermissionsBoundary', { groupName: 'g', permissionsBoundary: ADMIN }))).toEqual([]);
  });

  it('a record without an eventID gets a stable synthetic one', () => {
    const record = iamEvent('AttachRolePolicy', { roleName: 'x', policyArn: ADMIN }, { eventID: undefined, eventTime: at(500) });
    const [a] = iamChangesOf(record);
    const [b] = iamChangesOf({ ...record });
    expect(a.EventId).toMatch(/^synthetic-[0-9a-f]{32}$/);
    expect(b.EventId).toBe(a.EventId);
  });
});

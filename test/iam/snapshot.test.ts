import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historiesFromRecords, mergeHistory, parseAuthorizationDetails, snapshotBaseline, stateAt } from '../../lambdas/core/iam';
import type { EntityHistory, IamEntityType } from '../../lambdas/core/iam';
import { OTHER_ACCOUNT } from '../helpers/records';
import { ACCOUNT, ADMIN, at, attacker, iamEvent, trustDocument } from './iam-records';

const FIXTURE = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'iam', 'get-account-authorization-details.json'), 'utf8')) as Record<string, unknown>;
const SNAPSHOT_TIME = at(-3600);
const snapshot = parseAuthorizationDetails(FIXTURE, { time: SNAPSHOT_TIME });

function baseline(type: IamEntityType, name: string) {
  const found = snapshotBaseline(snapshot, { AccountId: ACCOUNT, Type: type, Name: name });
  if (!found) throw new Error(`no baseline for ${type} ${name}`);
  return found;
}

const empty = (type: IamEntityType, name: string): EntityHistory => ({ Entity: { AccountId: ACCOUNT, Type: type, Name: name }, Changes: [], Baselines: [] });

describe('parseAuthorizationDetails (the documented output of aws iam get-account-authorization-details)', () => {
  it('reads every list, the account from the ARNs, and reports no problem', () => {
    expect(snapshot.AccountId).toBe(ACCOUNT);
    expect(snapshot.Problems).toEqual([]);
    expect(snapshot.CompleteTypes.sort()).toEqual(['GROUP', 'POLICY', 'ROLE', 'USER']);
    expect([...snapshot.Entities.keys()].sort()).toEqual(
      [`${ACCOUNT}#GROUP#admins`, `${ACCOUNT}#GROUP#dev`, `${ACCOUNT}#POLICY#deploy-permissions`, `${ACCOUNT}#ROLE#deployer`, `${ACCOUNT}#ROLE#ec2role`, `${ACCOUNT}#USER#alice`, `${ACCOUNT}#USER#bob`].sort(),
    );
  });

  it('a role with URL-encoded documents (the API form): trust, inline policy, attached policy, boundary, external principal', () => {
    const state = stateAt(empty('ROLE', 'Deployer'), at(0), { baselines: [baseline('ROLE', 'Deployer')] });
    expect(state).toMatchObject({
      Exists: true,
      Coverage: 'FULL',
      Arn: `arn:aws:iam::${ACCOUNT}:role/ci/Deployer`,
      AttachedPolicies: [{ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/deploy-permissions` }],
      InlinePolicies: [{ PolicyName: 'read-artifacts', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::artifacts/*"}]}' }],
      PermissionsBoundary: { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-boundary` },
      ExternalPrincipals: [{ Principal: `arn:aws:iam::${OTHER_ACCOUNT}:root`, AccountId: OTHER_ACCOUNT, Flags: ['OUTSIDE_ACCOUNT', 'CONDITIONAL'] }],
    });
    expect(state.CoverageReason).toContain(`IAM snapshot of ${SNAPSHOT_TIME}`);
  });

  it('a role with decoded documents (the CLI form)', () => {
    const state = stateAt(empty('ROLE', 'EC2role'), at(0), { baselines: [baseline('ROLE', 'EC2role')] });
    expect(state.AttachedPolicies.map((policy) => policy.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/AmazonS3FullAccess', 'arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess']);
    expect(JSON.parse(state.TrustPolicy as string)).toEqual({ Version: '2012-10-17', Statement: [{ Sid: '', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(state.ExternalPrincipals).toEqual([]);
  });

  it('users: groups, inline and attached policies; credentials PARTIAL (the snapshot has no access keys or login profiles)', () => {
    const bob = stateAt(empty('USER', 'bob'), at(0), { baselines: [baseline('USER', 'bob')] });
    expect(bob).toMatchObject({ Exists: true, Coverage: 'FULL', CredentialsCoverage: 'PARTIAL', Groups: [{ GroupName: 'Dev' }], InlinePolicies: [{ PolicyName: 'DenyBillingAndIAMPolicy' }], AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' }] });
    expect(bob.CoverageReason).toMatch(/access keys/);
  });

  it('groups: members from the users’ GroupList; AttachedManagedPolicies as the single object the documentation shows', () => {
    expect(stateAt(empty('GROUP', 'Admins'), at(0), { baselines: [baseline('GROUP', 'Admins')] })).toMatchObject({ Members: [{ UserName: 'alice' }], AttachedPolicies: [{ PolicyArn: ADMIN }], Coverage: 'FULL' });
    expect(stateAt(empty('GROUP', 'Dev'), at(0), { baselines: [baseline('GROUP', 'Dev')] }).InlinePolicies).toEqual([{ PolicyName: 'ec2-read', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}' }]);
  });

  it('customer-managed policies: versions and the default one', () => {
    const policy = stateAt(empty('POLICY', 'deploy-permissions'), at(0), { baselines: [baseline('POLICY', 'deploy-permissions')] });
    expect(policy.PolicyVersions.map((version) => [version.VersionId, version.IsDefault])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
  });

  it('an entity missing from a complete list did not exist at the snapshot', () => {
    expect(snapshotBaseline(snapshot, { AccountId: ACCOUNT, Type: 'ROLE', Name: 'Ghost' })).toMatchObject({ State: { Exists: false }, Coverage: 'FULL' });
    expect(snapshotBaseline(snapshot, { AccountId: OTHER_ACCOUNT, Type: 'ROLE', Name: 'Deployer' })).toBeUndefined();
  });

  it('a truncated output, a filtered one, and malformed content: nothing is claimed absent that was not listed; never throws', () => {
    const truncated = parseAuthorizationDetails({ ...FIXTURE, IsTruncated: true, Marker: 'x' }, { time: SNAPSHOT_TIME });
    expect(truncated.CompleteTypes).toEqual([]);
    expect(snapshotBaseline(truncated, { AccountId: ACCOUNT, Type: 'ROLE', Name: 'Ghost' })).toBeUndefined();
    const rolesOnly = parseAuthorizationDetails({ RoleDetailList: FIXTURE.RoleDetailList }, { time: SNAPSHOT_TIME });
    expect(rolesOnly.CompleteTypes).toEqual(['ROLE']);
    expect(snapshotBaseline(rolesOnly, { AccountId: ACCOUNT, Type: 'USER', Name: 'Ghost' })).toBeUndefined();
    const hostile = parseAuthorizationDetails(
      { RoleDetailList: [null, 7, { RoleName: 'x'.repeat(500) }, { RoleName: 'Ok', AssumeRolePolicyDocument: '%7B%ZZ', RolePolicyList: 'nope' }, { RoleName: 'Other', Arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Other` }], UserDetailList: {} },
      { time: SNAPSHOT_TIME, accountId: ACCOUNT },
    );
    expect(hostile.Problems.length).toBeGreaterThanOrEqual(4);
    expect([...hostile.Entities.keys()]).toEqual([`${ACCOUNT}#ROLE#ok`]);
    expect(stateAt(empty('ROLE', 'Ok'), at(0), { baselines: [snapshotBaseline(hostile, { AccountId: ACCOUNT, Type: 'ROLE', Name: 'Ok' })!] })).toMatchObject({ TrustPolicy: null, TrustPolicyIssue: 'UNDECODABLE', Exists: true });
    expect(() => parseAuthorizationDetails('not an object', { time: SNAPSHOT_TIME, accountId: ACCOUNT })).not.toThrow();
    expect(() => parseAuthorizationDetails({}, { time: SNAPSHOT_TIME })).toThrow(/account id/);
  });
});

describe('folding from a snapshot', () => {
  it('an entity created before the logs: PARTIAL from events alone, FULL once the snapshot fills in its earlier state', () => {
    const records = [
      iamEvent('AttachRolePolicy', { roleName: 'Deployer', policyArn: ADMIN }, { userIdentity: attacker }),
      iamEvent('UpdateAssumeRolePolicy', { roleName: 'Deployer', policyDocument: trustDocument({ AWS: '999988887777' }) }, { userIdentity: attacker }),
    ];
    const history = historiesFromRecords(records).get(`${ACCOUNT}#ROLE#deployer`) as EntityHistory;
    const alone = stateAt(history, at(100_000));
    expect(alone).toMatchObject({ Coverage: 'PARTIAL', AttachedPolicies: [{ PolicyArn: ADMIN }] });

    const withSnapshot = stateAt(history, at(100_000), { baselines: [baseline('ROLE', 'Deployer')], orgAccountIds: new Set([ACCOUNT, OTHER_ACCOUNT]) });
    expect(withSnapshot).toMatchObject({
      Coverage: 'FULL',
      AttachedPolicies: [{ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/deploy-permissions` }, { PolicyArn: ADMIN }],
      InlinePolicies: [{ PolicyName: 'read-artifacts' }],
      ExternalPrincipals: [{ Principal: '999988887777', AccountId: '999988887777', Flags: ['OUTSIDE_ACCOUNT', 'OUTSIDE_ORGANIZATION'] }],
    });
    // Before the snapshot, the state is still unknown.
    expect(stateAt(history, at(-7200), { baselines: [baseline('ROLE', 'Deployer')] }).Coverage).toBe('PARTIAL');
    // A baseline may also be stored in the history itself.
    const stored = mergeHistory(history, { ...history, Changes: [], Baselines: [baseline('ROLE', 'Deployer')] });
    expect(stateAt(stored, at(100_000))).toEqual({ ...withSnapshot, ExternalPrincipals: [{ ...withSnapshot.ExternalPrincipals[0], Flags: ['OUTSIDE_ACCOUNT'] }] });
  });

  it('changes logged in the snapshot’s own second are already in it', () => {
    const sameSecond = iamEvent('DetachRolePolicy', { roleName: 'EC2role', policyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }, { eventTime: SNAPSHOT_TIME });
    const history = historiesFromRecords([sameSecond]).get(`${ACCOUNT}#ROLE#ec2role`) as EntityHistory;
    // The snapshot still lists the policy, as if taken before the detach; it wins for its second…
    expect(stateAt(history, SNAPSHOT_TIME, { baselines: [baseline('ROLE', 'EC2role')] }).AttachedPolicies).toHaveLength(2);
    // …and a change one second later applies on top of it.
    const later = iamEvent('DetachRolePolicy', { roleName: 'EC2role', policyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }, { eventTime: at(-3599) });
    const both = historiesFromRecords([sameSecond, later]).get(`${ACCOUNT}#ROLE#ec2role`) as EntityHistory;
    expect(stateAt(both, at(0), { baselines: [baseline('ROLE', 'EC2role')] }).AttachedPolicies).toEqual([{ PolicyArn: 'arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess' }]);
  });

  it('a user from a snapshot: credentials created since are listed, the rest unknown', () => {
    const records = [iamEvent('CreateAccessKey', { userName: 'alice' }, { responseElements: { accessKey: { userName: 'alice', accessKeyId: 'AKIAALICE2', status: 'Active' } } })];
    const history = historiesFromRecords(records).get(`${ACCOUNT}#USER#alice`) as EntityHistory;
    const state = stateAt(history, at(100_000), { baselines: [baseline('USER', 'alice')] });
    expect(state).toMatchObject({ Coverage: 'FULL', CredentialsCoverage: 'PARTIAL', Groups: [{ GroupName: 'Admins' }], AccessKeys: [{ AccessKeyId: 'AKIAALICE2' }] });
  });
});

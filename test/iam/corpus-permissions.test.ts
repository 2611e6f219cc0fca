import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { historiesFromRecords, stateAt } from '../../lambdas/core/iam';
import type { EntityHistory } from '../../lambdas/core/iam';
import { rawRecords, type RawRecord } from '../corpus/raw-corpus';

/**
 * Permissions over time on the real corpus (Stratus Red Team detonations, 2023-07-10, account 123837392027).
 * The records are read with a plain gunzip + JSON.parse; the expected facts are first checked against the raw
 * events themselves, then asked of the fold.
 */
const ACCOUNT = '123837392027';
const ROLE = 'stratus-red-team-backdoor-r-role';
const USER = 'malicious-iam-user';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const EXTERNAL = '193672423079';
const DAY = '2023-07-10';

const records = rawRecords();
const iamWrites = records.filter((record) => record.eventSource === 'iam.amazonaws.com' && record.readOnly !== true);
const histories = historiesFromRecords(records as unknown as CloudTrailRecord[]);

function history(type: string, name: string): EntityHistory {
  const found = histories.get(`${ACCOUNT}#${type}#${name}`);
  if (!found) throw new Error(`no history for ${type} ${name}`);
  return found;
}

function raw(eventName: string, param: string, value: string): RawRecord[] {
  return iamWrites.filter((record) => record.eventName === eventName && record.requestParameters?.[param] === value);
}

declare module '../corpus/raw-corpus' {
  interface RawRecord {
    readOnly?: boolean;
  }
}

describe('the raw events say (ground truth, checked before the fold is asked)', () => {
  it('the backdoored role: created 12:24:07, AdministratorAccess at 12:24:10, trust opened to 193672423079 at 12:24:11, reverted at 12:28:24, detached 12:28:34, deleted 12:28:35', () => {
    expect(raw('CreateRole', 'roleName', ROLE).map((r) => r.eventTime)).toEqual([`${DAY}T12:24:07Z`]);
    expect(raw('AttachRolePolicy', 'roleName', ROLE).map((r) => [r.eventTime, r.requestParameters?.policyArn])).toEqual([[`${DAY}T12:24:10Z`, ADMIN]]);
    const trust = raw('UpdateAssumeRolePolicy', 'roleName', ROLE).sort((a, b) => a.eventTime.localeCompare(b.eventTime));
    expect(trust.map((r) => r.eventTime)).toEqual([`${DAY}T12:24:11Z`, `${DAY}T12:28:24Z`]);
    expect(String(trust[0].requestParameters?.policyDocument)).toContain(`arn:aws:iam::${EXTERNAL}:root`);
    expect(String(trust[1].requestParameters?.policyDocument)).not.toContain(EXTERNAL);
    expect(raw('DetachRolePolicy', 'roleName', ROLE).map((r) => r.eventTime)).toEqual([`${DAY}T12:28:34Z`]);
    expect(raw('DeleteRole', 'roleName', ROLE).map((r) => r.eventTime)).toEqual([`${DAY}T12:28:35Z`]);
    expect(iamWrites.filter((r) => r.requestParameters?.roleName === ROLE).every((r) => !r.errorCode)).toBe(true);
  });

  it('the malicious user: created with AdministratorAccess at 12:24:49, detached and deleted at 12:28:24', () => {
    expect(raw('CreateUser', 'userName', USER).map((r) => r.eventTime)).toEqual([`${DAY}T12:24:49Z`]);
    expect(raw('AttachUserPolicy', 'userName', USER).map((r) => [r.eventTime, r.requestParameters?.policyArn])).toEqual([[`${DAY}T12:24:49Z`, ADMIN]]);
    expect(raw('DetachUserPolicy', 'userName', USER).map((r) => r.eventTime)).toEqual([`${DAY}T12:28:24Z`]);
    expect(raw('DeleteUser', 'userName', USER).map((r) => r.eventTime)).toEqual([`${DAY}T12:28:24Z`]);
  });
});

describe('permissions over time on the corpus', () => {
  const role = history('ROLE', ROLE);

  it('12:26: the role has AdministratorAccess and its trust policy names the external account 193672423079', () => {
    const state = stateAt(role, `${DAY}T12:26:00Z`);
    expect(state.Exists).toBe(true);
    expect(state.Coverage).toBe('FULL');
    expect(state.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${ROLE}`);
    expect(state.AttachedPolicies).toEqual([{ PolicyArn: ADMIN }]);
    expect(state.TrustPolicy).toContain(EXTERNAL);
    expect(state.ExternalPrincipals).toEqual([{ Principal: `arn:aws:iam::${EXTERNAL}:root`, Kind: 'AWS', AccountId: EXTERNAL, Flags: ['OUTSIDE_ACCOUNT'] }]);
    expect(state.Changes.map((change) => [change.Time, change.EventName, change.By, change.Succeeded])).toEqual([
      [`${DAY}T12:24:07Z`, 'CreateRole', `arn:aws:iam::${ACCOUNT}:user/bert-jan`, true],
      [`${DAY}T12:24:10Z`, 'AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:user/bert-jan`, true],
      [`${DAY}T12:24:11Z`, 'UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:user/bert-jan`, true],
    ]);
    expect(state.Changes[2].EventId).toBe(raw('UpdateAssumeRolePolicy', 'roleName', ROLE).find((r) => r.eventTime.endsWith('12:24:11Z'))?.eventID);
  });

  it('12:26, with the organization known: the external account is outside it too', () => {
    const state = stateAt(role, `${DAY}T12:26:00Z`, { orgAccountIds: new Set([ACCOUNT]) });
    expect(state.ExternalPrincipals.map((principal) => principal.Flags)).toEqual([['OUTSIDE_ACCOUNT', 'OUTSIDE_ORGANIZATION']]);
    expect(stateAt(role, `${DAY}T12:26:00Z`, { orgAccountIds: new Set([ACCOUNT, EXTERNAL]) }).ExternalPrincipals.map((principal) => principal.Flags)).toEqual([['OUTSIDE_ACCOUNT']]);
  });

  it('12:28:30: the external principal is gone (trust reverted at 12:28:24), AdministratorAccess still attached', () => {
    const state = stateAt(role, `${DAY}T12:28:30Z`);
    expect(state.Exists).toBe(true);
    expect(state.ExternalPrincipals).toEqual([]);
    expect(state.TrustPolicy).not.toContain(EXTERNAL);
    expect(state.AttachedPolicies).toEqual([{ PolicyArn: ADMIN }]);
    expect(state.Changes.at(-1)).toMatchObject({ Time: `${DAY}T12:28:24Z`, EventName: 'UpdateAssumeRolePolicy' });
  });

  it('after 12:28:35: the role no longer exists, and the detach and deletion are listed', () => {
    for (const at of [`${DAY}T12:28:35Z`, `${DAY}T12:28:36Z`, `${DAY}T13:00:00Z`]) {
      const state = stateAt(role, at);
      expect(state.Exists).toBe(false);
      expect(state.Coverage).toBe('FULL');
      expect(state.AttachedPolicies).toEqual([]);
      expect(state.TrustPolicy).toBeNull();
    }
    expect(stateAt(role, `${DAY}T13:00:00Z`).Changes.map((change) => change.EventName)).toEqual(['CreateRole', 'AttachRolePolicy', 'UpdateAssumeRolePolicy', 'UpdateAssumeRolePolicy', 'DetachRolePolicy', 'DeleteRole']);
  });

  it('before its creation, the role did not exist', () => {
    const state = stateAt(role, `${DAY}T12:00:00Z`);
    expect(state).toMatchObject({ Exists: false, Coverage: 'FULL', Changes: [] });
  });

  it('12:26: the malicious user has AdministratorAccess and an active access key', () => {
    const state = stateAt(history('USER', USER), `${DAY}T12:26:00Z`);
    expect(state.Exists).toBe(true);
    expect(state.Coverage).toBe('FULL');
    expect(state.AttachedPolicies).toEqual([{ PolicyArn: ADMIN }]);
    const key = raw('CreateAccessKey', 'userName', USER)[0];
    expect(state.AccessKeys).toEqual([{ AccessKeyId: (key.responseElements?.accessKey as { accessKeyId: string }).accessKeyId, Status: 'Active', CreatedAt: key.eventTime }]);
    expect(stateAt(history('USER', USER), `${DAY}T12:28:25Z`)).toMatchObject({ Exists: false, AttachedPolicies: [], AccessKeys: [] });
  });

  it('failed calls are kept as attempts and change nothing: DeleteLoginProfile on a profile already deleted', () => {
    const user = history('USER', 'stratus-red-team-login-profile-user');
    expect(stateAt(user, `${DAY}T12:25:30Z`).LoginProfile).toEqual({ CreatedAt: `${DAY}T12:25:04Z`, PasswordResetRequired: false });
    const after = stateAt(user, `${DAY}T12:28:34Z`);
    expect(after.LoginProfile).toBeNull();
    expect(after.Changes.filter((change) => !change.Succeeded).map((change) => [change.EventName, change.ErrorCode])).toEqual([['DeleteLoginProfile', 'NoSuchEntityException']]);
  });

  it('same-second sequences fold as IAM allows them: inline policy deleted before its role, put after its creation', () => {
    // Both are logged at 12:07:59 / 11:54:39; IAM refuses to delete a role that still has inline policies.
    const role2 = history('ROLE', 'stratus-red-team-ec2-get-password-data-role');
    expect(stateAt(role2, `${DAY}T11:54:39Z`).InlinePolicies.map((policy) => policy.PolicyName)).toEqual(['inline-policy']);
    expect(stateAt(role2, `${DAY}T12:07:59Z`)).toMatchObject({ Exists: false, Coverage: 'FULL' });
    expect(stateAt(role2, `${DAY}T12:07:59Z`).Changes.map((change) => change.EventName)).toEqual(['CreateRole', 'PutRolePolicy', 'DeleteRolePolicy', 'DeleteRole']);
  });

  it('every entity the corpus creates has a history with FULL coverage, and lists each of its IAM write events once', () => {
    for (const entity of histories.values()) {
      const nameKey = { ROLE: 'roleName', USER: 'userName', GROUP: 'groupName', POLICY: 'policyArn' }[entity.Entity.Type];
      const named = iamWrites.filter((record) => {
        const value = record.requestParameters?.[nameKey];
        // A policy's own events (attaching it is a change of the role, user or group it is attached to).
        if (entity.Entity.Type === 'POLICY') return /Policy(Version)?$/.test(record.eventName) && !/^(Attach|Detach)/.test(record.eventName) && ((typeof value === 'string' && value.endsWith(`/${entity.Entity.Name}`)) || record.requestParameters?.policyName === entity.Entity.Name);
        return value === entity.Entity.Name;
      });
      // Instance-profile and tag calls name roles too, but change no permissions.
      const relevant = named.filter((record) => !/InstanceProfile|Tag/.test(record.eventName));
      expect(entity.Changes.map((change) => change.EventId).sort()).toEqual(relevant.map((record) => record.eventID).sort());
      const end = stateAt(entity, `${DAY}T23:59:59Z`);
      expect(end.Coverage).toBe('FULL');
      expect(end.Exists).toBe(false);
    }
    expect(histories.size).toBe(19);
  });

  it('customer-managed policies: created, attached, detached and deleted in the corpus', () => {
    const policy = history('POLICY', 'stratus-red-team-ec2lui-policy-pcccexdthk');
    const alive = stateAt(policy, `${DAY}T12:07:00Z`);
    expect(alive.Exists).toBe(true);
    expect(alive.Arn).toBe(`arn:aws:iam::${ACCOUNT}:policy/stratus-red-team-ec2lui-policy-pcccexdthk`);
    expect(alive.PolicyVersions).toEqual([{ VersionId: 'v1', IsDefault: true, PolicyDocument: expect.stringContaining('ec2:DescribeInstances') }]);
    expect(stateAt(policy, `${DAY}T12:08:01Z`).Exists).toBe(false);
  });
});

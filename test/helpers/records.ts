import type { CloudTrailRecord, UserIdentity } from '../../lambdas/core/cloudtrail/types';

/**
 * Small builders for CloudTrail records in the documented shapes, for focused unit tests. Scenario-level
 * tests use the generated sample logs in examples/ instead.
 */
export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

export function iamUser(name: string, accessKeyId = 'AKIAIOSFODNN7EXAMPLE', account = ACCOUNT): UserIdentity {
  return { type: 'IAMUser', principalId: `AIDA${name.toUpperCase()}EXAMPLE`, arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, accessKeyId, userName: name };
}

export function assumedRole(role: string, session: string, accessKeyId: string, options: { account?: string; path?: string; creationDate?: string; mfa?: boolean; sourceIdentity?: string; ec2?: boolean } = {}): UserIdentity {
  const account = options.account ?? ACCOUNT;
  return {
    type: 'AssumedRole',
    principalId: `AROA${role.toUpperCase()}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: `AROA${role.toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${options.path ?? ''}${role}`, accountId: account, userName: role },
      webIdFederationData: {},
      attributes: { creationDate: options.creationDate ?? '2026-10-22T09:00:00Z', mfaAuthenticated: options.mfa ? 'true' : 'false' },
      ...(options.sourceIdentity ? { sourceIdentity: options.sourceIdentity } : {}),
      ...(options.ec2 ? { ec2RoleDelivery: '2.0' } : {}),
    },
  };
}

let eventCounter = 0;

export function record(fields: Partial<CloudTrailRecord> & { userIdentity: UserIdentity }): CloudTrailRecord {
  eventCounter++;
  return {
    eventVersion: '1.08',
    eventTime: '2026-10-22T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.18.0.1',
    userAgent: 'aws-cli/2.15.0',
    eventID: `00000000-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
    ...fields,
  };
}

export function assumeRole(caller: UserIdentity, roleArn: string, sessionName: string, newKey: string, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  const [, , , , account, resource] = roleArn.split(':');
  const roleName = resource.split('/').pop();
  return record({
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    userIdentity: caller,
    requestParameters: { roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
    responseElements: {
      credentials: { accessKeyId: newKey, sessionToken: 'token', expiration: 'Oct 22, 2026, 11:00:00 AM' },
      assumedRoleUser: { assumedRoleId: `AROA${roleName?.toUpperCase()}:${sessionName}`, arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}` },
    },
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: roleArn }],
    ...extra,
  });
}

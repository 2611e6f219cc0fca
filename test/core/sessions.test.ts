import { actorPrincipal } from '../../lambdas/core/cloudtrail/principal';
import { parseCredentialExpiration, sessionCreatedBy, sessionObservedIn } from '../../lambdas/core/cloudtrail/sessions';
import { ACCOUNT, OTHER_ACCOUNT, assumeRole, assumedRole, iamUser, record } from '../helpers/records';

describe('sessionCreatedBy', () => {
  it('creates a session from AssumeRole by an IAM user, with the user as origin', () => {
    const event = assumeRole(iamUser('alice'), `arn:aws:iam::${ACCOUNT}:role/Admin`, 'alice', 'ASIAADMIN', {
      requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, roleSessionName: 'alice', serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/alice`, sourceIdentity: 'alice' },
    });
    const session = sessionCreatedBy(event);
    expect(session).toMatchObject({
      sessionId: 'ASIAADMIN',
      kind: 'assumed-role',
      issuerArn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
      sessionName: 'alice',
      mfa: true,
      sourceIdentity: 'alice',
      credentialExpiration: '2026-10-22T11:00:00.000Z',
      crossAccount: false,
      origin: { type: 'iam-user', key: `iam-user#arn:aws:iam::${ACCOUNT}:user/alice`, name: 'alice' },
    });
    expect(session?.parentSessionId).toBeUndefined();
  });

  it('links a chained assumption to the caller session and drops the role path from the issuer', () => {
    const caller = assumedRole('Admin', 'alice', 'ASIAADMIN', { sourceIdentity: 'alice' });
    const event = assumeRole(caller, `arn:aws:iam::${OTHER_ACCOUNT}:role/team/DataAccess`, 'alice', 'ASIADATA');
    const session = sessionCreatedBy(event);
    expect(session).toMatchObject({
      parentSessionId: 'ASIAADMIN',
      issuerArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/DataAccess`,
      accountId: OTHER_ACCOUNT,
      crossAccount: true,
      sourceIdentity: 'alice', // propagated from the caller's session
      caller: { type: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/Admin` },
    });
    expect(session?.origin).toBeUndefined();
  });

  it('gives EC2 instance-profile sessions the instance as origin', () => {
    const event = assumeRole({ type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, `arn:aws:iam::${ACCOUNT}:role/web-server-role`, 'i-0123456789abcdef0', 'ASIAEC2', { sourceIPAddress: 'ec2.amazonaws.com' });
    expect(sessionCreatedBy(event)).toMatchObject({ instanceId: 'i-0123456789abcdef0', origin: { type: 'ec2-instance', key: 'ec2-instance#i-0123456789abcdef0' } });
  });

  it('gives sessions a service creates (Lambda) the service as origin', () => {
    const event = assumeRole({ type: 'AWSService', invokedBy: 'lambda.amazonaws.com' }, `arn:aws:iam::${ACCOUNT}:role/fn-role`, 'my-function', 'ASIAFN');
    expect(sessionCreatedBy(event)?.origin).toMatchObject({ type: 'aws-service', key: 'aws-service#lambda.amazonaws.com' });
  });

  it('recognises IAM Identity Center users behind AssumeRoleWithSAML', () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_0123456789abcdef`;
    const event = record({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithSAML',
      userIdentity: { type: 'SAMLUser', principalId: 'abc:bob@example.com', userName: 'bob@example.com', identityProvider: 'abc' },
      requestParameters: { roleArn, principalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_0123abcd_DO_NOT_DELETE`, durationSeconds: 3600 },
      responseElements: { subject: 'bob@example.com', subjectType: 'persistent', issuer: 'https://portal.sso.us-east-1.amazonaws.com/saml/assertion/x', credentials: { accessKeyId: 'ASIASSO' }, assumedRoleUser: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/bob@example.com` } },
    });
    const session = sessionCreatedBy(event);
    expect(session).toMatchObject({
      issuerArn: `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_ReadOnly_0123456789abcdef`,
      sessionName: 'bob@example.com',
      origin: { type: 'sso-user', key: 'sso-user#bob@example.com' },
      federation: { subject: 'bob@example.com', subjectType: 'persistent' },
    });
  });

  it('keys other SAML users by their identity provider and subject', () => {
    const provider = `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`;
    const event = record({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithSAML',
      userIdentity: { type: 'SAMLUser', principalId: 'x:carol', userName: 'carol', identityProvider: 'x' },
      requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/OktaDevelopers`, principalArn: provider },
      responseElements: { subject: 'carol', credentials: { accessKeyId: 'ASIASAML' } },
    });
    expect(sessionCreatedBy(event)?.origin).toMatchObject({ type: 'saml-user', key: `saml-user#${provider}#carol` });
  });

  it('keys web identity users by provider and subject', () => {
    const event = record({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithWebIdentity',
      userIdentity: { type: 'WebIdentityUser', principalId: 'oidc:sub', userName: 'system:serviceaccount:shop:api', identityProvider: 'oidc.eks.us-east-1.amazonaws.com/id/ABC' },
      requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-api`, roleSessionName: 'botocore-session-1' },
      responseElements: { subjectFromWebIdentityToken: 'system:serviceaccount:shop:api', provider: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC', credentials: { accessKeyId: 'ASIAIRSA' } },
    });
    expect(sessionCreatedBy(event)?.origin?.key).toBe('web-identity-user#oidc.eks.us-east-1.amazonaws.com/id/ABC#system:serviceaccount:shop:api');
  });

  it('creates federated-user and MFA session-token sessions issued by an IAM user', () => {
    const federation = sessionCreatedBy(
      record({
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetFederationToken',
        userIdentity: iamUser('broker'),
        requestParameters: { name: 'dave' },
        responseElements: { credentials: { accessKeyId: 'ASIAFED' }, federatedUser: { federatedUserId: `${ACCOUNT}:dave`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/dave` } },
      }),
    );
    expect(federation).toMatchObject({ kind: 'federated-user', issuerArn: `arn:aws:iam::${ACCOUNT}:user/broker`, sessionName: 'dave', origin: { type: 'iam-user' } });
    const token = sessionCreatedBy(
      record({ eventSource: 'sts.amazonaws.com', eventName: 'GetSessionToken', userIdentity: iamUser('alice'), requestParameters: { serialNumber: 'arn:aws:iam::111122223333:mfa/alice' }, responseElements: { credentials: { accessKeyId: 'ASIATOKEN' } } }),
    );
    expect(token).toMatchObject({ kind: 'session-token', issuerArn: `arn:aws:iam::${ACCOUNT}:user/alice`, mfa: true });
  });

  it('ignores failed calls and calls without credentials in the response', () => {
    const failed = assumeRole(iamUser('mallory'), `arn:aws:iam::${ACCOUNT}:role/Admin`, 'x', 'ASIANOPE', { errorCode: 'AccessDenied', responseElements: null });
    expect(sessionCreatedBy(failed)).toBeUndefined();
    expect(sessionCreatedBy(record({ userIdentity: iamUser('alice') }))).toBeUndefined();
  });

  it('records the role-owner copy of a cross-account assumption with the calling account', () => {
    const copy = assumeRole({ type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: ACCOUNT }, `arn:aws:iam::${OTHER_ACCOUNT}:role/Audit`, 's', 'ASIAX', { recipientAccountId: OTHER_ACCOUNT, sharedEventID: 'shared-1' });
    expect(sessionCreatedBy(copy)).toMatchObject({ recipientAccountId: OTHER_ACCOUNT, caller: { type: 'aws-account', accountId: ACCOUNT }, crossAccount: true });
  });
});

describe('sessionObservedIn', () => {
  it('describes an assumed-role session from sessionContext alone', () => {
    const call = record({ userIdentity: assumedRole('Admin', 'alice', 'ASIAADMIN', { mfa: true, creationDate: '2026-10-22T08:59:59Z' }) });
    expect(sessionObservedIn(call)).toMatchObject({ sessionId: 'ASIAADMIN', issuerArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, sessionName: 'alice', createdAt: '2026-10-22T08:59:59Z', mfa: true, eventCount: 1 });
  });

  it('knows instance-profile sessions by ec2RoleDelivery', () => {
    const call = record({ userIdentity: assumedRole('web-server-role', 'i-0123456789abcdef0', 'ASIAEC2', { ec2: true }) });
    expect(sessionObservedIn(call)).toMatchObject({ instanceId: 'i-0123456789abcdef0', origin: { type: 'ec2-instance' } });
    const lookalike = record({ userIdentity: assumedRole('web-server-role', 'i-0123456789abcdef0', 'ASIAFAKE') });
    expect(sessionObservedIn(lookalike)?.instanceId).toBeUndefined();
  });

  it('ignores calls made with long-term keys', () => {
    expect(sessionObservedIn(record({ userIdentity: iamUser('ci', 'AKIAEXAMPLE') }))).toBeUndefined();
  });

  it('treats IAM user temporary credentials (console, MFA token) as the user’s own session', () => {
    const call = record({ userIdentity: { ...iamUser('alice', 'ASIACONSOLE'), sessionContext: { attributes: { creationDate: '2026-10-22T08:00:00Z', mfaAuthenticated: 'true' } } } });
    expect(sessionObservedIn(call)).toMatchObject({ kind: 'session-token', origin: { type: 'iam-user', name: 'alice' }, mfa: true });
  });
});

describe('actorPrincipal', () => {
  it('maps each userIdentity type to a stable key', () => {
    expect(actorPrincipal(record({ userIdentity: assumedRole('Admin', 's', 'ASIA1', { path: 'ops/' }) })).key).toBe(`role#arn:aws:iam::${ACCOUNT}:role/Admin`);
    expect(actorPrincipal(record({ userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT } })).type).toBe('root');
    expect(actorPrincipal(record({ userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } })).key).toBe('aws-service#cloudtrail.amazonaws.com');
    expect(actorPrincipal(record({ userIdentity: {} })).type).toBe('unknown');
  });
});

describe('parseCredentialExpiration', () => {
  it('reads the CloudTrail console-style date as UTC', () => {
    expect(parseCredentialExpiration('Oct 5, 2026, 1:13:22 PM')).toBe('2026-10-05T13:13:22.000Z');
    expect(parseCredentialExpiration('2026-10-05T13:13:22Z')).toBe('2026-10-05T13:13:22.000Z');
    expect(parseCredentialExpiration('soon')).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { uniqueId } from './ids';
import type { Prng } from './prng';
import { isoSeconds } from './time';
import type { SessionContext, UserIdentity } from './types';

/**
 * IAM principals of the sample organisation and the `userIdentity` elements CloudTrail writes for them,
 * following the CloudTrail userIdentity documentation field by field.
 */

export interface IamUser {
  accountId: string;
  userName: string;
  /** AIDA... */
  principalId: string;
  arn: string;
}

export interface IamRole {
  accountId: string;
  roleName: string;
  /** "/" or e.g. "/aws-reserved/sso.amazonaws.com/". */
  path: string;
  /** AROA... */
  roleId: string;
  /** The role ARN includes the path; assumed-role ARNs never do. */
  arn: string;
}

export function makeUser(prng: Prng, accountId: string, userName: string): IamUser {
  return { accountId, userName, principalId: uniqueId(prng, 'AIDA'), arn: `arn:aws:iam::${accountId}:user/${userName}` };
}

export function makeRole(prng: Prng, accountId: string, roleName: string, path = '/'): IamRole {
  return { accountId, roleName, path, roleId: uniqueId(prng, 'AROA'), arn: `arn:aws:iam::${accountId}:role${path}${roleName}` };
}

export function assumedRoleArn(role: IamRole, sessionName: string): string {
  return `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`;
}

export function rootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

/** An IAM user signing with a long-term AKIA key: no sessionContext. */
export function iamUserIdentity(user: IamUser, accessKeyId: string): UserIdentity {
  return { type: 'IAMUser', principalId: user.principalId, arn: user.arn, accountId: user.accountId, accessKeyId, userName: user.userName };
}

/** An IAM user without any key (ConsoleLogin events name the user, not a key). */
export function iamUserSignInIdentity(user: IamUser): UserIdentity {
  return { type: 'IAMUser', principalId: user.principalId, arn: user.arn, accountId: user.accountId, userName: user.userName };
}

/**
 * An IAM user signing with temporary credentials of its own: an MFA session from GetSessionToken or a
 * console session. The session context has an empty sessionIssuer, as for the documented console example.
 */
export function iamUserSessionIdentity(user: IamUser, accessKeyId: string, createdAt: number, mfa: boolean): UserIdentity {
  return {
    ...iamUserIdentity(user, accessKeyId),
    sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: isoSeconds(createdAt), mfaAuthenticated: mfa ? 'true' : 'false' } },
  };
}

export interface RoleSessionOptions {
  createdAt: number;
  mfa: boolean;
  sourceIdentity?: string;
  /** For EC2 instance-profile credentials delivered by IMDSv2. */
  ec2RoleDelivery?: '2.0';
  /** For web identity sessions: the OIDC provider (ARN or issuer host) the token came from. */
  federatedProvider?: string;
}

export function roleSessionIdentity(role: IamRole, sessionName: string, accessKeyId: string, options: RoleSessionOptions): UserIdentity {
  const sessionContext: SessionContext = {
    sessionIssuer: { type: 'Role', principalId: role.roleId, arn: role.arn, accountId: role.accountId, userName: role.roleName },
    webIdFederationData: options.federatedProvider ? { federatedProvider: options.federatedProvider, attributes: {} } : {},
    attributes: { creationDate: isoSeconds(options.createdAt), mfaAuthenticated: options.mfa ? 'true' : 'false' },
  };
  if (options.sourceIdentity) sessionContext.sourceIdentity = options.sourceIdentity;
  if (options.ec2RoleDelivery) sessionContext.ec2RoleDelivery = options.ec2RoleDelivery;
  return {
    type: 'AssumedRole',
    principalId: `${role.roleId}:${sessionName}`,
    arn: assumedRoleArn(role, sessionName),
    accountId: role.accountId,
    accessKeyId,
    sessionContext,
  };
}

/** A federated user from GetFederationToken: the issuer is the IAM user that called it. */
export function federatedUserIdentity(user: IamUser, name: string, accessKeyId: string, createdAt: number): UserIdentity {
  return {
    type: 'FederatedUser',
    principalId: `${user.accountId}:${name}`,
    arn: `arn:aws:sts::${user.accountId}:federated-user/${name}`,
    accountId: user.accountId,
    accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'IAMUser', principalId: user.principalId, arn: user.arn, accountId: user.accountId, userName: user.userName },
      webIdFederationData: {},
      attributes: { creationDate: isoSeconds(createdAt), mfaAuthenticated: 'false' },
    },
  };
}

export function rootSignInIdentity(accountId: string): UserIdentity {
  return { type: 'Root', principalId: accountId, arn: rootArn(accountId), accountId };
}

export function rootSessionIdentity(accountId: string, accessKeyId: string, createdAt: number): UserIdentity {
  return {
    ...rootSignInIdentity(accountId),
    accessKeyId,
    sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: isoSeconds(createdAt), mfaAuthenticated: 'true' } },
  };
}

/** An AWS service acting for the account, e.g. EC2 fetching instance-profile credentials. */
export function awsServiceIdentity(invokedBy: string): UserIdentity {
  return { type: 'AWSService', invokedBy };
}

/** The role owner's copy of a cross-account AssumeRole names only the calling account and principal id. */
export function awsAccountIdentity(callerPrincipalId: string, callerAccountId: string): UserIdentity {
  return { type: 'AWSAccount', principalId: callerPrincipalId, accountId: callerAccountId };
}

/**
 * The `saml:namequalifier` IAM computes for a SAML provider: base64 of the SHA-1 of the issuer, the account
 * id and "/" followed by the provider's friendly name. CloudTrail uses it as the SAMLUser identityProvider.
 */
export function samlNameQualifier(issuer: string, accountId: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${accountId}/${providerName}`).digest('base64');
}

export function samlUserIdentity(nameQualifier: string, subject: string): UserIdentity {
  return { type: 'SAMLUser', principalId: `${nameQualifier}:${subject}`, userName: subject, identityProvider: nameQualifier };
}

/** principalId combines the issuer, the audience (application id) and the subject (user id). */
export function webIdentityUserIdentity(provider: string, audience: string, subject: string): UserIdentity {
  return { type: 'WebIdentityUser', principalId: `${provider}:${audience}:${subject}`, userName: subject, identityProvider: provider };
}

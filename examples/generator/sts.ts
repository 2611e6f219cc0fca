import {
  assumedRoleArn,
  awsAccountIdentity,
  awsServiceIdentity,
  federatedUserIdentity,
  type IamRole,
  type IamUser,
  iamUserIdentity,
  iamUserSessionIdentity,
  roleSessionIdentity,
  samlUserIdentity,
  webIdentityUserIdentity,
} from './identities';
import { accessKeyId, sessionToken } from './ids';
import type { Prng } from './prng';
import { buildRecord, newRequestId } from './record';
import { credentialExpiration, SECOND } from './time';
import type { CloudTrailEvent, JsonObject, ResourceRef, UserIdentity } from './types';

/**
 * Session-creating AWS STS events (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity,
 * GetFederationToken, GetSessionToken) as the IAM user guide's "Logging IAM and AWS STS API calls with
 * AWS CloudTrail" examples show them, and the temporary credentials they hand out.
 */

/** Temporary credentials as the generator tracks them, to sign later activity records. */
export interface Session {
  /** The ASIA... access key id: the session's identifier in every record signed with it. */
  accessKeyId: string;
  /** The userIdentity of records signed with these credentials. */
  identity: UserIdentity;
  /** The account whose trail receives activity made with the session (the identity's account). */
  accountId: string;
  createdAt: number;
  expiresAt: number;
  /** Human description, for the README and test messages. */
  label: string;
  /** Set when the scenario deliberately has no session-creating event for these credentials. */
  missingCreationReason?: string;
}

export interface StsResult {
  records: CloudTrailEvent[];
  session: Session;
}

/** Who calls AssumeRole: a principal with credentials, or an AWS service for a service role. */
export type AssumeRoleCaller =
  | { kind: 'principal'; identity: UserIdentity; accountId: string; mfa: boolean; sourceIdentity?: string }
  | { kind: 'service'; service: 'ec2.amazonaws.com' | 'lambda.amazonaws.com' };

interface Common {
  time: number;
  region: string;
  sourceIPAddress: string;
  userAgent: string;
  /** The client negotiated TLS 1.2 (shows in tlsDetails). */
  tls12?: boolean;
}

function credentials(prng: Prng, time: number, durationSeconds: number): { json: JsonObject; accessKeyId: string; expiresAt: number } {
  const key = accessKeyId(prng, 'ASIA');
  const expiresAt = time + durationSeconds * SECOND;
  return { json: { accessKeyId: key, sessionToken: sessionToken(prng), expiration: credentialExpiration(expiresAt) }, accessKeyId: key, expiresAt };
}

function roleResource(role: IamRole): ResourceRef {
  return { accountId: role.accountId, type: 'AWS::IAM::Role', ARN: role.arn };
}

export interface AssumeRoleInput extends Common {
  caller: AssumeRoleCaller;
  role: IamRole;
  sessionName: string;
  durationSeconds: number;
  /** Passed explicitly in the request (a trust policy may require it); otherwise inherited from a calling session. */
  sourceIdentity?: string;
  /** MFA device ARN when the caller authenticates with MFA in the AssumeRole request itself. */
  serialNumber?: string;
  /** For EC2 instance profiles: later activity shows the IMDSv2 delivery. */
  ec2RoleDelivery?: '2.0';
  label: string;
}

export function assumeRole(prng: Prng, input: AssumeRoleInput): StsResult {
  const { caller, role } = input;
  const creds = credentials(prng, input.time, input.durationSeconds);
  const resources = [roleResource(role)];
  const records: CloudTrailEvent[] = [];
  const mfa = caller.kind === 'principal' && (caller.mfa || input.serialNumber !== undefined);
  const sourceIdentity = input.sourceIdentity ?? (caller.kind === 'principal' ? caller.sourceIdentity : undefined);

  if (caller.kind === 'service') {
    // An AWS service assuming a service role: only the credentials come back (no assumedRoleUser), and the
    // event is shared with the service's own account, hence the sharedEventID.
    records.push(
      buildRecord(prng, {
        time: input.time,
        region: input.region,
        recipientAccountId: role.accountId,
        identity: awsServiceIdentity(caller.service),
        sourceIPAddress: caller.service,
        userAgent: caller.service,
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        readOnly: true,
        requestParameters: { roleArn: role.arn, roleSessionName: input.sessionName },
        responseElements: { credentials: creds.json },
        resources,
        sharedEventID: prng.uuid(),
      }),
    );
  } else {
    const requestParameters: JsonObject = { roleArn: role.arn, roleSessionName: input.sessionName, durationSeconds: input.durationSeconds };
    if (input.sourceIdentity) requestParameters.sourceIdentity = input.sourceIdentity;
    if (input.serialNumber) requestParameters.serialNumber = input.serialNumber;
    const responseElements: JsonObject = {
      credentials: creds.json,
      assumedRoleUser: { assumedRoleId: `${role.roleId}:${input.sessionName}`, arn: assumedRoleArn(role, input.sessionName) },
    };
    if (sourceIdentity) responseElements.sourceIdentity = sourceIdentity;
    const crossAccount = caller.accountId !== role.accountId;
    // One request, two deliveries when the role is in another account: same requestID and sharedEventID,
    // different eventID and recipientAccountId. The role owner only learns the calling account and principal.
    const requestID = newRequestId(prng, 'sts.amazonaws.com');
    const sharedEventID = crossAccount ? prng.uuid() : undefined;
    const base = {
      time: input.time,
      region: input.region,
      sourceIPAddress: input.sourceIPAddress,
      userAgent: input.userAgent,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      readOnly: true,
      requestParameters,
      responseElements,
      resources,
      requestID,
      ...(sharedEventID ? { sharedEventID } : {}),
      ...(input.tls12 ? { tls12: true } : {}),
    };
    records.push(buildRecord(prng, { ...base, recipientAccountId: caller.accountId, identity: caller.identity }));
    if (crossAccount) {
      const principalId = caller.identity.principalId ?? caller.accountId;
      records.push(buildRecord(prng, { ...base, recipientAccountId: role.accountId, identity: awsAccountIdentity(principalId, caller.accountId) }));
    }
  }

  const identity = roleSessionIdentity(role, input.sessionName, creds.accessKeyId, {
    createdAt: input.time,
    mfa,
    ...(sourceIdentity ? { sourceIdentity } : {}),
    ...(input.ec2RoleDelivery ? { ec2RoleDelivery: input.ec2RoleDelivery } : {}),
  });
  return {
    records,
    session: { accessKeyId: creds.accessKeyId, identity, accountId: role.accountId, createdAt: input.time, expiresAt: creds.expiresAt, label: input.label },
  };
}

export interface SamlProvider {
  arn: string;
  issuer: string;
  nameQualifier: string;
}

export interface AssumeRoleWithSamlInput extends Common {
  role: IamRole;
  provider: SamlProvider;
  subject: string;
  subjectType: string;
  sessionName: string;
  durationSeconds: number;
  label: string;
}

export function assumeRoleWithSaml(prng: Prng, input: AssumeRoleWithSamlInput): StsResult {
  const { role, provider } = input;
  const creds = credentials(prng, input.time, input.durationSeconds);
  const record = buildRecord(prng, {
    time: input.time,
    region: input.region,
    recipientAccountId: role.accountId,
    identity: samlUserIdentity(provider.nameQualifier, input.subject),
    sourceIPAddress: input.sourceIPAddress,
    userAgent: input.userAgent,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithSAML',
    readOnly: true,
    requestParameters: {
      sAMLAssertionID: `_${prng.uuid()}`,
      roleSessionName: input.sessionName,
      durationSeconds: input.durationSeconds,
      roleArn: role.arn,
      principalArn: provider.arn,
    },
    responseElements: {
      subjectType: input.subjectType,
      issuer: provider.issuer,
      credentials: creds.json,
      nameQualifier: provider.nameQualifier,
      assumedRoleUser: { assumedRoleId: `${role.roleId}:${input.sessionName}`, arn: assumedRoleArn(role, input.sessionName) },
      subject: input.subject,
      audience: 'https://signin.aws.amazon.com/saml',
    },
    resources: [roleResource(role), { accountId: role.accountId, type: 'AWS::IAM::SAMLProvider', ARN: provider.arn }],
  });
  const identity = roleSessionIdentity(role, input.sessionName, creds.accessKeyId, { createdAt: input.time, mfa: false });
  return {
    records: [record],
    session: { accessKeyId: creds.accessKeyId, identity, accountId: role.accountId, createdAt: input.time, expiresAt: creds.expiresAt, label: input.label },
  };
}

export interface AssumeRoleWithWebIdentityInput extends Common {
  role: IamRole;
  /** The identity provider as CloudTrail names it: an OIDC provider ARN, or e.g. cognito-identity.amazonaws.com. */
  provider: string;
  audience: string;
  subject: string;
  sessionName: string;
  durationSeconds: number;
  label: string;
}

export function assumeRoleWithWebIdentity(prng: Prng, input: AssumeRoleWithWebIdentityInput): StsResult {
  const { role } = input;
  const creds = credentials(prng, input.time, input.durationSeconds);
  const record = buildRecord(prng, {
    time: input.time,
    region: input.region,
    recipientAccountId: role.accountId,
    identity: webIdentityUserIdentity(input.provider, input.audience, input.subject),
    sourceIPAddress: input.sourceIPAddress,
    userAgent: input.userAgent,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    readOnly: true,
    requestParameters: { roleArn: role.arn, roleSessionName: input.sessionName, durationSeconds: input.durationSeconds },
    responseElements: {
      provider: input.provider,
      subjectFromWebIdentityToken: input.subject,
      audience: input.audience,
      credentials: creds.json,
      assumedRoleUser: { assumedRoleId: `${role.roleId}:${input.sessionName}`, arn: assumedRoleArn(role, input.sessionName) },
    },
    resources: [roleResource(role)],
  });
  const identity = roleSessionIdentity(role, input.sessionName, creds.accessKeyId, { createdAt: input.time, mfa: false, federatedProvider: input.provider });
  return {
    records: [record],
    session: { accessKeyId: creds.accessKeyId, identity, accountId: role.accountId, createdAt: input.time, expiresAt: creds.expiresAt, label: input.label },
  };
}

export interface GetSessionTokenInput extends Common {
  user: IamUser;
  longTermKey: string;
  durationSeconds: number;
  /** The MFA device: the resulting session is MFA-authenticated. */
  serialNumber: string;
  label: string;
}

export function getSessionToken(prng: Prng, input: GetSessionTokenInput): StsResult {
  const creds = credentials(prng, input.time, input.durationSeconds);
  const record = buildRecord(prng, {
    time: input.time,
    region: input.region,
    recipientAccountId: input.user.accountId,
    identity: iamUserIdentity(input.user, input.longTermKey),
    sourceIPAddress: input.sourceIPAddress,
    userAgent: input.userAgent,
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetSessionToken',
    readOnly: true,
    requestParameters: { durationSeconds: input.durationSeconds, serialNumber: input.serialNumber },
    responseElements: { credentials: creds.json },
  });
  return {
    records: [record],
    session: {
      accessKeyId: creds.accessKeyId,
      identity: iamUserSessionIdentity(input.user, creds.accessKeyId, input.time, true),
      accountId: input.user.accountId,
      createdAt: input.time,
      expiresAt: creds.expiresAt,
      label: input.label,
    },
  };
}

export interface GetFederationTokenInput extends Common {
  user: IamUser;
  longTermKey: string;
  name: string;
  durationSeconds: number;
  policyArn: string;
  label: string;
}

export function getFederationToken(prng: Prng, input: GetFederationTokenInput): StsResult {
  const { user } = input;
  const creds = credentials(prng, input.time, input.durationSeconds);
  const record = buildRecord(prng, {
    time: input.time,
    region: input.region,
    recipientAccountId: user.accountId,
    identity: iamUserIdentity(user, input.longTermKey),
    sourceIPAddress: input.sourceIPAddress,
    userAgent: input.userAgent,
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetFederationToken',
    readOnly: true,
    requestParameters: { name: input.name, durationSeconds: input.durationSeconds, policyArns: [{ arn: input.policyArn }] },
    responseElements: {
      credentials: creds.json,
      federatedUser: { federatedUserId: `${user.accountId}:${input.name}`, arn: `arn:aws:sts::${user.accountId}:federated-user/${input.name}` },
      packedPolicySize: 6,
    },
  });
  return {
    records: [record],
    session: {
      accessKeyId: creds.accessKeyId,
      identity: federatedUserIdentity(user, input.name, creds.accessKeyId, input.time),
      accountId: user.accountId,
      createdAt: input.time,
      expiresAt: creds.expiresAt,
      label: input.label,
    },
  };
}

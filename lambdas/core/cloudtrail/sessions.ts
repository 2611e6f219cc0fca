import { arnName, isInstanceId, isTemporaryAccessKey, normalizeRoleArn, parseArn, sessionNameOfAssumedRoleArn } from './arn';
import { actorPrincipal, makePrincipal, type Principal } from './principal';
import type { CloudTrailRecord } from './types';

/**
 * Role sessions as Amazon Detective defines them: the temporary credentials one principal obtained for a
 * role (or a federated user, or an MFA session), identified by the temporary access key id, with the
 * principal that created them and the activity performed with them.
 */
/**
 * A user's (or root's) own temporary credentials come in three kinds: `session-token` (GetSessionToken),
 * `console` (a console sign-in's session, `sessionCredentialFromConsole`), and `forward-access` (credentials
 * an AWS service derives from the caller's to act on its behalf, `userIdentity.invokedBy`).
 */
export type SessionKind = 'assumed-role' | 'federated-user' | 'session-token' | 'console' | 'forward-access' | 'root-session';

export interface FederationDetails {
  provider?: string;
  subject?: string;
  subjectType?: string;
  issuer?: string;
  audience?: string;
}

/** What the session-creating event says about a session. */
export interface SessionCreation {
  sessionId: string;
  recipientAccountId: string;
  kind: SessionKind;
  creationEvent: string;
  creationEventId?: string;
  createdAt: string;
  credentialExpiration?: string;
  /** The role ARN (path-less) the session belongs to, or the IAM user for federation and MFA session tokens. */
  issuerArn: string;
  sessionArn?: string;
  sessionName?: string;
  accountId?: string;
  region?: string;
  sourceIp?: string;
  userAgent?: string;
  mfa: boolean;
  sourceIdentity?: string;
  caller: Principal;
  /** Set when the caller itself used temporary credentials: role chaining. */
  parentSessionId?: string;
  /** The parent session's issuer (its role) and creation time, from the caller's sessionContext: where its pack lies. */
  parentIssuerArn?: string;
  parentCreatedAt?: string;
  /** Set when the caller is not a session: the principal at the root of the chain. */
  origin?: Principal;
  federation?: FederationDetails;
  instanceId?: string;
  crossAccount: boolean;
}

/** What API calls made with a session's credentials say about it (from `userIdentity.sessionContext`). */
export interface SessionObservation {
  sessionId: string;
  kind: SessionKind;
  issuerArn: string;
  sessionArn?: string;
  sessionName?: string;
  accountId?: string;
  /** `sessionContext.attributes.creationDate`: when the credentials were issued. */
  createdAt?: string;
  mfa?: boolean;
  sourceIdentity?: string;
  instanceId?: string;
  origin?: Principal;
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
}

export const SESSION_CREATING_EVENTS = new Set([
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetFederationToken',
  'GetSessionToken',
  'AssumeRoot',
]);

type Params = Record<string, unknown> | null | undefined;

function str(params: Params, name: string): string | undefined {
  const value = params?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function obj(params: Params, name: string): Record<string, unknown> | undefined {
  const value = params?.[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * CloudTrail writes `credentials.expiration` as e.g. "Oct 5, 2026, 10:13:22 AM" (UTC, no zone) in STS events.
 * Returns ISO-8601, or undefined when it cannot be read.
 */
export function parseCredentialExpiration(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const hasZone = /Z$|[+-]\d{2}:?\d{2}$|UTC|GMT/.test(value);
  const millis = Date.parse(hasZone ? value : `${value} UTC`);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

function mfaOfCaller(record: CloudTrailRecord): boolean {
  return record.userIdentity.sessionContext?.attributes?.mfaAuthenticated === 'true';
}

/** The principal at the root of a session created by `record`'s caller, when the caller is not itself a session. */
function originOf(record: CloudTrailRecord, caller: Principal, sessionName: string | undefined): Principal {
  if (caller.type === 'aws-service' && record.userIdentity.invokedBy === 'ec2.amazonaws.com' && isInstanceId(sessionName)) {
    return makePrincipal('ec2-instance', sessionName, sessionName, { accountId: record.recipientAccountId });
  }
  return caller;
}

/** Extracts the session a successful session-creating STS event created; undefined for any other record. */
export function sessionCreatedBy(record: CloudTrailRecord): SessionCreation | undefined {
  if (record.eventSource !== 'sts.amazonaws.com' || !SESSION_CREATING_EVENTS.has(record.eventName) || record.errorCode) return undefined;
  const response = record.responseElements;
  const sessionId = str(obj(response, 'credentials'), 'accessKeyId');
  if (!isTemporaryAccessKey(sessionId)) return undefined;
  const request = record.requestParameters;
  const caller = actorPrincipal(record);
  const callerKey = record.userIdentity.accessKeyId;
  const parentSessionId = isTemporaryAccessKey(callerKey) && callerKey !== sessionId ? callerKey : undefined;

  let kind: SessionKind = 'assumed-role';
  let issuerArn: string | undefined;
  let sessionArn: string | undefined;
  let sessionName: string | undefined;
  switch (record.eventName) {
    case 'GetFederationToken': {
      kind = 'federated-user';
      sessionArn = str(obj(response, 'federatedUser'), 'arn');
      sessionName = str(request, 'name') ?? arnName(sessionArn);
      issuerArn = caller.arn;
      break;
    }
    case 'GetSessionToken':
      kind = 'session-token';
      issuerArn = caller.arn;
      sessionArn = caller.arn;
      sessionName = caller.name;
      break;
    case 'AssumeRoot':
      kind = 'root-session';
      issuerArn = str(request, 'targetPrincipal');
      issuerArn = issuerArn && /^\d{12}$/.test(issuerArn) ? `arn:aws:iam::${issuerArn}:root` : issuerArn;
      sessionArn = issuerArn;
      break;
    default: {
      const assumedRoleUser = obj(response, 'assumedRoleUser');
      sessionArn = str(assumedRoleUser, 'arn');
      issuerArn = normalizeRoleArn(str(request, 'roleArn') ?? sessionArn);
      sessionName = str(request, 'roleSessionName') ?? sessionNameOfAssumedRoleArn(sessionArn);
    }
  }
  if (!issuerArn) return undefined;

  const issuerAccount = parseArn(issuerArn)?.accountId;
  const origin = parentSessionId ? undefined : originOf(record, caller, sessionName);
  // The caller's sessionContext names the parent's issuer and creation time: where the parent's pack is read.
  const parent = parentSessionId ? sessionObservedIn(record) : undefined;
  const federation = federationDetails(record);
  return {
    sessionId,
    recipientAccountId: record.recipientAccountId ?? record.userIdentity.accountId ?? 'unknown',
    kind,
    creationEvent: record.eventName,
    ...(record.eventID ? { creationEventId: record.eventID } : {}),
    createdAt: record.eventTime,
    ...optional('credentialExpiration', parseCredentialExpiration(str(obj(response, 'credentials'), 'expiration'))),
    issuerArn,
    ...optional('sessionArn', sessionArn),
    ...optional('sessionName', sessionName),
    ...optional('accountId', issuerAccount),
    ...optional('region', record.awsRegion),
    ...optional('sourceIp', record.sourceIPAddress),
    ...optional('userAgent', record.userAgent),
    mfa: str(request, 'serialNumber') !== undefined || mfaOfCaller(record),
    ...optional('sourceIdentity', str(request, 'sourceIdentity') ?? record.userIdentity.sessionContext?.sourceIdentity),
    caller,
    ...optional('parentSessionId', parentSessionId),
    ...optional('parentIssuerArn', parent?.issuerArn),
    ...optional('parentCreatedAt', parent?.createdAt),
    ...optional('origin', origin),
    ...optional('federation', federation),
    ...optional('instanceId', origin?.type === 'ec2-instance' ? origin.name : undefined),
    crossAccount: issuerAccount !== undefined && caller.accountId !== undefined && issuerAccount !== caller.accountId,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function federationDetails(record: CloudTrailRecord): FederationDetails | undefined {
  const response = record.responseElements;
  if (record.eventName === 'AssumeRoleWithSAML') {
    return {
      ...optional('provider', str(record.requestParameters, 'principalArn')),
      ...optional('subject', str(response, 'subject')),
      ...optional('subjectType', str(response, 'subjectType')),
      ...optional('issuer', str(response, 'issuer')),
      ...optional('audience', str(response, 'audience')),
    };
  }
  if (record.eventName === 'AssumeRoleWithWebIdentity') {
    return {
      ...optional('provider', str(response, 'provider') ?? record.userIdentity.identityProvider),
      ...optional('subject', str(response, 'subjectFromWebIdentityToken') ?? record.userIdentity.userName),
      ...optional('audience', str(response, 'audience')),
    };
  }
  return undefined;
}

/**
 * What an API call made with temporary credentials tells about their session; undefined when the call was
 * not made with temporary credentials.
 */
export function sessionObservedIn(record: CloudTrailRecord): SessionObservation | undefined {
  const identity = record.userIdentity;
  if (!isTemporaryAccessKey(identity.accessKeyId)) return undefined;
  const context = identity.sessionContext;
  const actor = actorPrincipal(record);
  let kind: SessionKind;
  let origin: Principal | undefined;
  let sessionName: string | undefined;
  let instanceId: string | undefined;
  switch (identity.type) {
    case 'AssumedRole':
    case 'Role':
      kind = 'assumed-role';
      sessionName = sessionNameOfAssumedRoleArn(identity.arn) ?? identity.principalId?.split(':')[1];
      // ec2RoleDelivery is set only on instance-profile credentials, so the session name is the instance id.
      if (context?.ec2RoleDelivery && isInstanceId(sessionName)) {
        instanceId = sessionName;
        origin = makePrincipal('ec2-instance', sessionName, sessionName, { accountId: identity.accountId });
      }
      break;
    case 'FederatedUser': {
      kind = 'federated-user';
      sessionName = arnName(identity.arn);
      const issuer = context?.sessionIssuer;
      if (issuer?.arn) origin = makePrincipal('iam-user', issuer.arn, issuer.userName ?? arnName(issuer.arn) ?? issuer.arn, { arn: issuer.arn, accountId: issuer.accountId });
      break;
    }
    case 'IAMUser':
    case 'Root':
      // MFA session tokens, console sessions and forward access of users: the user is both issuer and origin.
      kind = identity.invokedBy ? 'forward-access' : record.sessionCredentialFromConsole === 'true' ? 'console' : 'session-token';
      sessionName = actor.name;
      origin = actor;
      break;
    default:
      return undefined;
  }
  const issuerArn = identity.type === 'FederatedUser' ? (context?.sessionIssuer?.arn ?? actor.arn) : actor.arn;
  if (!issuerArn) return undefined;
  const mfa = context?.attributes?.mfaAuthenticated;
  return {
    sessionId: identity.accessKeyId,
    kind,
    issuerArn,
    ...optional('sessionArn', identity.arn),
    ...optional('sessionName', sessionName),
    ...optional('accountId', identity.accountId),
    ...optional('createdAt', normalizeIsoTime(context?.attributes?.creationDate)),
    ...(mfa === undefined ? {} : { mfa: mfa === 'true' }),
    ...optional('sourceIdentity', context?.sourceIdentity),
    ...optional('instanceId', instanceId),
    ...optional('origin', origin),
    firstSeen: record.eventTime,
    lastSeen: record.eventTime,
    eventCount: 1,
  };
}

/** sessionContext.creationDate is ISO-8601 with a Z; anything else is dropped rather than mis-sorted. */
function normalizeIsoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString().replace('.000Z', 'Z');
}

/** Folds another observation of the same session (from the same file) into `into`. */
export function mergeObservation(into: SessionObservation, next: SessionObservation): void {
  if (next.firstSeen < into.firstSeen) into.firstSeen = next.firstSeen;
  if (next.lastSeen > into.lastSeen) into.lastSeen = next.lastSeen;
  into.eventCount += next.eventCount;
  into.createdAt ??= next.createdAt;
  into.mfa ??= next.mfa;
  into.sourceIdentity ??= next.sourceIdentity;
  into.instanceId ??= next.instanceId;
  into.origin ??= next.origin;
}

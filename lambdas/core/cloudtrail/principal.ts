import { arnName, normalizeRoleArn } from './arn';
import type { CloudTrailRecord, UserIdentity } from './types';

/**
 * Who a principal is, with a stable `key` (`<type>#<id>`) used across tables.
 * `ec2-instance` never makes calls itself (its role session does): it only appears as a session's origin.
 */
export type PrincipalType =
  | 'iam-user'
  | 'role'
  | 'federated-user'
  | 'root'
  | 'aws-service'
  | 'saml-user'
  | 'sso-user'
  | 'web-identity-user'
  | 'aws-account'
  | 'ec2-instance'
  | 'unknown';

export interface Principal {
  type: PrincipalType;
  key: string;
  name: string;
  arn?: string;
  accountId?: string;
}

export function makePrincipal(type: PrincipalType, id: string, name: string, extra: { arn?: string; accountId?: string } = {}): Principal {
  const principal: Principal = { type, key: `${type}#${id}`, name };
  if (extra.arn !== undefined) principal.arn = extra.arn;
  if (extra.accountId !== undefined) principal.accountId = extra.accountId;
  return principal;
}

function stringParam(params: Record<string, unknown> | null | undefined, name: string): string | undefined {
  const value = params?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Identity Center's SAML provider is `AWSSSO_<id>_DO_NOT_DELETE` and its roles `AWSReservedSSO_<set>_<id>`. */
export function isIdentityCenterSaml(record: CloudTrailRecord): boolean {
  const providerArn = stringParam(record.requestParameters, 'principalArn') ?? '';
  const roleArn = stringParam(record.requestParameters, 'roleArn') ?? '';
  return providerArn.includes(':saml-provider/AWSSSO_') || roleArn.includes('/AWSReservedSSO_') || roleArn.includes(':role/AWSReservedSSO_');
}

/** The principal that made the call in `record` (for role sessions, the role). */
export function actorPrincipal(record: CloudTrailRecord): Principal {
  const identity: UserIdentity = record.userIdentity;
  const accountId = identity.accountId;
  switch (identity.type) {
    case 'IAMUser': {
      const arn = identity.arn ?? `arn:aws:iam::${accountId}:user/${identity.userName}`;
      return makePrincipal('iam-user', arn, identity.userName ?? arnName(arn) ?? arn, { arn, accountId });
    }
    case 'AssumedRole':
    case 'Role': {
      const arn = normalizeRoleArn(identity.sessionContext?.sessionIssuer?.arn ?? identity.arn) ?? `unknown-role:${identity.principalId}`;
      return makePrincipal('role', arn, arnName(arn) ?? arn, { arn, accountId });
    }
    case 'FederatedUser': {
      const arn = identity.arn ?? `federated-user:${identity.principalId}`;
      return makePrincipal('federated-user', arn, arnName(arn) ?? arn, { arn, accountId });
    }
    case 'Root': {
      const arn = identity.arn ?? `arn:aws:iam::${accountId}:root`;
      return makePrincipal('root', arn, `root (${accountId})`, { arn, accountId });
    }
    case 'AWSService': {
      const service = identity.invokedBy ?? 'unknown-service';
      return makePrincipal('aws-service', service, service);
    }
    case 'SAMLUser': {
      const subject = identity.userName ?? stringParam(record.responseElements, 'subject') ?? identity.principalId ?? 'unknown';
      if (isIdentityCenterSaml(record)) return makePrincipal('sso-user', subject, subject);
      const provider = stringParam(record.requestParameters, 'principalArn') ?? identity.identityProvider ?? 'unknown-idp';
      return makePrincipal('saml-user', `${provider}#${subject}`, subject);
    }
    case 'WebIdentityUser': {
      const provider = identity.identityProvider ?? stringParam(record.responseElements, 'provider') ?? 'unknown-idp';
      const subject = identity.userName ?? stringParam(record.responseElements, 'subjectFromWebIdentityToken') ?? identity.principalId ?? 'unknown';
      return makePrincipal('web-identity-user', `${provider}#${subject}`, subject);
    }
    case 'AWSAccount':
      return makePrincipal('aws-account', accountId ?? identity.principalId ?? 'unknown', `account ${accountId ?? identity.principalId}`, { accountId });
    case 'IdentityCenterUser': {
      const user = identity.userName ?? identity.principalId ?? 'unknown';
      return makePrincipal('sso-user', user, user);
    }
    default: {
      // AWS service events (eventType AwsServiceEvent) often carry no type, only the service in invokedBy.
      const service = identity.invokedBy ?? (record.eventType === 'AwsServiceEvent' ? record.eventSource : undefined);
      if (service && !identity.userName && !identity.arn) return makePrincipal('aws-service', service, service);
      const id = identity.userName ?? identity.principalId ?? identity.arn ?? 'anonymous';
      return makePrincipal('unknown', id, id, { accountId });
    }
  }
}

/**
 * actorPrincipal with a cache: deriving a principal parses ARNs, and a log file repeats few identities many
 * times. The key holds every field the derivation reads, except for SAML and web-identity users, which also
 * depend on the request and are rare enough to derive each time.
 */
export class PrincipalCache {
  private readonly principals = new Map<string, Principal>();

  of(record: CloudTrailRecord): Principal {
    const identity = record.userIdentity;
    if (identity.type === 'SAMLUser' || identity.type === 'WebIdentityUser') return actorPrincipal(record);
    const key = `${identity.type}|${record.eventType}|${identity.arn}|${identity.sessionContext?.sessionIssuer?.arn}|${identity.invokedBy}|${identity.userName}|${identity.principalId}|${identity.accountId}`;
    let principal = this.principals.get(key);
    if (!principal) this.principals.set(key, (principal = actorPrincipal(record)));
    return principal;
  }
}

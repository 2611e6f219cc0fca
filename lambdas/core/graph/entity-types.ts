import { AWS_PARTITIONS, entityTypeOf } from '../investigation/arns';

/**
 * The entity types of searchEntities and listRelatedEntities (Detective's graph entities), and the principal
 * types of the hour index each one covers. EntityId formats (README "API reference"):
 * - IAM_ROLE: the role ARN without its path (`arn:aws:iam::<account>:role/<name>`), as CloudTrail's sessionIssuer;
 * - IAM_USER: the user ARN;
 * - FEDERATED_USER: Trailhound's principal key (`sso-user#<name>`, `saml-user#<provider>#<subject>`,
 *   `web-identity-user#…`, `federated-user#<arn>`), which is also the origin of the sessions it started;
 * - ROLE_SESSION: `arn:aws:sts::<account>:assumed-role/<role>/<session name>` (what calls show as
 *   userIdentity.arn; one entity per role and session name, as Detective's `<rolePrincipalId>:<sessionName>`),
 *   or the temporary access key id (`ASIA…`) when the session name is unknown;
 * - EC2_INSTANCE: the instance id; IP_ADDRESS, USER_AGENT, S3_BUCKET (bucket name), AWS_ACCOUNT (12 digits): the value.
 */
export const ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'FEDERATED_USER', 'EC2_INSTANCE', 'IP_ADDRESS', 'USER_AGENT', 'S3_BUCKET', 'AWS_ACCOUNT'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const FEDERATED_PRINCIPAL_TYPES = ['federated-user', 'saml-user', 'sso-user', 'web-identity-user'] as const;

/** The entity type of a principal of the hour index (root and AWS services are not searchable entities). */
export function entityTypeOfPrincipal(principalType: string): EntityType | undefined {
  if (principalType === 'role') return 'IAM_ROLE';
  if (principalType === 'iam-user') return 'IAM_USER';
  if ((FEDERATED_PRINCIPAL_TYPES as readonly string[]).includes(principalType)) return 'FEDERATED_USER';
  if (principalType === 'aws-account' || principalType === 'root') return 'AWS_ACCOUNT';
  return undefined;
}

/** A principal's EntityId, from its key (`role#<arn>` → the ARN; a federated user keeps its key). */
export function entityIdOfPrincipal(subject: string, principalType: string): string {
  const hash = subject.indexOf('#');
  const id = hash >= 0 ? subject.slice(hash + 1) : subject;
  if (principalType === 'role' || principalType === 'iam-user') return id;
  if (principalType === 'aws-account') return id;
  if (principalType === 'root') return /:(\d{12}):/.exec(id)?.[1] ?? id;
  return subject;
}

/** The principal key (Activity subject, session origin) of a principal entity. */
export function principalKeyOf(type: EntityType, id: string): string | undefined {
  if (type === 'IAM_ROLE') return `role#${id}`;
  if (type === 'IAM_USER') return `iam-user#${id}`;
  if (type === 'FEDERATED_USER') return id;
  return undefined;
}

export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

export function accountOfArn(arn: string): string | undefined {
  return /^arn:[a-z-]+:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
}

/** The ROLE_SESSION EntityId of a session of `roleArn` named `sessionName` (the access key id without a name). */
export function sessionEntityId(roleArn: string, sessionName: string | undefined, accessKeyId: string): string {
  const account = accountOfArn(roleArn);
  const partition = /^arn:([a-z-]+):/.exec(roleArn)?.[1] ?? 'aws';
  if (!sessionName || !account) return accessKeyId;
  return `arn:${partition}:sts::${account}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`;
}

/** `arn:aws:sts::<account>:assumed-role/<role>/<name>` → its role ARN and session name. */
export function parseSessionEntityId(id: string): { roleArn: string; sessionName: string } | undefined {
  const match = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{2,64})$/.exec(id);
  if (!match) return undefined;
  const [, partition, account, role, sessionName] = match;
  return { roleArn: `arn:${partition}:iam::${account}:role/${role}`, sessionName };
}

/**
 * The entity types getApiCallVolume (and the evidence reads) take, with the identifier each one takes. Identifiers
 * are checked against AWS's own formats, so a typo is a 400 at once rather than an empty answer.
 */
export const VOLUME_ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'AWS_ACCOUNT', 'EC2_INSTANCE'] as const;
export type VolumeEntityType = (typeof VOLUME_ENTITY_TYPES)[number];

const NAME = '[\\w+=,.@-]';
/** `arn:aws:sts::<account>:assumed-role/<role>/<session name>`: the role and session name a call's userIdentity.arn gives. */
export const ROLE_SESSION_ID_PATTERN = new RegExp(`^arn:(?:${AWS_PARTITIONS.join('|')}):sts::[0-9]{12}:assumed-role/${NAME}{1,64}/${NAME}{2,64}$`);
export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
export const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

/** What each type's EntityId must look like, said in an error message. */
export const VOLUME_ENTITY_ID_RULES: Record<VolumeEntityType, string> = {
  IAM_ROLE: 'an IAM role ARN (arn:aws:iam::<account>:role/[<path>/]<name>)',
  IAM_USER: 'an IAM user ARN (arn:aws:iam::<account>:user/[<path>/]<name>)',
  ROLE_SESSION: 'an assumed-role ARN (arn:aws:sts::<account>:assumed-role/<role>/<session name>)',
  AWS_ACCOUNT: 'a 12-digit account id',
  EC2_INSTANCE: 'an EC2 instance id (i-0123456789abcdef0)',
};

export function isVolumeEntityIdOf(type: VolumeEntityType, id: string): boolean {
  switch (type) {
    case 'IAM_ROLE':
    case 'IAM_USER':
      return entityTypeOf(id) === type;
    case 'ROLE_SESSION':
      return ROLE_SESSION_ID_PATTERN.test(id);
    case 'AWS_ACCOUNT':
      return ACCOUNT_ID_PATTERN.test(id);
    case 'EC2_INSTANCE':
      return INSTANCE_ID_PATTERN.test(id);
  }
}

export interface GraphEntity {
  type: VolumeEntityType;
  id: string;
}

import { AWS_PARTITIONS, entityTypeOf } from '../investigation/arns';

/**
 * The entity types of the graph routes, with the identifier each one takes. Identifiers are checked against
 * AWS's own formats, so a typo is a 400 at once rather than an empty answer.
 */
export const GRAPH_ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER', 'ROLE_SESSION', 'AWS_ACCOUNT', 'EC2_INSTANCE'] as const;
export type GraphEntityType = (typeof GRAPH_ENTITY_TYPES)[number];

const NAME = '[\\w+=,.@-]';
/** `arn:aws:sts::<account>:assumed-role/<role>/<session name>`: the role and session name a call's userIdentity.arn gives. */
export const ROLE_SESSION_ID_PATTERN = new RegExp(`^arn:(?:${AWS_PARTITIONS.join('|')}):sts::[0-9]{12}:assumed-role/${NAME}{1,64}/${NAME}{2,64}$`);
export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
export const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

/** What each type's EntityId must look like, said in an error message. */
export const ENTITY_ID_RULES: Record<GraphEntityType, string> = {
  IAM_ROLE: 'an IAM role ARN (arn:aws:iam::<account>:role/[<path>/]<name>)',
  IAM_USER: 'an IAM user ARN (arn:aws:iam::<account>:user/[<path>/]<name>)',
  ROLE_SESSION: 'an assumed-role ARN (arn:aws:sts::<account>:assumed-role/<role>/<session name>)',
  AWS_ACCOUNT: 'a 12-digit account id',
  EC2_INSTANCE: 'an EC2 instance id (i-0123456789abcdef0)',
};

export function isEntityIdOf(type: GraphEntityType, id: string): boolean {
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
  type: GraphEntityType;
  id: string;
}

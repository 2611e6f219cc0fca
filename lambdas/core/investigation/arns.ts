import type { EntityType } from './model';

/**
 * The ARNs the API accepts. Detective only documents `^arn:.*` for EntityArn and investigates IAM users and
 * roles; Trailhound checks them against IAM's own rules, so that a typo fails at once instead of yielding an
 * empty report:
 * - a known partition;
 * - the global `iam` service (no region) and a 12-digit account;
 * - an IAM path: `/` alone, or `/…/` of printable ASCII, at most 512 characters in all;
 * - a role or user name of IAM's characters (letters, digits and `+=,.@_-`), at most 64 characters.
 */
export const AWS_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'] as const;
export const MAX_IAM_PATH_LENGTH = 512;
export const MAX_IAM_NAME_LENGTH = 64;

export const ENTITY_ARN_PATTERN = new RegExp(
  `^arn:(?:${AWS_PARTITIONS.join('|')}):iam::[0-9]{12}:(role|user)(/(?:[\\x21-\\x7E]{1,${MAX_IAM_PATH_LENGTH - 2}}/)?)[\\w+=,.@-]{1,${MAX_IAM_NAME_LENGTH}}$`,
);

/** The rules above in one sentence, for error messages (the pattern itself is too long to read). */
export const ENTITY_ARN_RULES =
  `Member must be an IAM role or user ARN: arn:<${AWS_PARTITIONS.join('|')}>:iam::<12-digit account>:role|user/[<path>/]<name>, ` +
  `the name of at most ${MAX_IAM_NAME_LENGTH} letters, digits or +=,.@_- and the path of at most ${MAX_IAM_PATH_LENGTH} characters`;

/** Detective's documented GraphArn pattern. Trailhound has one graph per deployment and accepts any such ARN. */
export const GRAPH_ARN_PATTERN = /^arn:aws[-\w]{0,10}?:detective:[-\w]{2,20}?:\d{12}?:graph:[abcdef\d]{32}?$/;

export function entityTypeOf(entityArn: string): EntityType | undefined {
  const match = ENTITY_ARN_PATTERN.exec(entityArn);
  if (!match) return undefined;
  return match[1] === 'role' ? 'IAM_ROLE' : 'IAM_USER';
}

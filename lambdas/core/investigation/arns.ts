import type { EntityType } from './model';

/**
 * The ARNs the API accepts. Detective only documents `^arn:.*` for EntityArn and investigates IAM users and
 * roles; Trailhound checks the real shape so that a typo fails at once instead of yielding an empty report.
 */
export const ENTITY_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(role|user)\/(?:[\x21-\x7E]*\/)?[\w+=,.@-]{1,128}$/;

/** Detective's documented GraphArn pattern. Trailhound has one graph per deployment and accepts any such ARN. */
export const GRAPH_ARN_PATTERN = /^arn:aws[-\w]{0,10}?:detective:[-\w]{2,20}?:\d{12}?:graph:[abcdef\d]{32}?$/;

export function entityTypeOf(entityArn: string): EntityType | undefined {
  const match = ENTITY_ARN_PATTERN.exec(entityArn);
  if (!match) return undefined;
  return match[1] === 'role' ? 'IAM_ROLE' : 'IAM_USER';
}

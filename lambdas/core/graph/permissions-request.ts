import { ENTITY_ARN_PATTERN, ENTITY_ARN_RULES, MAX_IAM_NAME_LENGTH } from '../investigation/arns';
import { formatTimestamp } from '../investigation/time';
import { ObjectReader, Violations } from '../investigation/validation';
import type { IamEntityType } from '../iam/types';

/**
 * POST /graph/getPermissions: `{EntityType: IAM_ROLE|IAM_USER, EntityId, AtTime}`. EntityId is the role's or
 * user's ARN, or its bare name (then every account Trailhound knows is asked). AtTime may be any past moment:
 * IAM histories do not expire with the activity (see README "Permissions over time").
 */
export const PERMISSION_ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER'] as const;
export type PermissionEntityType = (typeof PERMISSION_ENTITY_TYPES)[number];

/** Longest EntityId: an ARN with IAM's longest path and name. */
export const MAX_PERMISSIONS_ENTITY_ID_LENGTH = 1024;

const IAM_NAME = new RegExp(`^[\\w+=,.@-]{1,${MAX_IAM_NAME_LENGTH}}$`);

export interface PermissionsRequest {
  entityType: PermissionEntityType;
  iamType: Extract<IamEntityType, 'ROLE' | 'USER'>;
  entityId: string;
  /** From the ARN; undefined for a bare name. */
  accountId?: string;
  name: string;
  atTime: string;
}

/** The account and name an IAM role or user ARN names (its path dropped: IAM names are unique per account). */
export function iamNameOfArn(arn: string): { accountId: string; kind: 'role' | 'user'; name: string } | undefined {
  const match = ENTITY_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  return { accountId: arn.split(':')[4], kind: match[1] as 'role' | 'user', name: resource.slice(resource.lastIndexOf('/') + 1) };
}

export function parseGetPermissions(value: unknown, context: { nowMillis: number }): PermissionsRequest {
  const violations = new Violations();
  const reader = ObjectReader.of(value, '', ['GraphArn', 'EntityType', 'EntityId', 'AtTime'], violations);
  reader?.string('GraphArn', { maxLength: 2048 });
  const entityType = reader?.enumeration('EntityType', PERMISSION_ENTITY_TYPES, true);
  const entityId = reader?.string('EntityId', { required: true, minLength: 1, maxLength: MAX_PERMISSIONS_ENTITY_ID_LENGTH });
  const at = reader?.timestamp('AtTime', true);
  let named: { accountId?: string; name: string } | undefined;
  if (reader && entityType && entityId !== undefined) {
    const kind = entityType === 'IAM_ROLE' ? 'role' : 'user';
    const fromArn = iamNameOfArn(entityId);
    if (fromArn?.kind === kind) named = { accountId: fromArn.accountId, name: fromArn.name };
    else if (IAM_NAME.test(entityId)) named = { name: entityId };
    else reader.fail(`EntityId of an ${entityType} must be an IAM ${kind} ARN (${ENTITY_ARN_RULES}) or its name`);
  }
  if (reader && at !== undefined && at > context.nowMillis) reader.fail('AtTime must not be in the future');
  violations.throwIfAny();
  return {
    entityType: entityType!,
    iamType: entityType === 'IAM_ROLE' ? 'ROLE' : 'USER',
    entityId: entityId!,
    ...(named!.accountId ? { accountId: named!.accountId } : {}),
    name: named!.name,
    atTime: formatTimestamp(at!),
  };
}

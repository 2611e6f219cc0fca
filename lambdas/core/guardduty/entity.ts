import type { EntityType } from '../investigation/model';
import type { FindingRecord } from './finding';

/**
 * Which IAM entity a finding is about, from `resource.accessKeyDetails`. GuardDuty names the principal by
 * user type and name, not by ARN, so the ARN is rebuilt in the finding's partition and account:
 *
 * | userType                 | entity                                   | why |
 * | ---                      | ---                                      | --- |
 * | IAMUser                  | `arn:<p>:iam::<acct>:user/<userName>`    | long-term keys and GetSessionToken sessions of the user |
 * | AssumedRole (also Role)  | `arn:<p>:iam::<acct>:role/<userName>`    | userName is the role name; principalId is `AROA…:<session>` |
 * | Root                     | none                                     | the account itself: Detective investigates IAM users and roles only |
 * | FederatedUser            | none                                     | a GetFederationToken session: GuardDuty names the federated user, not the IAM user that issued it |
 * | anything else or absent  | none                                     | EC2, S3, EKS, RDS… findings name no IAM principal |
 *
 * Role paths are not in the finding; Trailhound keys roles and users by their path-less ARN anyway.
 */
export type EntityMapping =
  | { kind: 'entity'; entityArn: string; entityType: EntityType }
  | {
      kind: 'none';
      reason: string;
      /** The principal the finding does name, when it names one (root, federated user), for related-finding grouping. */
      principalArn?: string;
    };

export function mapFindingToEntity(record: FindingRecord): EntityMapping {
  const { partition, accountId } = record;
  const key = record.accessKey;
  if (!key) return { kind: 'none', reason: `the finding names no IAM access key (resource type ${record.resourceType ?? 'unknown'})` };
  const { userType, userName } = key;
  switch (userType) {
    case 'IAMUser':
      if (!userName) return { kind: 'none', reason: 'an IAMUser finding without a user name' };
      return { kind: 'entity', entityArn: `arn:${partition}:iam::${accountId}:user/${userName}`, entityType: 'IAM_USER' };
    case 'AssumedRole':
    case 'Role':
      if (!userName) return { kind: 'none', reason: `an ${userType} finding without a role name` };
      return { kind: 'entity', entityArn: `arn:${partition}:iam::${accountId}:role/${userName}`, entityType: 'IAM_ROLE' };
    case 'Root':
      return { kind: 'none', reason: 'root credentials: there is no IAM user or role to investigate', principalArn: `arn:${partition}:iam::${accountId}:root` };
    case 'FederatedUser':
      return {
        kind: 'none',
        reason: 'a federated user session (GetFederationToken): the finding does not name the IAM user that issued it',
        ...(userName ? { principalArn: `arn:${partition}:sts::${accountId}:federated-user/${userName}` } : {}),
      };
    default:
      return { kind: 'none', reason: `user type ${userType ?? '(none)'} names no IAM user or role` };
  }
}

import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { ACCOUNT, assumedRole, iamUser, record } from '../helpers/records';

/** IAM write events in the shapes CloudTrail logs them (camelCase requestParameters, IAM's responseElements). */
export { ACCOUNT };
export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const admin = iamUser('admin', 'AKIAADMINEXAMPLE');
export const attacker = assumedRole('Compromised', 'i-0abc', 'ASIAATTACKER');

let second = 0;
/** Successive seconds from 2026-10-22T10:00:00Z, unless a time is given. */
export function at(offsetSeconds: number): string {
  return new Date(Date.UTC(2026, 9, 22, 10, 0, 0) + offsetSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function iamEvent(eventName: string, requestParameters: Record<string, unknown>, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  return record({
    eventSource: 'iam.amazonaws.com',
    eventName,
    eventTime: at(second++),
    userIdentity: admin,
    requestParameters,
    responseElements: null,
    ...extra,
  });
}

export const trustDocument = (principal: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] });

export const EC2_TRUST = trustDocument({ Service: 'ec2.amazonaws.com' });

export function createRole(roleName: string, extra: Partial<CloudTrailRecord> = {}, document = EC2_TRUST): CloudTrailRecord {
  return iamEvent(
    'CreateRole',
    { path: '/', roleName, assumeRolePolicyDocument: document },
    {
      responseElements: { role: { assumeRolePolicyDocument: encodeURIComponent(document), arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, roleId: 'AROAEXAMPLE', createDate: 'Oct 22, 2026 10:00:00 AM', roleName, path: '/' } },
      ...extra,
    },
  );
}

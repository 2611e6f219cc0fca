/** Small ARN helpers. Role names are unique per account whatever their path, so keys use the path-less form. */

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string | undefined): ParsedArn | undefined {
  if (!arn?.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], accountId: parts[4], resource: parts.slice(5).join(':') };
}

/** `arn:aws:iam::123:role/path/Name` → `arn:aws:iam::123:role/Name`; also maps assumed-role ARNs to their role. */
export function normalizeRoleArn(arn: string | undefined): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed) return undefined;
  if (parsed.service === 'iam' && parsed.resource.startsWith('role/')) {
    const name = parsed.resource.split('/').pop();
    return `arn:${parsed.partition}:iam::${parsed.accountId}:role/${name}`;
  }
  if (parsed.service === 'sts' && parsed.resource.startsWith('assumed-role/')) {
    const [, roleName] = parsed.resource.split('/');
    return `arn:${parsed.partition}:iam::${parsed.accountId}:role/${roleName}`;
  }
  return arn;
}

/** The last path segment of an ARN's resource: role name, user name, session name... */
export function arnName(arn: string | undefined): string | undefined {
  const parsed = parseArn(arn);
  return parsed?.resource.split('/').pop();
}

/** `arn:aws:sts::123:assumed-role/Role/session` → `session`. */
export function sessionNameOfAssumedRoleArn(arn: string | undefined): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'sts') return undefined;
  const segments = parsed.resource.split('/');
  if (segments[0] === 'assumed-role' || segments[0] === 'federated-user') return segments.slice(segments[0] === 'assumed-role' ? 2 : 1).join('/');
  return undefined;
}

const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

export function isInstanceId(value: string | undefined): value is string {
  return value !== undefined && INSTANCE_ID.test(value);
}

/** Temporary (STS) access key ids start with ASIA; long-term IAM user keys with AKIA. */
export function isTemporaryAccessKey(accessKeyId: string | undefined): accessKeyId is string {
  return accessKeyId !== undefined && accessKeyId.startsWith('ASIA');
}

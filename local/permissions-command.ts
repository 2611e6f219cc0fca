import { readFileSync, statSync } from 'node:fs';
import type { PermissionsResponse } from '../lambdas/api/graph/permissions';
import type { IamStore } from '../lambdas/adapters/iam-store';
import { parseAuthorizationDetails } from '../lambdas/core/iam/snapshot';
import type { LocalApi } from './http/server';

/**
 * `npm start -- permissions IAM_ROLE|IAM_USER NAME|ARN --at TIME [--json]`: the getPermissions route through
 * the same handler in process, printed with a timeline of the changes. `--iam-snapshot FILE` stores the output
 * of `aws iam get-account-authorization-details` first, as the deployed scheduled snapshot would. Every line
 * is printed through printLines (terminal-text.ts): names and policies come from logs.
 */
export interface PermissionsCommand {
  entityType: string;
  entityId: string;
  at: string;
  json: boolean;
}

export class PermissionsCommandError extends Error {
  override name = 'PermissionsCommandError';
}

/** Largest snapshot file read: GetAccountAuthorizationDetails of an account at IAM's quotas is far smaller. */
const MAX_SNAPSHOT_FILE_BYTES = 256 * 1024 * 1024;
/** Characters of a policy document shown on its line (--json shows it whole). */
const DOCUMENT_CHARS = 400;

/**
 * Reads and stores a snapshot file. Its time is `time`, else the file's modification time (the CLI's output
 * does not say when it was taken). Returns what was stored, to print.
 */
export async function loadIamSnapshot(store: IamStore, file: string, time?: string): Promise<string[]> {
  const size = statSync(file).size;
  if (size > MAX_SNAPSHOT_FILE_BYTES) throw new PermissionsCommandError(`--iam-snapshot ${file} is larger than ${MAX_SNAPSHOT_FILE_BYTES} bytes`);
  let output: unknown;
  try {
    output = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PermissionsCommandError(`--iam-snapshot ${file} is not JSON: ${(error as Error).message}`);
  }
  const takenAt = time ?? statSync(file).mtime.toISOString();
  let snapshot;
  try {
    snapshot = parseAuthorizationDetails(output, { time: takenAt });
  } catch (error) {
    throw new PermissionsCommandError(`--iam-snapshot ${file}: ${(error as Error).message}`);
  }
  const chunks = await store.putSnapshot(snapshot);
  const counts = new Map<string, number>();
  for (const { Entity } of snapshot.Entities.values()) counts.set(Entity.Type, (counts.get(Entity.Type) ?? 0) + 1);
  return [
    `  IAM snapshot of account ${snapshot.AccountId} at ${snapshot.Time} stored (${chunks} item${chunks === 1 ? '' : 's'}): ${[...counts].map(([type, n]) => `${n} ${type.toLowerCase()}${n === 1 ? '' : 's'}`).join(', ') || 'no entities'}`,
    ...snapshot.Problems.map((problem) => `    ! ${problem}`),
  ];
}

export async function fetchPermissions(api: LocalApi, command: PermissionsCommand): Promise<PermissionsResponse> {
  const request = { EntityType: command.entityType, EntityId: command.entityId, AtTime: command.at };
  const result = await api({ method: 'POST', url: '/graph/getPermissions', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(request)), sourceIp: '127.0.0.1' });
  const body = JSON.parse(result.body || '{}') as Record<string, unknown>;
  if (result.statusCode !== 200) throw new PermissionsCommandError(`${String(result.headers?.['x-amzn-ErrorType'] ?? result.statusCode)}: ${String(body.Message ?? body.message ?? 'request failed')}`);
  return body as unknown as PermissionsResponse;
}

function clip(text: string, max = DOCUMENT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters; --json shows it whole)` : text;
}

const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');

/** The answer as text: the state, then the timeline of changes up to the moment. */
export function permissionsTextLines(answer: PermissionsResponse): string[] {
  const lines = [
    `${answer.EntityType} ${answer.Name} in account ${answer.AccountId} at ${answer.AtTime}`,
    ...(answer.Arn ? [`  ARN: ${answer.Arn}`] : []),
    `  Exists: ${yesNo(answer.Exists)}`,
    `  Coverage: ${answer.Coverage} (${answer.CoverageReason})`,
    `  Attached policies: ${answer.AttachedPolicies.map((policy) => policy.PolicyArn).join(', ') || '(none)'}`,
    `  Inline policies:${answer.InlinePolicies.length === 0 ? ' (none)' : ''}`,
    ...answer.InlinePolicies.map((policy) => `    - ${policy.PolicyName}: ${policy.PolicyDocument === null ? `(not shown: ${policy.DocumentIssue ?? 'unknown'})` : clip(policy.PolicyDocument)}`),
    `  Permissions boundary: ${answer.PermissionsBoundary?.PolicyArn ?? '(none)'}`,
  ];
  if (answer.EntityType === 'IAM_ROLE') {
    lines.push(`  Trust policy: ${answer.TrustPolicy === null ? `(not known${answer.TrustPolicyIssue ? `: ${answer.TrustPolicyIssue}` : ''})` : clip(answer.TrustPolicy)}`);
    lines.push(`  External principals:${answer.ExternalPrincipals.length === 0 ? ' (none)' : ''}`);
    for (const principal of answer.ExternalPrincipals) lines.push(`    ! ${principal.Principal}${principal.AccountId ? ` (account ${principal.AccountId})` : ''}: ${principal.Flags.join(', ')}`);
  } else {
    lines.push(`  Groups: ${answer.Groups.map((group) => group.GroupName).join(', ') || '(none)'}`);
    lines.push(`  Access keys: ${answer.AccessKeys.map((key) => `${key.AccessKeyId} ${key.Status}${key.CreatedAt ? ` since ${key.CreatedAt}` : ''}`).join('; ') || '(none)'}${answer.CredentialsCoverage === 'PARTIAL' ? ' (partial)' : ''}`);
    lines.push(`  Login profile: ${answer.LoginProfile ? `yes${answer.LoginProfile.CreatedAt ? `, since ${answer.LoginProfile.CreatedAt}` : ''}` : 'no'}`);
  }
  lines.push('', `Timeline of changes up to ${answer.AtTime} (${answer.Changes.length}${answer.ChangesTrimmed ? `, and ${answer.ChangesTrimmed} older ones folded into a checkpoint` : ''}):`);
  if (answer.Changes.length === 0) lines.push('  (none in the logs)');
  for (const change of answer.Changes) {
    const how = [change.Session ? `key ${change.Session}` : '', change.SourceIp ? `from ${change.SourceIp}` : ''].filter(Boolean).join(', ');
    lines.push(`  ${change.Time}  ${change.Succeeded ? '✓' : `✗ ${change.ErrorCode ?? 'failed'} (attempt, changed nothing)`}  ${change.EventName}  by ${change.By}${how ? ` (${how})` : ''}  [${change.EventId}]`);
  }
  return lines;
}

export async function permissionsLines(api: LocalApi, command: PermissionsCommand): Promise<string[]> {
  const answer = await fetchPermissions(api, command);
  return command.json ? JSON.stringify(answer, null, 2).split('\n') : ['', ...permissionsTextLines(answer)];
}

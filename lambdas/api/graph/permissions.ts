import { parseGetPermissions, type PermissionsRequest } from '../../core/graph/permissions-request';
import { snapshotBaseline } from '../../core/iam/snapshot';
import type { IamSnapshot } from '../../core/iam/snapshot';
import { stateAt } from '../../core/iam/state';
import type { EntityHistory, IamBaseline, IamEntityRef, PermissionsAtTime } from '../../core/iam/types';
import { validationError } from '../../core/investigation/errors';
import type { TrailQueries } from '../../queries/trail-queries';
import type { ProfileDependencies } from './dependencies';

/**
 * POST /graph/getPermissions: an IAM role's or user's permissions at a moment, and every change up to it, from
 * its stored history (one GetItem) and the account's latest snapshot before the moment (two Queries). A bare
 * name is looked up in every account Trailhound knows (one GetItem each).
 */
export interface PermissionReads {
  history(entity: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>): Promise<EntityHistory | undefined>;
  snapshotAt(accountId: string, atTime: string): Promise<IamSnapshot | undefined>;
  /** The accounts whose logs were compacted (TrailQueries.accounts()). */
  accounts(): Promise<string[]>;
}

export interface PermissionsDependencies {
  reads: PermissionReads;
  now(): number;
}

export type PermissionsResponse = Omit<PermissionsAtTime, 'EntityType' | 'Members' | 'PolicyVersions'> & {
  EntityType: PermissionsRequest['entityType'];
  EntityId: string;
  /** The accounts taken as the organization when flagging OUTSIDE_ORGANIZATION (none: only OUTSIDE_ACCOUNT is flagged). */
  OrganizationAccounts: string[];
};

/** Accounts of the organization, as far as Trailhound knows it: those whose logs it compacted, when there are several. */
function organizationOf(accounts: readonly string[]): ReadonlySet<string> | undefined {
  return accounts.length > 1 ? new Set(accounts) : undefined;
}

/** The account of a bare name: the one whose history or snapshot names it, or the only account known. */
async function accountOf(reads: PermissionReads, request: PermissionsRequest, accounts: readonly string[]): Promise<{ accountId: string; history?: EntityHistory }> {
  if (request.accountId) return { accountId: request.accountId, history: await reads.history({ AccountId: request.accountId, Type: request.iamType, Name: request.name }) };
  const found: { accountId: string; history?: EntityHistory }[] = [];
  for (const accountId of accounts) {
    const history = await reads.history({ AccountId: accountId, Type: request.iamType, Name: request.name });
    if (history) found.push({ accountId, history });
  }
  if (found.length === 1) return found[0];
  const kind = request.iamType === 'ROLE' ? 'role' : 'user';
  if (found.length > 1) throw validationError(`The ${kind} name ${request.name} is known in ${found.length} accounts (${found.map((f) => f.accountId).join(', ')}): give its ARN.`);
  if (accounts.length === 1) return { accountId: accounts[0] };
  throw validationError(`No IAM change of a ${kind} named ${request.name} is in the logs${accounts.length ? ` of the ${accounts.length} accounts known` : ''}: give its ARN.`);
}

/** The permissions at a moment, in the API's shape (also what the CLI and the investigation report show). */
export async function permissionsAt(reads: PermissionReads, request: PermissionsRequest): Promise<PermissionsResponse> {
  const accounts = await reads.accounts();
  const { accountId, history: stored } = await accountOf(reads, request, accounts);
  const entity: IamEntityRef = { AccountId: accountId, Type: request.iamType, Name: stored?.Entity.Name ?? request.name };
  const history: EntityHistory = stored ?? { Entity: entity, Changes: [], Baselines: [] };
  const snapshot = await reads.snapshotAt(accountId, request.atTime);
  const baseline: IamBaseline | undefined = snapshot && snapshotBaseline(snapshot, entity);
  const organization = organizationOf(accounts);
  const state = stateAt(history, request.atTime, { ...(baseline ? { baselines: [baseline] } : {}), ...(organization ? { orgAccountIds: organization } : {}) });
  // Members and PolicyVersions belong to groups and policies: a role or user has none.
  const rest: Partial<PermissionsAtTime> = { ...state };
  delete rest.Members;
  delete rest.PolicyVersions;
  const response = { ...rest, EntityType: request.entityType, EntityId: request.entityId, OrganizationAccounts: organization ? [...organization] : [] } as PermissionsResponse;
  if (!stored && !baseline) {
    response.CoverageReason = `no IAM change of this ${request.iamType === 'ROLE' ? 'role' : 'user'} is in the logs and no IAM snapshot of account ${accountId} names it: its permissions are not known`;
  }
  return response;
}

export async function getPermissions(deps: PermissionsDependencies, body: unknown): Promise<PermissionsResponse> {
  const request = parseGetPermissions(body, { nowMillis: deps.now() });
  return permissionsAt(deps.reads, request);
}

export function permissionReadsOf(queries: TrailQueries): PermissionReads {
  return { history: (entity) => queries.iam.history(entity), snapshotAt: (accountId, atTime) => queries.iam.snapshotAt(accountId, atTime), accounts: () => queries.accounts() };
}

/** The route's dependencies from the profile routes' (the queries are built only once the request is valid). */
export function permissionsDependenciesOf(profiles: ProfileDependencies): PermissionsDependencies {
  return {
    get reads() {
      return permissionReadsOf(profiles.queries);
    },
    now: () => profiles.now(),
  };
}

import { normalizeRoleArn } from '../core/cloudtrail/arn';
import { iamNameOfArn } from '../core/graph/permissions-request';
import { snapshotBaseline, type IamSnapshot } from '../core/iam/snapshot';
import type { StateOptions } from '../core/iam/state';
import type { EntityHistory, IamBaseline, IamEntityRef } from '../core/iam/types';
import type { SessionView } from '../core/queries/session-view';
import { errorMessage, log } from '../shared/log';
import type { TrailQueries } from './trail-queries';

/**
 * The IAM entities of an investigation (issue 11): the investigated role or user and every role of its chains
 * (the roles of its sessions in scope and of their parents), with their stored histories and the account
 * snapshot baseline. Read the same way by the ApiActivity stage (the report) and by the evidence routes, so
 * the two agree. One GetItem per entity and one snapshot lookup per account.
 */
export const MAX_REPORTED_ENTITIES = 10;

export interface ScopeEntity {
  ref: IamEntityRef;
  /** Undefined: no IAM change of it is stored (or its item could not be read). */
  history?: EntityHistory;
  baseline?: IamBaseline;
  /** The options of every fold of this entity: its snapshot baseline and the organization's accounts. */
  options: StateOptions;
}

function rolesOfSessions(sessions: readonly SessionView[]): string[] {
  const arns = sessions.flatMap((session) => [session.issuerArn, session.parentIssuerArn ?? '']);
  return [...new Set(arns.filter((arn) => iamNameOfArn(arn)?.kind === 'role'))].sort();
}

/** The sessions an investigation of the entity reads (as ResolveScope lists them). */
export function investigationSessions(queries: TrailQueries, entityType: 'IAM_ROLE' | 'IAM_USER', entityArn: string, from: string, to: string): Promise<SessionView[]> {
  return entityType === 'IAM_ROLE' ? queries.sessionsOfRole(normalizeRoleArn(entityArn) ?? entityArn, from, to) : queries.sessionsFromOrigin(`iam-user#${entityArn}`, from, to);
}

/**
 * The entity first, then its chains' roles (at most MAX_REPORTED_ENTITIES in all). Chain roles that IAM never
 * changed and no snapshot names are left out: they add nothing. `atTime` picks the snapshot (the scope's end).
 */
export async function scopeEntities(queries: TrailQueries, entityArn: string, sessions: readonly SessionView[], atTime: string): Promise<ScopeEntity[]> {
  const entity = iamNameOfArn(entityArn);
  const refs: IamEntityRef[] = [];
  const seen = new Set<string>();
  for (const named of [...(entity ? [entity] : []), ...rolesOfSessions(sessions).map((arn) => iamNameOfArn(arn)!)]) {
    const ref: IamEntityRef = { AccountId: named.accountId, Type: named.kind === 'role' ? 'ROLE' : 'USER', Name: named.name };
    const key = `${ref.AccountId}#${ref.Type}#${ref.Name.toLowerCase()}`;
    if (seen.has(key) || refs.length >= MAX_REPORTED_ENTITIES) continue;
    seen.add(key);
    refs.push(ref);
  }
  const accounts = await queries.accounts();
  const orgAccountIds = accounts.length > 1 ? new Set(accounts) : undefined;
  const snapshots = new Map<string, Promise<IamSnapshot | undefined>>();
  const snapshotOf = (accountId: string) => {
    if (!snapshots.has(accountId)) snapshots.set(accountId, queries.iam.snapshotAt(accountId, atTime));
    return snapshots.get(accountId)!;
  };
  const found: ScopeEntity[] = [];
  for (const [index, ref] of refs.entries()) {
    let history: EntityHistory | undefined;
    let snapshot: IamSnapshot | undefined;
    try {
      [history, snapshot] = await Promise.all([queries.iam.history(ref), snapshotOf(ref.AccountId)]);
    } catch (error) {
      // A damaged item must not fail the investigation or the request: the entity is reported as not known.
      log.warn('IAM history unreadable', { entity: `${ref.AccountId}#${ref.Type}#${ref.Name}`, error: errorMessage(error) });
    }
    const baseline = snapshot && snapshotBaseline(snapshot, ref);
    if (!history && !baseline && index > 0) continue;
    found.push({
      ref: history?.Entity ?? ref,
      ...(history ? { history } : {}),
      ...(baseline ? { baseline } : {}),
      options: { ...(baseline ? { baselines: [baseline] } : {}), ...(orgAccountIds ? { orgAccountIds } : {}) },
    });
  }
  return found;
}

/** A history to fold: the stored one, or an empty one for an entity no IAM change names. */
export function historyOf(entity: ScopeEntity): EntityHistory {
  return entity.history ?? { Entity: entity.ref, Changes: [], Baselines: [] };
}

import { iamNameOfArn } from '../core/graph/permissions-request';
import { permissionsInScope, type PermissionsInScope } from '../core/iam/scope-report';
import { snapshotBaseline, type IamSnapshot } from '../core/iam/snapshot';
import type { EntityHistory, IamEntityRef } from '../core/iam/types';
import type { SessionView } from '../core/queries/session-view';
import { errorMessage, log } from '../shared/log';
import type { StageDependencies, StageInput } from './stage-context';

/**
 * The investigation report's permissions (issue 11): for the investigated role or user and every role in its
 * chains (the roles of the sessions in scope and of their parents), what they held during the scope and the IAM
 * changes made to them in it, by whom and from which session. One GetItem per entity and one snapshot lookup
 * per account. Detective's indicators are unchanged: this goes into the stage's output (the report, evidence).
 */
export const MAX_REPORTED_ENTITIES = 10;

function rolesOfSessions(sessions: readonly SessionView[]): string[] {
  const arns = sessions.flatMap((session) => [session.issuerArn, session.parentIssuerArn ?? '']);
  return [...new Set(arns.filter((arn) => iamNameOfArn(arn)?.kind === 'role'))].sort();
}

export async function permissionsOfScope(input: StageInput, sessions: readonly SessionView[], deps: Pick<StageDependencies, 'queries'>): Promise<PermissionsInScope[]> {
  const entity = iamNameOfArn(input.entityArn);
  const refs: IamEntityRef[] = [];
  const seen = new Set<string>();
  for (const named of [...(entity ? [entity] : []), ...rolesOfSessions(sessions).map((arn) => iamNameOfArn(arn)!)]) {
    const ref: IamEntityRef = { AccountId: named.accountId, Type: named.kind === 'role' ? 'ROLE' : 'USER', Name: named.name };
    const key = `${ref.AccountId}#${ref.Type}#${ref.Name.toLowerCase()}`;
    if (seen.has(key) || refs.length >= MAX_REPORTED_ENTITIES) continue;
    seen.add(key);
    refs.push(ref);
  }
  const accounts = await deps.queries.accounts();
  const orgAccountIds = accounts.length > 1 ? new Set(accounts) : undefined;
  const snapshots = new Map<string, Promise<IamSnapshot | undefined>>();
  const snapshotOf = (accountId: string) => {
    if (!snapshots.has(accountId)) snapshots.set(accountId, deps.queries.iam.snapshotAt(accountId, input.scopeEndTime));
    return snapshots.get(accountId)!;
  };
  const reported: PermissionsInScope[] = [];
  for (const [index, ref] of refs.entries()) {
    let history: EntityHistory | undefined;
    let snapshot: IamSnapshot | undefined;
    try {
      [history, snapshot] = await Promise.all([deps.queries.iam.history(ref), snapshotOf(ref.AccountId)]);
    } catch (error) {
      // A damaged item must not fail the investigation: the entity is reported as not known.
      log.warn('IAM history unreadable', { entity: `${ref.AccountId}#${ref.Type}#${ref.Name}`, error: errorMessage(error) });
    }
    const baseline = snapshot && snapshotBaseline(snapshot, ref);
    // Chain roles IAM never changed and no snapshot names add nothing to the report; the entity itself is always there.
    if (!history && !baseline && index > 0) continue;
    reported.push(
      permissionsInScope(history ?? { Entity: ref, Changes: [], Baselines: [] }, input.scopeStartTime, input.scopeEndTime, {
        ...(baseline ? { baselines: [baseline] } : {}),
        ...(orgAccountIds ? { orgAccountIds } : {}),
      }),
    );
  }
  return reported;
}

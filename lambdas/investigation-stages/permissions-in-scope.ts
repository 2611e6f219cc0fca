import { permissionsInScope, type PermissionsInScope } from '../core/iam/scope-report';
import type { SessionView } from '../core/queries/session-view';
import { historyOf, scopeEntities } from '../queries/scope-permissions';
import type { StageDependencies, StageInput } from './stage-context';

/**
 * The investigation report's permissions (issue 11): for the investigated role or user and every role in its
 * chains (the roles of the sessions in scope and of their parents), what they held during the scope and the IAM
 * changes made to them in it, by whom and from which session. The entities are read by scopeEntities, as the
 * evidence route (`listPermissionEvidence`) reads them. Detective's indicators are unchanged: this goes into
 * the stage's output (the report).
 */
export { MAX_REPORTED_ENTITIES } from '../queries/scope-permissions';

export async function permissionsOfScope(input: StageInput, sessions: readonly SessionView[], deps: Pick<StageDependencies, 'queries'>): Promise<PermissionsInScope[]> {
  const entities = await scopeEntities(deps.queries, input.entityArn, sessions, input.scopeEndTime);
  return entities.map((entity) => permissionsInScope(historyOf(entity), input.scopeStartTime, input.scopeEndTime, entity.options));
}

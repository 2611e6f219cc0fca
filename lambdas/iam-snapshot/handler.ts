import type { ScheduledEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { iamSnapshotClient } from '../adapters/iam-authorization-details';
import { IamStore } from '../adapters/iam-store';
import { tableName } from '../shared/config';
import { loggedHandler, stringField, type LoggedHandler } from '../shared/lambda-logging';
import { log } from '../shared/log';
import { ACTIVITY_TABLE } from '../shared/table-design';
import { takeIamSnapshot, type IamSnapshotDependencies, type IamSnapshotOutcome } from './take-snapshot';

/**
 * The scheduled IAM snapshot (README "Permissions over time"): an EventBridge schedule invokes it
 * asynchronously; it stores the account's GetAccountAuthorizationDetails as a snapshot in the Activity table.
 * A failure is thrown: Lambda retries the invocation, then sends it to the on-failure destination (the
 * construct's dead-letter queue, which has an alarm). Nothing partial is stored: readers only take snapshots
 * whose chunks are all there, and chunks are written only after every page was read.
 *
 * Environment: ACTIVITY_TABLE and IAM_SNAPSHOT_ACCOUNT_ID (the deployment's account).
 */
export const ACCOUNT_ID_ENV = 'IAM_SNAPSHOT_ACCOUNT_ID';

export function accountIdFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const accountId = env[ACCOUNT_ID_ENV];
  if (!accountId || !/^\d{12}$/.test(accountId)) throw new Error(`${ACCOUNT_ID_ENV} must be a 12-digit account id, got "${accountId ?? ''}"`);
  return accountId;
}

export function buildIamSnapshotHandler(deps: IamSnapshotDependencies | (() => IamSnapshotDependencies)): LoggedHandler<ScheduledEvent, IamSnapshotOutcome> {
  let resolved: IamSnapshotDependencies | undefined;
  return loggedHandler<ScheduledEvent, IamSnapshotOutcome>({ name: 'iam-snapshot', correlationId: (event) => stringField(event, 'id') }, async () => {
    resolved ??= typeof deps === 'function' ? deps() : deps;
    const outcome = await takeIamSnapshot(resolved);
    log.info('iam snapshot stored', { ...outcome, problems: outcome.problems.length, firstProblems: outcome.problems.slice(0, 5) });
    return outcome;
  });
}

export function productionDependencies(env: NodeJS.ProcessEnv = process.env): IamSnapshotDependencies {
  return {
    iam: iamSnapshotClient(),
    store: new IamStore(dynamoDocumentClient(), tableName(ACTIVITY_TABLE)),
    accountId: accountIdFromEnv(env),
    now: () => new Date(),
  };
}

export const handler = buildIamSnapshotHandler(() => productionDependencies());

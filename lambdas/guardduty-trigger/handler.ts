import type { EventBridgeEvent } from 'aws-lambda';
import { dynamoDocumentClient, s3 } from '../adapters/aws-clients';
import { EventsStore } from '../adapters/events-store';
import { FindingsStore } from '../adapters/findings/findings-store';
import { InvestigationStore } from '../adapters/investigations/investigation-store';
import { StepFunctionsRunner } from '../adapters/investigations/sfn-runner';
import { TrailInstanceSessions } from '../queries/instance-sessions';
import { indexBucketFromEnv, tableNamesFromEnv, TrailQueries } from '../queries/trail-queries';
import { maxScopeDays } from '../shared/config';
import { loggedHandler, stringField, type LoggedHandler } from '../shared/lambda-logging';
import { processFindingEvent, type FindingOutcome, type GuardDutyTriggerDependencies } from './process-finding';

/**
 * The GuardDuty trigger Lambda. An EventBridge rule (source aws.guardduty, detail-type "GuardDuty Finding",
 * severity at or above the deployment's threshold) invokes it asynchronously with one finding per event.
 * It records the finding and starts at most one investigation per finding id, through the same start path
 * as the StartInvestigation API (core/investigation/start-investigation.ts).
 *
 * Errors are thrown on purpose: an asynchronous invocation that fails is retried by the Lambda service
 * (twice), then goes to the function's on-failure destination. Malformed events are logged and dropped.
 *
 * Environment: FINDINGS_TABLE, INVESTIGATIONS_TABLE, INDICATORS_TABLE, RETENTION_DAYS, STATE_MACHINE_ARN,
 * INVESTIGATION_MAX_SCOPE_DAYS (default 30), GUARDDUTY_MIN_SEVERITY (default 0: trust the rule's filter), and
 * the trail tables (SESSIONS_TABLE, ACTIVITY_TABLE) with the index bucket's name, through which EC2 findings
 * find their instance's role (DynamoDB queries only: the instance lookup never reads the bucket).
 */
export const MIN_SEVERITY_ENV = 'GUARDDUTY_MIN_SEVERITY';

export function minSeverity(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MIN_SEVERITY_ENV];
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 10) throw new Error(`${MIN_SEVERITY_ENV} must be a GuardDuty severity between 0 and 10, got "${raw}"`);
  return value;
}

export type GuardDutyFindingEvent = EventBridgeEvent<string, unknown>;
export type GuardDutyTriggerHandler = LoggedHandler<GuardDutyFindingEvent, FindingOutcome>;

/** The finding id (`detail.id`), or the EventBridge event id of an event without one (logged and dropped). */
export function findingCorrelationId(event: GuardDutyFindingEvent): string | undefined {
  return stringField(event?.detail, 'id') ?? stringField(event, 'id');
}

/** The handler over given dependencies, or a factory called on the first event (local mode passes its own runner). */
export function buildGuardDutyHandler(deps: GuardDutyTriggerDependencies | (() => GuardDutyTriggerDependencies)): GuardDutyTriggerHandler {
  let resolved: GuardDutyTriggerDependencies | undefined;
  return loggedHandler<GuardDutyFindingEvent, FindingOutcome>({ name: 'guardduty-trigger', correlationId: findingCorrelationId }, async (event) => {
    resolved ??= typeof deps === 'function' ? deps() : deps;
    return processFindingEvent(event, resolved);
  });
}

export function productionDependencies(env: NodeJS.ProcessEnv = process.env): GuardDutyTriggerDependencies {
  return {
    findings: FindingsStore.fromEnvironment(env),
    investigations: InvestigationStore.fromEnvironment(env),
    runner: StepFunctionsRunner.fromEnvironment(env),
    instanceSessions: new TrailInstanceSessions(new TrailQueries(dynamoDocumentClient(), tableNamesFromEnv(env), new EventsStore(s3(), indexBucketFromEnv(env)))),
    maxScopeDays: maxScopeDays(env),
    minSeverity: minSeverity(env),
  };
}

export const handler = buildGuardDutyHandler(() => productionDependencies());

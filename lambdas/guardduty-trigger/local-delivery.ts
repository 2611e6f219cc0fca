import { readFile } from 'node:fs/promises';
import type { Context } from 'aws-lambda';
import { FindingsStore } from '../adapters/findings/findings-store';
import { InvestigationStore } from '../adapters/investigations/investigation-store';
import { maxScopeDays } from '../shared/config';
import { readFindingEvents, type UnreadableEntry } from '../core/guardduty/documents';
import type { InvestigationRunner } from '../core/investigation/ports';
import type { InstanceSessionSource } from '../core/guardduty/ports';
import { errorMessage } from '../shared/log';
import { buildGuardDutyHandler, minSeverity, type GuardDutyFindingEvent } from './handler';
import type { FindingOutcome, GuardDutyTriggerDependencies } from './process-finding';

/**
 * Local mode's stand-in for EventBridge: reads GuardDuty findings saved in a file (one event, an array, JSON
 * lines, or GetFindings output; see core/guardduty/documents.ts) and invokes the SAME handler the Lambda
 * runs, once per event, in file order. Stores default to the tables named in the environment, as LocalStack
 * sets them up; the runner (there is no Step Functions locally) and the instance sessions (the local stack's
 * trail queries) must be given.
 */
export type LocalDeliveryDependencies = Partial<GuardDutyTriggerDependencies> & { runner: InvestigationRunner; instanceSessions: InstanceSessionSource };

export type DeliveryResult = { eventId: string } & ({ delivered: true; outcome: FindingOutcome } | { delivered: false; error: string });

export interface DeliveryReport {
  results: DeliveryResult[];
  /** Outcome kinds counted (started, already-started, skipped, stale, rejected) plus failed. */
  counts: Record<FindingOutcome['outcome'] | 'failed', number>;
  /** Lines (or array elements) of the file that held no event: skipped, the others delivered. */
  unreadable: UnreadableEntry[];
}

function localContext(requestId: string): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not used by the GuardDuty trigger');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'trailhound-guardduty-trigger',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:trailhound-guardduty-trigger',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/trailhound-guardduty-trigger',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function localDependencies(deps: LocalDeliveryDependencies): GuardDutyTriggerDependencies {
  return {
    ...deps,
    findings: deps.findings ?? FindingsStore.fromEnvironment(),
    investigations: deps.investigations ?? InvestigationStore.fromEnvironment(),
    maxScopeDays: deps.maxScopeDays ?? maxScopeDays(),
    minSeverity: deps.minSeverity ?? minSeverity(),
  };
}

/** Delivers already-parsed events; one failing event is reported and does not stop the others. */
export async function deliverGuardDutyEvents(events: readonly unknown[], deps: LocalDeliveryDependencies): Promise<DeliveryReport> {
  const handler = buildGuardDutyHandler(localDependencies(deps));
  const counts: DeliveryReport['counts'] = { started: 0, 'already-started': 0, skipped: 0, stale: 0, rejected: 0, failed: 0 };
  const results: DeliveryResult[] = [];
  for (const [index, event] of events.entries()) {
    const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
    const eventId = typeof id === 'string' ? id : `event-${index + 1}`;
    try {
      const outcome = await handler(event as GuardDutyFindingEvent, localContext(eventId));
      counts[outcome.outcome]++;
      results.push({ eventId, delivered: true, outcome });
    } catch (error) {
      counts.failed++;
      results.push({ eventId, delivered: false, error: errorMessage(error) });
    }
  }
  return { results, counts, unreadable: [] };
}

export async function deliverGuardDutyEventsFromFile(path: string, deps: LocalDeliveryDependencies): Promise<DeliveryReport> {
  const { events, unreadable } = readFindingEvents(await readFile(path, 'utf8'), path);
  return { ...(await deliverGuardDutyEvents(events, deps)), unreadable };
}

/** One line for a terminal: what a delivery did (e.g. the local CLI after `--guardduty-events FILE`). */
export function describeDeliveryReport(report: DeliveryReport): string {
  const { counts } = report;
  const parts = [
    `${counts.started} investigation(s) started`,
    `${counts['already-started']} finding(s) already investigated`,
    `${counts.skipped} recorded without investigation`,
    ...(counts.stale > 0 ? [`${counts.stale} older version(s) ignored`] : []),
    ...(counts.rejected > 0 ? [`${counts.rejected} event(s) not GuardDuty findings`] : []),
    ...(counts.failed > 0 ? [`${counts.failed} failed`] : []),
  ];
  const unreadable = report.unreadable.length > 0 ? `; ${report.unreadable.length} unreadable (${report.unreadable.map((u) => (u.line ? `line ${u.line}` : u.where)).join(', ')})` : '';
  return `${report.results.length} GuardDuty event(s): ${parts.join(', ')}${unreadable}`;
}

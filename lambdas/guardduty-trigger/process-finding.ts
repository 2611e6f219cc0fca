import { actionForExistingClaim, ClaimInProgressError } from '../core/guardduty/claims';
import { decideInvestigation, findingScope, findingSkipReason } from '../core/guardduty/decision';
import { mapFindingToEntity, type EntityMapping } from '../core/guardduty/entity';
import { findingOfEvent } from '../core/guardduty/event';
import { InvalidFindingError, parseFinding, type FindingRecord } from '../core/guardduty/finding';
import { instanceToResolve, roleOfInstanceSessions } from '../core/guardduty/instance';
import type { FindingsRepository, InstanceSessionSource, InvestigationClaim } from '../core/guardduty/ports';
import { recordFinding } from '../core/guardduty/recorded-finding';
import { newInvestigationId } from '../core/investigation/ids';
import type { InvestigationRepository, InvestigationRunner } from '../core/investigation/ports';
import type { StartInvestigationRequest } from '../core/investigation/requests';
import { InvestigationIdConflictError, InvestigationStartFailedError, startInvestigation } from '../core/investigation/start-investigation';
import { errorMessage, log } from '../shared/log';

/**
 * One GuardDuty Finding event: record the finding, decide, and start at most one investigation per finding
 * id (see core/guardduty/claims.ts). Bad input is logged and dropped (a retry cannot fix it); a failure to
 * reach DynamoDB or the runner is thrown, so that the Lambda service retries the event.
 */
export interface GuardDutyTriggerDependencies {
  findings: FindingsRepository;
  investigations: InvestigationRepository;
  runner: InvestigationRunner;
  /** The ingested sessions of EC2 instances: EC2 findings name an instance, whose role is found through them. */
  instanceSessions: InstanceSessionSource;
  /** The API's longest scope in days (INVESTIGATION_MAX_SCOPE_DAYS). */
  maxScopeDays: number;
  /** Findings below this severity start nothing (GUARDDUTY_MIN_SEVERITY). */
  minSeverity: number;
  now?: () => number;
  claimLeaseMs?: number;
}

export type FindingOutcome =
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'skipped'; findingId: string; reason: string }
  | { outcome: 'stale'; findingId: string }
  | { outcome: 'started'; findingId: string; investigationId: string; resumed: boolean }
  | { outcome: 'already-started'; findingId: string; investigationId: string };

async function start(findingId: string, claim: InvestigationClaim, resumed: boolean, deps: GuardDutyTriggerDependencies, now: () => number): Promise<FindingOutcome> {
  const { investigationId } = claim;
  try {
    await startInvestigation(claim.request, { store: deps.investigations, runner: deps.runner, now }, { investigationId });
  } catch (error) {
    // Recorded FAILED like an API start (or the reserved id turned out to be taken): free the finding, so that
    // Lambda's retry of this event reserves a new id and starts a new investigation. Anything else (e.g.
    // DynamoDB unreachable) keeps the reservation, and the retry resumes it once the lease has expired.
    if (error instanceof InvestigationStartFailedError || error instanceof InvestigationIdConflictError) {
      log.error('investigation could not be started for the finding', { findingId, investigationId, error: errorMessage(error) });
      await deps.findings.releaseClaim(findingId, investigationId);
    }
    throw error;
  }
  await deps.findings.markInvestigationStarted(findingId, investigationId, new Date(now()).toISOString());
  log.info('investigation started for GuardDuty finding', { findingId, investigationId, entityArn: claim.request.entityArn, resumed });
  return { outcome: 'started', findingId, investigationId, resumed };
}

async function claimAndStart(findingId: string, request: StartInvestigationRequest, deps: GuardDutyTriggerDependencies, now: () => number): Promise<FindingOutcome> {
  const claimedAt = new Date(now()).toISOString();
  const claim: InvestigationClaim = { investigationId: newInvestigationId(now()), status: 'STARTING', claimedAt, request };
  const result = await deps.findings.claimInvestigation(findingId, claim);
  if (result.claimed) return start(findingId, claim, false, deps, now);

  const existing = result.existing;
  switch (actionForExistingClaim(existing, now(), deps.claimLeaseMs)) {
    case 'already-started':
      log.info('GuardDuty finding already has its investigation; not starting another', { findingId, investigationId: existing.investigationId });
      return { outcome: 'already-started', findingId, investigationId: existing.investigationId };
    case 'in-progress':
      throw new ClaimInProgressError(findingId, existing.investigationId);
    case 'take-over':
      if (!(await deps.findings.takeOverClaim(findingId, existing, claimedAt))) throw new ClaimInProgressError(findingId, existing.investigationId);
      log.warn('resuming an investigation start that an earlier delivery did not finish', { findingId, investigationId: existing.investigationId });
      // The reserved request, not this version's: the investigation may already exist with that scope.
      return start(findingId, { ...existing, claimedAt }, true, deps, now);
  }
}

function parseOrReason(finding: unknown): FindingRecord | string {
  try {
    return parseFinding(finding);
  } catch (error) {
    if (error instanceof InvalidFindingError) return error.message;
    throw error;
  }
}

/**
 * The IAM entity of a finding. EC2 findings name an instance, not a principal: its role is the issuer of the
 * sessions EC2 created for it within the finding's scope. The lookup is skipped for findings that start
 * nothing anyway (sample, archived, below the threshold), so that noise costs no reads.
 */
async function entityOf(record: FindingRecord, deps: GuardDutyTriggerDependencies, nowMillis: number): Promise<EntityMapping> {
  const entity = mapFindingToEntity(record);
  const instance = instanceToResolve(record.type, record.instance, entity);
  if (!instance || findingSkipReason(record, deps) !== undefined) return entity;
  const scope = findingScope(record, deps);
  // A scope in the future is refused by the start's validation anyway; no point reading for it.
  if (Date.parse(scope.scopeStartTime) > nowMillis) return entity;
  const sessions = await deps.instanceSessions.instanceSessions(record.accountId, instance.instanceId, scope.scopeStartTime, scope.scopeEndTime);
  const resolved = roleOfInstanceSessions(instance, sessions, { from: scope.scopeStartTime, to: scope.scopeEndTime });
  log.info('EC2 finding: instance role looked up through its sessions', {
    findingId: record.id,
    instanceId: instance.instanceId,
    sessions: sessions.length,
    ...(resolved.kind === 'entity' ? { entityArn: resolved.entityArn } : {}),
  });
  return resolved;
}

export async function processFindingEvent(event: unknown, deps: GuardDutyTriggerDependencies): Promise<FindingOutcome> {
  const now = deps.now ?? Date.now;
  const envelope = findingOfEvent(event);
  if ('rejected' in envelope) {
    log.warn('event ignored', { reason: envelope.rejected });
    return { outcome: 'rejected', reason: envelope.rejected };
  }
  const record = parseOrReason(envelope.finding);
  if (typeof record === 'string') {
    log.warn('GuardDuty finding ignored', { reason: record });
    return { outcome: 'rejected', reason: record };
  }
  const entity = await entityOf(record, deps, now());
  const decision = decideInvestigation(record, entity, { maxScopeDays: deps.maxScopeDays, minSeverity: deps.minSeverity, nowMillis: now() });
  const written = await deps.findings.recordFinding(recordFinding(record, entity, envelope.finding, decision.kind === 'skip' ? decision.reason : undefined));
  const context = { findingId: record.id, type: record.type, updatedAt: record.updatedAt, count: record.count };
  if (written === 'stale') {
    // A newer version is recorded; its delivery made (or makes) the decision.
    log.info('older version of a GuardDuty finding ignored', context);
    return { outcome: 'stale', findingId: record.id };
  }
  if (decision.kind === 'skip') {
    log.info('GuardDuty finding recorded; no investigation', { ...context, reason: decision.reason });
    return { outcome: 'skipped', findingId: record.id, reason: decision.reason };
  }
  if (decision.scopeClamped) log.info('finding activity is longer than the longest scope; investigating its most recent part', { ...context, scopeStartTime: decision.request.scopeStartTime });
  return claimAndStart(record.id, decision.request, deps, now);
}

import { newInvestigationId } from './ids';
import type { Investigation } from './model';
import { InvestigationExistsError, type InvestigationRepository, type InvestigationRunner } from './ports';
import type { StartInvestigationRequest } from './requests';
import { compactedBy, DEFAULT_COMPACTION_SETTLE_MINUTES } from '../storage/hours';

/**
 * Starting an investigation, shared by every way one is started (the StartInvestigation API, the GuardDuty
 * trigger): create the item first, so the state machine always finds what it updates, then start the runner;
 * if the runner cannot be started, record the investigation FAILED so it does not stay RUNNING forever.
 * No logging here (core is I/O-free): callers log the outcome with their own context.
 */
export interface InvestigationStarterDependencies {
  store: InvestigationRepository;
  runner: InvestigationRunner;
  now?: () => number;
  /** How long after an hour's end its activity is compacted (DEFAULT_SETTLE_MS unless configured). */
  settleMs?: number;
}

export interface StartInvestigationOptions {
  /**
   * An id the caller reserved before calling (the GuardDuty trigger records it on the finding first, so that a
   * retried or concurrent delivery of the same finding resumes this start instead of starting another one).
   * Without it a fresh id is drawn, and drawn again on the rare collision.
   */
  investigationId?: string;
}

/** The runner could not be started; the investigation has been marked FAILED with `reason`. */
export class InvestigationStartFailedError extends Error {
  constructor(
    readonly investigationId: string,
    readonly reason: string,
  ) {
    super(`investigation ${investigationId} could not be started: ${reason}`);
    this.name = 'InvestigationStartFailedError';
  }
}

/** A reserved id is already taken by an investigation of another entity or scope. */
export class InvestigationIdConflictError extends Error {
  constructor(readonly investigationId: string) {
    super(`investigation ${investigationId} already exists for another entity or scope`);
    this.name = 'InvestigationIdConflictError';
  }
}

/**
 * CloudTrail delivers a log file about every 5 minutes, typically within 15 minutes of the calls it holds, and
 * an hour's activity is readable once its compaction has run, `settleMs` after the hour ends (storage v2). An
 * investigation whose scope ends later than that before now waits until the scope's last hour is compacted.
 */
export const DEFAULT_SETTLE_MS = DEFAULT_COMPACTION_SETTLE_MINUTES * 60_000;

/** The time the analysis must not start before, or undefined when the scope's data is already compacted. */
export function analysisNotBefore(scopeEndTime: string, nowMillis: number, settleMs = DEFAULT_SETTLE_MS): string | undefined {
  // A margin for the compaction itself to run once its hour has settled.
  const ready = compactedBy(Math.min(Date.parse(scopeEndTime), nowMillis), settleMs) + COMPACTION_MARGIN_MS;
  return ready > nowMillis ? new Date(ready).toISOString() : undefined;
}

const COMPACTION_MARGIN_MS = 5 * 60_000;

/** A fresh id collides only within one millisecond and a 1-in-10^8 draw; a few attempts are plenty. */
const ID_ATTEMPTS = 3;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function newInvestigation(investigationId: string, request: StartInvestigationRequest, nowMillis: number): Investigation {
  return {
    investigationId,
    ...(request.graphArn ? { graphArn: request.graphArn } : {}),
    entityArn: request.entityArn,
    entityType: request.entityType,
    status: 'RUNNING',
    state: 'ACTIVE',
    // Until the state machine scores the indicators.
    severity: 'INFORMATIONAL',
    createdTime: new Date(nowMillis).toISOString(),
    scopeStartTime: request.scopeStartTime,
    scopeEndTime: request.scopeEndTime,
  };
}

async function createWithFreshId(request: StartInvestigationRequest, deps: InvestigationStarterDependencies, now: () => number): Promise<Investigation> {
  for (let attempt = 1; ; attempt++) {
    const at = now();
    const candidate = newInvestigation(newInvestigationId(at), request, at);
    try {
      await deps.store.createInvestigation(candidate);
      return candidate;
    } catch (error) {
      if (!(error instanceof InvestigationExistsError) || attempt >= ID_ATTEMPTS) throw error;
    }
  }
}

/**
 * Creates the investigation under a reserved id, or finds the one an earlier attempt with the same id created.
 * Returns what to do next: start the runner (new, or created but maybe never started), or nothing (it already ran).
 */
async function createWithReservedId(investigationId: string, request: StartInvestigationRequest, deps: InvestigationStarterDependencies, now: () => number): Promise<{ investigation: Investigation; startRunner: boolean }> {
  const candidate = newInvestigation(investigationId, request, now());
  try {
    await deps.store.createInvestigation(candidate);
    return { investigation: candidate, startRunner: true };
  } catch (error) {
    if (!(error instanceof InvestigationExistsError)) throw error;
  }
  const existing = await deps.store.getInvestigation(investigationId);
  if (!existing || existing.entityArn !== request.entityArn || existing.scopeStartTime !== request.scopeStartTime || existing.scopeEndTime !== request.scopeEndTime) {
    throw new InvestigationIdConflictError(investigationId);
  }
  if (existing.status === 'FAILED') throw new InvestigationStartFailedError(investigationId, existing.failureReason ?? 'an earlier attempt failed');
  // RUNNING: an earlier attempt created it and may have died before starting the runner. Runners are
  // idempotent per investigation id (Step Functions execution name), so starting again is safe.
  return { investigation: existing, startRunner: existing.status === 'RUNNING' };
}

export async function startInvestigation(request: StartInvestigationRequest, deps: InvestigationStarterDependencies, options: StartInvestigationOptions = {}): Promise<Investigation> {
  const now = deps.now ?? Date.now;
  const { investigation, startRunner } = options.investigationId
    ? await createWithReservedId(options.investigationId, request, deps, now)
    : { investigation: await createWithFreshId(request, deps, now), startRunner: true };
  if (!startRunner) return investigation;
  const { investigationId, entityArn, entityType, scopeStartTime, scopeEndTime } = investigation;
  try {
    const notBefore = analysisNotBefore(scopeEndTime, now(), deps.settleMs);
    await deps.runner.start(investigationId, { investigationId, entityArn, entityType, scopeStartTime, scopeEndTime, ...(notBefore ? { notBefore } : {}) });
  } catch (error) {
    const reason = `could not start the analysis: ${describe(error)}`;
    // Best effort: the caller reports the failure whether or not this write succeeds.
    await deps.store.failInvestigation(investigationId, reason).catch(() => undefined);
    throw new InvestigationStartFailedError(investigationId, reason);
  }
  return investigation;
}

import type { InvestigationClaim } from './ports';

/**
 * One investigation per finding id. GuardDuty publishes a finding again each time it aggregates more
 * occurrences (same id, higher count, later updatedAt; every 15 minutes to 6 hours, per the detector's
 * publishing frequency), and EventBridge may deliver any event twice. Only the first delivery that reserves
 * an investigation id on the finding item (conditional write) starts one; every later delivery of that
 * finding id starts nothing. A later, different finding about the same entity has another id and starts its
 * own investigation: GuardDuty already decided it is distinct activity.
 *
 * A reservation is STARTING until the runner has been started. A delivery that finds a STARTING reservation:
 * - younger than CLAIM_LEASE_MS: another delivery is starting it right now. Fail (the Lambda service retries
 *   an asynchronous invocation after about 1 and 3 minutes), and the retry sees the outcome;
 * - older: its owner died (timeout, crash) between reserving and starting. Take it over and finish the start
 *   under the SAME investigation id; creating that investigation and starting its runner are both idempotent
 *   per id (conditional create; Step Functions execution name), so an owner that was merely slow does no harm.
 *
 * The lease must outlast the trigger function's timeout (1 minute in lib/guardduty-trigger.ts), so a live
 * owner is never taken over, and should end before Lambda's first retry of a timed-out invocation (timeout +
 * about 1 minute), so that retry can take over.
 */
export const CLAIM_LEASE_MS = 90 * 1000;

export type ExistingClaimAction = 'already-started' | 'in-progress' | 'take-over';

export function actionForExistingClaim(claim: InvestigationClaim, nowMillis: number, leaseMs: number = CLAIM_LEASE_MS): ExistingClaimAction {
  if (claim.status === 'STARTED') return 'already-started';
  const claimedAt = Date.parse(claim.claimedAt);
  // An unreadable reservation time cannot be waited out: treat it as expired.
  if (Number.isNaN(claimedAt) || nowMillis - claimedAt >= leaseMs) return 'take-over';
  return 'in-progress';
}

/** Another delivery of the same finding is starting its investigation; retried later by Lambda. */
export class ClaimInProgressError extends Error {
  constructor(
    readonly findingId: string,
    readonly investigationId: string,
  ) {
    super(`finding ${findingId}: investigation ${investigationId} is being started by another delivery; retry later`);
    this.name = 'ClaimInProgressError';
  }
}

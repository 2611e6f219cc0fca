import type { StartInvestigationRequest } from '../investigation/requests';
import type { InstanceSession } from './instance';
import type { RecordedFinding } from './recorded-finding';

/**
 * The Findings store as the trigger uses it (DynamoDB in lambdas/adapters/findings). Besides recording
 * findings, the finding item is where "one investigation per finding" is enforced: a conditional write
 * reserves the investigation id on the item before anything is started.
 */

/**
 * An investigation reserved on a finding. STARTING: reserved, the investigation may or may not exist yet and
 * its runner may or may not have been started; STARTED: the runner was started (the normal end state).
 */
export interface InvestigationClaim {
  investigationId: string;
  status: 'STARTING' | 'STARTED';
  claimedAt: string;
  request: StartInvestigationRequest;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: InvestigationClaim };

export interface FindingsRepository {
  /**
   * Writes the finding unless a newer version (later updatedAt) is stored already: EventBridge does not
   * order deliveries, and an old version must not overwrite a newer one. Never touches the claim.
   */
  recordFinding(finding: RecordedFinding): Promise<'recorded' | 'stale'>;
  /** Reserves an investigation on a recorded finding, unless one is reserved already (then returns it). */
  claimInvestigation(findingId: string, claim: InvestigationClaim): Promise<ClaimResult>;
  /** Takes over a STARTING claim whose owner looks dead: succeeds only if the claim is still exactly `previous`. */
  takeOverClaim(findingId: string, previous: InvestigationClaim, claimedAt: string): Promise<boolean>;
  markInvestigationStarted(findingId: string, investigationId: string, startedAt: string): Promise<void>;
  /** Drops a STARTING claim whose start failed, so that a retry can start a new investigation. */
  releaseClaim(findingId: string, investigationId: string): Promise<void>;
}

/**
 * The sessions EC2 created for an instance (its instance-profile credentials) that may have been in use in
 * [from, to), read from the ingested CloudTrail by keys (lambdas/queries: the account's hour index names the
 * instance's roles, the roles' session packs hold the sessions). Only sessions created by EC2 itself: the ones
 * chained from them are other roles the instance assumed, not its profile's.
 */
export interface InstanceSessionSource {
  instanceSessions(accountId: string, instanceId: string, from: string, to: string): Promise<InstanceSession[]>;
}

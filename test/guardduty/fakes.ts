import type { InstanceSession } from '../../lambdas/core/guardduty/instance';
import type { ClaimResult, FindingsRepository, InstanceSessionSource, InvestigationClaim } from '../../lambdas/core/guardduty/ports';
import type { RecordedFinding } from '../../lambdas/core/guardduty/recorded-finding';
import type { Investigation, InvestigationExecutionInput } from '../../lambdas/core/investigation/model';
import { InvestigationExistsError, InvestigationNotFoundError, type InvestigationRepository, type InvestigationRunner } from '../../lambdas/core/investigation/ports';

/**
 * In-memory test doubles with the semantics of the DynamoDB adapters (conditional create, version check,
 * conditional claim), for unit tests of the trigger's decisions. The DynamoDB adapters themselves are
 * exercised against the embedded server in trigger-e2e.test.ts.
 */
export class MemoryInvestigations implements InvestigationRepository {
  readonly items = new Map<string, Investigation>();

  async createInvestigation(investigation: Investigation): Promise<void> {
    if (this.items.has(investigation.investigationId)) throw new InvestigationExistsError(investigation.investigationId);
    this.items.set(investigation.investigationId, { ...investigation });
  }

  async getInvestigation(investigationId: string): Promise<Investigation | undefined> {
    return this.items.get(investigationId);
  }

  async failInvestigation(investigationId: string, reason: string): Promise<void> {
    const item = this.items.get(investigationId);
    if (!item) throw new InvestigationNotFoundError(investigationId);
    this.items.set(investigationId, { ...item, status: 'FAILED', failureReason: reason });
  }

  async completeInvestigation(investigationId: string): Promise<void> {
    const item = this.items.get(investigationId);
    if (!item) throw new InvestigationNotFoundError(investigationId);
    this.items.set(investigationId, { ...item, status: 'SUCCESSFUL' });
  }

  listInvestigations(): never {
    throw new Error('not used by the trigger');
  }
  updateState(): never {
    throw new Error('not used by the trigger');
  }
  putIndicators(): never {
    throw new Error('not used by the trigger');
  }
  listIndicators(): never {
    throw new Error('not used by the trigger');
  }
}

/** Records every start; can be told to fail the next starts. */
export class RecordingRunner implements InvestigationRunner {
  readonly started: InvestigationExecutionInput[] = [];
  failures = 0;

  async start(investigationId: string, input: InvestigationExecutionInput): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('StartExecution failed');
    }
    if (input.investigationId !== investigationId) throw new Error('execution input names another investigation');
    this.started.push(input);
  }
}

export class MemoryFindings implements FindingsRepository {
  readonly findings = new Map<string, RecordedFinding>();
  readonly claims = new Map<string, InvestigationClaim>();

  async recordFinding(finding: RecordedFinding): Promise<'recorded' | 'stale'> {
    const stored = this.findings.get(finding.id);
    if (stored && stored.updatedAt > finding.updatedAt) return 'stale';
    this.findings.set(finding.id, finding);
    return 'recorded';
  }

  async claimInvestigation(findingId: string, claim: InvestigationClaim): Promise<ClaimResult> {
    if (!this.findings.has(findingId)) throw new Error(`finding ${findingId} is not recorded`);
    const existing = this.claims.get(findingId);
    if (existing) return { claimed: false, existing: { ...existing } };
    this.claims.set(findingId, { ...claim });
    return { claimed: true };
  }

  async takeOverClaim(findingId: string, previous: InvestigationClaim, claimedAt: string): Promise<boolean> {
    const existing = this.claims.get(findingId);
    if (!existing || existing.investigationId !== previous.investigationId || existing.status !== 'STARTING' || existing.claimedAt !== previous.claimedAt) return false;
    this.claims.set(findingId, { ...existing, claimedAt });
    return true;
  }

  async markInvestigationStarted(findingId: string, investigationId: string): Promise<void> {
    const existing = this.claims.get(findingId);
    if (existing?.investigationId !== investigationId) throw new Error('claim lost');
    this.claims.set(findingId, { ...existing, status: 'STARTED' });
  }

  async releaseClaim(findingId: string, investigationId: string): Promise<void> {
    const existing = this.claims.get(findingId);
    if (existing?.investigationId === investigationId && existing.status === 'STARTING') this.claims.delete(findingId);
  }
}

/** Instance sessions as the trail tables would return them, keyed by account and instance; records every lookup. */
export class MemoryInstanceSessions implements InstanceSessionSource {
  readonly lookups: { accountId: string; instanceId: string; from: string; to: string }[] = [];

  constructor(private readonly sessions: Record<string, InstanceSession[]> = {}) {}

  async instanceSessions(accountId: string, instanceId: string, from: string, to: string): Promise<InstanceSession[]> {
    this.lookups.push({ accountId, instanceId, from, to });
    return (this.sessions[`${accountId}/${instanceId}`] ?? []).filter((s) => s.createdAt < to);
  }
}

import { ClaimInProgressError, CLAIM_LEASE_MS } from '../../lambdas/core/guardduty/claims';
import { InvestigationIdConflictError, InvestigationStartFailedError } from '../../lambdas/core/investigation/start-investigation';
import { processFindingEvent, type GuardDutyTriggerDependencies } from '../../lambdas/guardduty-trigger/process-finding';
import { MemoryFindings, MemoryInstanceSessions, MemoryInvestigations, RecordingRunner } from './fakes';
import { FINDING_IDS, incidentEvents, WEB_SERVER_ROLE } from './fixtures';

/** The trigger's decisions over in-memory stores: exactly-once starts, resumption, failures, stale versions. */
function setup(overrides: Partial<GuardDutyTriggerDependencies> = {}) {
  let clock = Date.parse('2026-10-22T17:00:00Z');
  const findings = new MemoryFindings();
  const investigations = new MemoryInvestigations();
  const runner = new RecordingRunner();
  const deps: GuardDutyTriggerDependencies = { findings, investigations, runner, instanceSessions: new MemoryInstanceSessions(), maxScopeDays: 30, minSeverity: 0, now: () => clock, ...overrides };
  return { findings, investigations, runner, deps, advance: (ms: number) => (clock += ms) };
}

const events = incidentEvents();
const eventOf = (id: string, nth = 0) => events.filter((e) => (e.detail as { id: string }).id === id)[nth];
const webFirst = eventOf(FINDING_IDS.webServerExfiltration, 0);
const webUpdate = eventOf(FINDING_IDS.webServerExfiltration, 1);

describe('processFindingEvent', () => {
  it('starts one investigation for a finding, and none for its re-publication or a duplicate delivery', async () => {
    const { deps, runner, investigations, findings } = setup();
    const first = await processFindingEvent(webFirst, deps);
    expect(first).toMatchObject({ outcome: 'started', findingId: FINDING_IDS.webServerExfiltration, resumed: false });
    expect(await processFindingEvent(webFirst, deps)).toMatchObject({ outcome: 'already-started' });
    expect(await processFindingEvent(webUpdate, deps)).toMatchObject({ outcome: 'already-started' });
    expect(runner.started).toHaveLength(1);
    expect(runner.started[0]).toMatchObject({ entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE', scopeStartTime: '2026-10-22T15:50:02.000Z', scopeEndTime: '2026-10-22T17:50:47.000Z' });
    expect([...investigations.items.values()]).toHaveLength(1);
    // The finding item holds the newest version and the claim.
    expect(findings.findings.get(FINDING_IDS.webServerExfiltration)).toMatchObject({ count: 3, updatedAt: '2026-10-22T17:11:12.904Z' });
    expect(findings.claims.get(FINDING_IDS.webServerExfiltration)).toMatchObject({ status: 'STARTED', investigationId: runner.started[0].investigationId });
  });

  it('ignores an older version delivered after a newer one', async () => {
    const { deps, runner, findings } = setup();
    await processFindingEvent(webUpdate, deps);
    expect(await processFindingEvent(webFirst, deps)).toEqual({ outcome: 'stale', findingId: FINDING_IDS.webServerExfiltration });
    expect(findings.findings.get(FINDING_IDS.webServerExfiltration)?.count).toBe(3);
    expect(runner.started).toHaveLength(1);
  });

  it('records and skips findings without an investigable entity, and rejects what is not a finding', async () => {
    const { deps, runner, findings } = setup();
    expect(await processFindingEvent(eventOf(FINDING_IDS.rootUsage), deps)).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('root') });
    expect(await processFindingEvent(eventOf(FINDING_IDS.portProbe), deps)).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('no IAM access key') });
    expect(findings.findings.get(FINDING_IDS.portProbe)).toMatchObject({ skipReason: expect.stringContaining('no IAM access key'), remoteIps: ['198.51.100.77'] });
    expect(await processFindingEvent({ ...webFirst, source: 'aws.securityhub' }, deps)).toMatchObject({ outcome: 'rejected' });
    expect(await processFindingEvent({ ...webFirst, detail: { type: 'x' } }, deps)).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('no valid id') });
    expect(runner.started).toHaveLength(0);
  });

  /** A delivery that hangs (or died) in the runner call: everything before it is done, nothing after. */
  async function hangingDelivery(deps: GuardDutyTriggerDependencies): Promise<void> {
    void processFindingEvent(webFirst, { ...deps, runner: { start: () => new Promise<void>(() => undefined) } });
    // Let its store calls (resolved promises) run up to the runner call.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  it('fails a delivery that finds the start in progress elsewhere, so that Lambda retries it', async () => {
    const { deps, findings, runner } = setup();
    await hangingDelivery(deps);
    expect(findings.claims.get(FINDING_IDS.webServerExfiltration)?.status).toBe('STARTING');
    await expect(processFindingEvent(webUpdate, deps)).rejects.toBeInstanceOf(ClaimInProgressError);
    expect(runner.started).toHaveLength(0);
  });

  it('resumes, under the same investigation id, a start whose delivery died after its claim', async () => {
    const { deps, findings, investigations, runner, advance } = setup();
    await hangingDelivery(deps);
    const { investigationId } = findings.claims.get(FINDING_IDS.webServerExfiltration)!;
    expect(investigations.items.get(investigationId)?.status).toBe('RUNNING');

    advance(CLAIM_LEASE_MS - 1);
    await expect(processFindingEvent(webFirst, deps)).rejects.toBeInstanceOf(ClaimInProgressError);
    advance(1);
    expect(await processFindingEvent(webUpdate, deps)).toEqual({ outcome: 'started', findingId: FINDING_IDS.webServerExfiltration, investigationId, resumed: true });
    expect(runner.started.map((s) => s.investigationId)).toEqual([investigationId]);
    expect(investigations.items.size).toBe(1);
    expect(findings.claims.get(FINDING_IDS.webServerExfiltration)?.status).toBe('STARTED');
  });

  it('marks the investigation FAILED and frees the finding when the runner cannot start; the retry starts anew', async () => {
    const { deps, runner, investigations, findings } = setup();
    runner.failures = 1;
    await expect(processFindingEvent(webFirst, deps)).rejects.toBeInstanceOf(InvestigationStartFailedError);
    expect([...investigations.items.values()]).toEqual([expect.objectContaining({ status: 'FAILED', failureReason: expect.stringContaining('StartExecution failed') })]);
    expect(findings.claims.has(FINDING_IDS.webServerExfiltration)).toBe(false);

    const retry = await processFindingEvent(webFirst, deps);
    expect(retry).toMatchObject({ outcome: 'started' });
    expect(runner.started).toHaveLength(1);
    expect(investigations.items.size).toBe(2);
  });

  it('frees the finding when its reserved id is taken by another investigation, so the retry draws a new one', async () => {
    const { deps, findings, investigations, runner } = setup();
    const create = investigations.createInvestigation.bind(investigations);
    // Someone else's investigation already holds the id this delivery reserves (a 1-in-10^8 same-millisecond draw).
    investigations.createInvestigation = async (investigation) => {
      investigations.createInvestigation = create;
      await create({ ...investigation, entityArn: 'arn:aws:iam::111122223333:role/Admin' });
      return create(investigation);
    };
    await expect(processFindingEvent(webFirst, deps)).rejects.toBeInstanceOf(InvestigationIdConflictError);
    expect(findings.claims.has(FINDING_IDS.webServerExfiltration)).toBe(false);
    expect(await processFindingEvent(webFirst, deps)).toMatchObject({ outcome: 'started' });
    expect(runner.started).toHaveLength(1);
  });

  it('applies the severity threshold (local deliveries have no EventBridge rule)', async () => {
    const { deps, runner } = setup({ minSeverity: 7 });
    expect(await processFindingEvent(eventOf(FINDING_IDS.aliceCredentialAccess), deps)).toMatchObject({ outcome: 'skipped', reason: 'severity 5 is below the threshold 7' });
    expect(await processFindingEvent(webFirst, deps)).toMatchObject({ outcome: 'started' });
    expect(runner.started).toHaveLength(1);
  });
});

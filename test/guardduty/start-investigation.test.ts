import type { StartInvestigationRequest } from '../../lambdas/core/investigation/requests';
import { InvestigationIdConflictError, InvestigationStartFailedError, startInvestigation } from '../../lambdas/core/investigation/start-investigation';
import { MemoryInvestigations, RecordingRunner } from './fakes';
import { WEB_SERVER_ROLE } from './fixtures';

/** The start path shared by the StartInvestigation API and the GuardDuty trigger. */
const REQUEST: StartInvestigationRequest = { entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE', scopeStartTime: '2026-10-22T15:50:02.000Z', scopeEndTime: '2026-10-22T17:50:47.000Z' };
const NOW = Date.parse('2026-10-22T17:00:00.000Z');
// The scope runs past NOW: the hour before NOW (ending 17:00) is compacted 20 minutes later, and the analysis starts 5 minutes after.
const NOT_BEFORE = '2026-10-22T17:25:00.000Z';
const RESERVED = `${NOW}12345678`;

function setup() {
  const store = new MemoryInvestigations();
  const runner = new RecordingRunner();
  return { store, runner, deps: { store, runner, now: () => NOW } };
}

describe('startInvestigation', () => {
  it('creates a RUNNING investigation under a fresh id, then starts the runner', async () => {
    const { deps, store, runner } = setup();
    const investigation = await startInvestigation({ ...REQUEST, graphArn: 'arn:aws:detective:us-east-1:111122223333:graph:0123456789abcdef0123456789abcdef' }, deps);
    expect(investigation).toMatchObject({ status: 'RUNNING', state: 'ACTIVE', severity: 'INFORMATIONAL', createdTime: '2026-10-22T17:00:00.000Z', ...REQUEST });
    expect(investigation.investigationId).toMatch(new RegExp(`^${NOW}\\d{8}$`));
    expect(store.items.get(investigation.investigationId)).toEqual(investigation);
    expect(runner.started).toEqual([{ investigationId: investigation.investigationId, ...REQUEST, notBefore: NOT_BEFORE }]);
  });

  it('uses a reserved id, and resumes an earlier attempt that created it but may not have started the runner', async () => {
    const { deps, store, runner } = setup();
    await store.createInvestigation({ investigationId: RESERVED, ...REQUEST, status: 'RUNNING', state: 'ACTIVE', severity: 'INFORMATIONAL', createdTime: '2026-10-22T16:59:00.000Z' });
    const investigation = await startInvestigation(REQUEST, deps, { investigationId: RESERVED });
    // The existing item is kept (its creation time too), and the runner is (re)started for it.
    expect(investigation.createdTime).toBe('2026-10-22T16:59:00.000Z');
    expect(runner.started).toEqual([{ investigationId: RESERVED, ...REQUEST, notBefore: NOT_BEFORE }]);
  });

  it('does not start a reserved investigation that already ran, and refuses one that failed or is another entity', async () => {
    const { deps, store, runner } = setup();
    const base = { investigationId: RESERVED, ...REQUEST, status: 'SUCCESSFUL' as const, state: 'ACTIVE' as const, severity: 'HIGH' as const, createdTime: '2026-10-22T16:59:00.000Z' };
    store.items.set(RESERVED, base);
    expect(await startInvestigation(REQUEST, deps, { investigationId: RESERVED })).toEqual(base);
    expect(runner.started).toHaveLength(0);

    store.items.set(RESERVED, { ...base, status: 'FAILED', failureReason: 'boom' });
    await expect(startInvestigation(REQUEST, deps, { investigationId: RESERVED })).rejects.toEqual(new InvestigationStartFailedError(RESERVED, 'boom'));

    store.items.set(RESERVED, { ...base, status: 'RUNNING', entityArn: 'arn:aws:iam::444455556666:role/Other' });
    await expect(startInvestigation(REQUEST, deps, { investigationId: RESERVED })).rejects.toBeInstanceOf(InvestigationIdConflictError);
  });

  it('records FAILED with the reason when the runner cannot start', async () => {
    const { deps, store, runner } = setup();
    runner.failures = 1;
    const error = await startInvestigation(REQUEST, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvestigationStartFailedError);
    const { investigationId, reason } = error as InvestigationStartFailedError;
    expect(reason).toBe('could not start the analysis: Error: StartExecution failed');
    expect(store.items.get(investigationId)).toMatchObject({ status: 'FAILED', failureReason: reason });
  });

  it('draws another id when a fresh one collides', async () => {
    const { deps, store } = setup();
    let calls = 0;
    const create = store.createInvestigation.bind(store);
    store.createInvestigation = async (investigation) => {
      calls++;
      if (calls === 1) await create(investigation);
      return create(investigation);
    };
    const investigation = await startInvestigation(REQUEST, deps);
    expect(calls).toBe(2);
    expect(store.items.get(investigation.investigationId)).toBeDefined();
  });
});

import { analysisNotBefore, LOG_DELIVERY_DELAY_MS } from '../../lambdas/core/investigation/start-investigation';
import { INVESTIGATION_STAGES } from '../../lambdas/investigation-stages/stages';
import { LocalInvestigationRunner, type StageHandlers } from '../../local/investigation-runner';

const NOW = Date.parse('2026-10-22T18:30:00Z');

describe('waiting for late CloudTrail deliveries', () => {
  it('waits until the scope end plus the delivery delay when the scope ends near now', () => {
    expect(analysisNotBefore('2026-10-22T18:25:00Z', NOW)).toBe(new Date(Date.parse('2026-10-22T18:25:00Z') + LOG_DELIVERY_DELAY_MS).toISOString());
    // A scope ending in the future is analysed once now's logs are in.
    expect(analysisNotBefore('2026-10-22T20:00:00Z', NOW)).toBe(new Date(NOW + LOG_DELIVERY_DELAY_MS).toISOString());
  });

  it('does not wait for a scope that ended long enough ago', () => {
    expect(analysisNotBefore('2026-10-22T18:00:00Z', NOW)).toBeUndefined();
  });

  it('passes through the Wait state of the ASL (locally without sleeping: the logs are already ingested)', async () => {
    const visited: string[] = [];
    const fake = (stage: string) => async (input: unknown) => {
      visited.push(stage);
      return stage === 'ResolveScope' ? { principalKey: 'role#x' } : { stage, indicators: {}, input: typeof input };
    };
    const handlers = Object.fromEntries(INVESTIGATION_STAGES.map((stage) => [stage, fake(stage)])) as unknown as StageHandlers;
    const runner = new LocalInvestigationRunner(handlers);
    const input = {
      investigationId: '179542656386366140601',
      entityArn: 'arn:aws:iam::111122223333:role/Admin',
      entityType: 'IAM_ROLE' as const,
      scopeStartTime: '2026-10-22T17:00:00.000Z',
      scopeEndTime: '2026-10-22T18:25:00.000Z',
      notBefore: new Date(Date.now() + 3_600_000).toISOString(),
    };
    await runner.start(input.investigationId, input);
    expect((await runner.wait(input.investigationId)).status).toBe('SUCCEEDED');
    expect(visited[0]).toBe('ResolveScope');
    expect(visited).toContain('Score');
    expect(visited).not.toContain('MarkFailed');
  });
});

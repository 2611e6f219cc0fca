import { analysisNotBefore } from '../../lambdas/core/investigation/start-investigation';
import { INVESTIGATION_STAGES } from '../../lambdas/investigation-stages/stages';
import { LocalInvestigationRunner, type StageHandlers } from '../../local/investigation-runner';

const NOW = Date.parse('2026-10-22T18:30:00Z');

describe('waiting for late CloudTrail deliveries', () => {
  it('waits until the hour holding the scope end is compacted: its end, the settle delay (20 min) and a margin (5 min)', () => {
    expect(analysisNotBefore('2026-10-22T18:25:00Z', NOW)).toBe('2026-10-22T19:25:00.000Z');
    // A scope ending in the future is analysed once now's hour is compacted.
    expect(analysisNotBefore('2026-10-22T20:00:00Z', NOW)).toBe('2026-10-22T19:25:00.000Z');
    // The scope is half-open: one ending on the hour needs the hour before it only.
    expect(analysisNotBefore('2026-10-22T18:00:00Z', Date.parse('2026-10-22T18:10:00Z'))).toBe('2026-10-22T18:25:00.000Z');
  });

  it('does not wait for a scope whose last hour is already compacted', () => {
    expect(analysisNotBefore('2026-10-22T18:00:00Z', NOW)).toBeUndefined();
    expect(analysisNotBefore('2026-10-22T17:59:00Z', NOW, 0)).toBeUndefined();
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

import { stageDependencies, type StageDependencies } from './stage-context';
import { stageHandler } from './stage-handler';

/** Catch target: records why the run failed on the investigation (Status FAILED), so the API shows it. */
export interface MarkFailedInput {
  investigationId: string;
  error?: { Error?: string; Cause?: string };
}

export async function markFailed(input: MarkFailedInput, deps: Pick<StageDependencies, 'store'>): Promise<void> {
  const reason = [input.error?.Error, input.error?.Cause].filter(Boolean).join(': ') || 'unknown error';
  await deps.store.failInvestigation(input.investigationId, reason);
}

export const handler = stageHandler('MarkFailed', (input: MarkFailedInput) => markFailed(input, stageDependencies()));

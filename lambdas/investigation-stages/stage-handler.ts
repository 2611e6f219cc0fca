import { loggedHandler, stringField, type LoggedHandler } from '../shared/lambda-logging';
import type { InvestigationStage } from './stages';

/**
 * The Lambda handler of a stage: its work, with the invocation's log context (lambdas/shared/lambda-logging.ts)
 * and the investigation id as the correlation id, so that one filter shows an investigation's lines from the
 * API or trigger that started it and from every stage. A stage that throws is logged once and fails its Task
 * state, whose Retry and Catch (MarkFailed) the state machine definition declares.
 */
export function stageHandler<TInput, TResult>(stage: InvestigationStage, work: (input: TInput) => Promise<TResult>): LoggedHandler<TInput, TResult> {
  return loggedHandler<TInput, TResult>({ name: stage, correlationId: (input) => stringField(input, 'investigationId') }, (input) => work(input));
}

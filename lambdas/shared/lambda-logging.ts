import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorMessage, log, withLogContext, type LogFields } from './log';

/**
 * What every Trailhound Lambda handler does around its own work (a middy middleware plus the log context
 * the handler body runs in):
 *
 * - every log line of the invocation carries `awsRequestId`, `functionName`, `coldStart` and `correlationId`,
 *   the key that ties the line to the thing being worked on (object key, investigation id, finding id), so
 *   that one CloudWatch Logs Insights filter follows it across functions;
 * - an invocation that throws is logged once, with its error, before the error goes back to Lambda (which
 *   retries, or counts it in the function's Errors metric).
 *
 * The fields live in an AsyncLocalStorage (lambdas/shared/log.ts) rather than in a logger object, so that the
 * local mode, which calls the same handlers concurrently in one process with fake contexts (or none: the local
 * state machine passes only the input), labels each line with its own invocation. AWS Powertools' Logger keeps
 * its context per process outside Lambda and prints through its own console, which would break both that and
 * the local mode's file sink (setLogSink), so it is not used.
 */
export interface InvocationLoggingOptions<TEvent> {
  /** Names the function in logs when the context does not (the local mode may call without a context). */
  readonly name: string;
  /**
   * The correlation id of an event. Events come from outside (API callers, GuardDuty, S3): this must not throw
   * on any input and returns undefined when the event carries no usable id.
   */
  readonly correlationId: (event: TEvent) => string | undefined;
}

/** Correlation ids are copied from input: bounded, so that a hostile request cannot bloat every log line. */
export const MAX_CORRELATION_ID_LENGTH = 256;

/** True until the first invocation of this module instance (one per Lambda execution environment). */
let coldStart = true;

/** The fields of each invocation, by its context object (a new one per invocation, from Lambda or from middy). */
const invocationFields = new WeakMap<object, LogFields>();

/** The middleware: computes the invocation's log fields before the handler runs, and logs its failure. */
export function invocationLogging<TEvent, TResult>(options: InvocationLoggingOptions<TEvent>): middy.MiddlewareObj<TEvent, TResult, Error, Context> {
  return {
    before: (request) => {
      const fields = {
        // The local state machine passes no context: a generated id still groups the invocation's lines.
        awsRequestId: typeof request.context.awsRequestId === 'string' ? request.context.awsRequestId : randomUUID(),
        functionName: typeof request.context.functionName === 'string' ? request.context.functionName : options.name,
        coldStart,
        correlationId: safeCorrelationId(options.correlationId, request.event),
      };
      coldStart = false;
      invocationFields.set(request.context, fields);
    },
    onError: (request) => {
      // Not handled here: middy rethrows the error after this, so Lambda still sees the invocation fail.
      withLogContext(fieldsOf(request.context), () => log.error('invocation failed', { error: errorMessage(request.error) }));
    },
  };
}

/** The log fields of the invocation a context belongs to (empty before the middleware ran). */
export function fieldsOf(context: object): LogFields {
  return invocationFields.get(context) ?? {};
}

function safeCorrelationId<TEvent>(pick: (event: TEvent) => string | undefined, event: TEvent): string | undefined {
  let id: unknown;
  try {
    id = pick(event);
  } catch {
    return undefined;
  }
  return typeof id === 'string' && id !== '' ? id.slice(0, MAX_CORRELATION_ID_LENGTH) : undefined;
}

export type LoggedHandler<TEvent, TResult> = middy.MiddyfiedHandler<TEvent, TResult, Error, Context>;

/**
 * A Lambda handler: `work` wrapped in the middleware above, and run in the invocation's log context. Every
 * handler of the project is built here, so none can forget the context.
 */
export function loggedHandler<TEvent, TResult>(
  options: InvocationLoggingOptions<TEvent>,
  work: (event: TEvent, context: Context) => Promise<TResult>,
): LoggedHandler<TEvent, TResult> {
  return middy<TEvent, TResult, Error, Context>()
    .use(invocationLogging<TEvent, TResult>(options))
    .handler((event, context) => withLogContext(fieldsOf(context), () => work(event, context)));
}

/** A string property of an object-like value, or undefined: correlation ids are read from untrusted events. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

import type { Context } from 'aws-lambda';
import { setLogSink } from '../../lambdas/shared/log';

/** Collects the parsed log lines written while a test runs (LOG_LEVEL is `silent` in tests: it is raised here). */
export function captureLogs(): { lines: Array<Record<string, unknown>>; restore(): void } {
  const lines: Array<Record<string, unknown>> = [];
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'debug';
  setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return {
    lines,
    restore() {
      process.env.LOG_LEVEL = level;
      setLogSink(() => undefined);
    },
  };
}

/** A Lambda context as the runtime passes it (without getRemainingTimeInMillis: middy then sets no early timeout). */
export function fakeContext(awsRequestId: string, functionName = 'Trailhound-Function'): Context {
  return { awsRequestId, functionName } as Context;
}

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Structured JSON logs (one line per event, CloudWatch Logs Insights can query the fields).
 * The sink is replaceable so the local mode can send handler logs to a file instead of the terminal.
 *
 * Lines also carry the fields of the log context they are written in (see `withLogContext`): the Lambda
 * request id, the function and a correlation id, set once per invocation by lambdas/shared/lambda-logging.ts.
 * The context lives in an AsyncLocalStorage rather than in module state, because the local mode runs many
 * invocations of several handlers concurrently in one process, and each line must name its own.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

type Sink = (line: string) => void;

let sink: Sink = (line) => console.log(line);

export function setLogSink(next: Sink): void {
  sink = next;
}

const context = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with `fields` added to every line it (and whatever it awaits) writes, on top of the enclosing
 * context. Nested contexts add fields: an object key inside an invocation keeps the request id.
 */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/** The fields lines written here carry (empty outside any context). */
export function currentLogContext(): LogFields {
  return context.getStore() ?? {};
}

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? 'info').toLowerCase() as LogLevel | 'silent';
  return ORDER[level] ?? ORDER.info;
}

function write(level: LogLevel, message: string, fields: LogFields): void {
  if (ORDER[level] < threshold()) return;
  // Context last: a line's own fields cannot disguise which invocation wrote it.
  sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields, ...context.getStore() }));
}

export const log = {
  debug: (message: string, fields: LogFields = {}) => write('debug', message, fields),
  info: (message: string, fields: LogFields = {}) => write('info', message, fields),
  warn: (message: string, fields: LogFields = {}) => write('warn', message, fields),
  error: (message: string, fields: LogFields = {}) => write('error', message, fields),
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

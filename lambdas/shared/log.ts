/**
 * Structured JSON logs (one line per event, CloudWatch Logs Insights can query the fields).
 * The sink is replaceable so the local mode can send handler logs to a file instead of the terminal.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

type Sink = (line: string) => void;

let sink: Sink = (line) => console.log(line);

export function setLogSink(next: Sink): void {
  sink = next;
}

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? 'info').toLowerCase() as LogLevel | 'silent';
  return ORDER[level] ?? ORDER.info;
}

function write(level: LogLevel, message: string, fields: Record<string, unknown>): void {
  if (ORDER[level] < threshold()) return;
  sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
}

export const log = {
  debug: (message: string, fields: Record<string, unknown> = {}) => write('debug', message, fields),
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

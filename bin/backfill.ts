import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, DescribeMapRunCommand, ExecutionAlreadyExists, ListMapRunsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/**
 * `npm run backfill -- --state-machine <BackfillStateMachineArn> --from DAY --to DAY [--prefix AWSLogs/] [--max-concurrency N] [--again] [--no-wait]`
 * Starts the deployed stack's backfill (a Distributed Map over the log bucket's listing) with the caller's AWS
 * credentials (the SDK's default chain), and shows its progress until it ends. Starting the same days and prefix
 * twice is refused while the first run is known to Step Functions (its name is derived from them); `--again`
 * starts another run, which skips every object already ingested.
 */
export const USAGE =
  'Usage: npm run backfill -- --state-machine ARN --from YYYY-MM-DD --to YYYY-MM-DD [--prefix AWSLogs/] [--max-concurrency 10] [--again] [--no-wait]';

export interface BackfillOptions {
  stateMachineArn: string;
  from: string;
  to: string;
  prefix: string;
  maxConcurrency: number;
  again: boolean;
  wait: boolean;
}

export class BackfillUsageError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseBackfillArgs(argv: string[]): BackfillOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-machine': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      prefix: { type: 'string', default: 'AWSLogs/' },
      'max-concurrency': { type: 'string', default: '10' },
      again: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
    },
  });
  const arn = values['state-machine'];
  if (!arn || !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/.test(arn)) throw new BackfillUsageError('--state-machine needs the stack output BackfillStateMachineArn');
  for (const [name, value] of [['--from', values.from], ['--to', values.to]] as const) {
    if (!value || !DAY.test(value) || Number.isNaN(Date.parse(value))) throw new BackfillUsageError(`${name} needs a day, YYYY-MM-DD`);
  }
  if ((values.from as string) > (values.to as string)) throw new BackfillUsageError('--from is after --to');
  const maxConcurrency = Number(values['max-concurrency']);
  // Step Functions allows up to 10,000 child executions at once; the tables' write rate is the real limit.
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 1000) throw new BackfillUsageError('--max-concurrency is a whole number from 1 to 1000');
  return { stateMachineArn: arn, from: values.from as string, to: values.to as string, prefix: values.prefix as string, maxConcurrency, again: values.again as boolean, wait: !values['no-wait'] };
}

/** The run's name: the same days and prefix give the same name, so a second start is caught. */
export function executionName(options: BackfillOptions, now: Date = new Date()): string {
  const hash = createHash('sha256').update(options.prefix).digest('hex').slice(0, 8);
  const base = `backfill-${options.from}-${options.to}-${hash}`;
  return options.again ? `${base}-${now.getTime()}` : base;
}

export interface Progress {
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  running: number;
}

export async function startBackfill(client: SFNClient, options: BackfillOptions, now?: Date): Promise<string> {
  const input = { prefix: options.prefix, from: options.from, to: options.to, maxConcurrency: options.maxConcurrency };
  try {
    const output = await client.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name: executionName(options, now), input: JSON.stringify(input) }));
    return output.executionArn as string;
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists || (error as { name?: string }).name === 'ExecutionAlreadyExists') {
      throw new BackfillUsageError(`a backfill of ${options.from}..${options.to} under ${options.prefix} already ran or runs: add --again to run it again (objects already ingested are skipped)`);
    }
    throw error;
  }
}

export async function progressOf(client: SFNClient, executionArn: string): Promise<Progress> {
  const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
  const progress: Progress = { status: execution.status ?? 'UNKNOWN', total: 0, succeeded: 0, failed: 0, pending: 0, running: 0 };
  const runs = await client.send(new ListMapRunsCommand({ executionArn }));
  for (const run of runs.mapRuns ?? []) {
    const counts = (await client.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }))).itemCounts;
    progress.total += counts?.total ?? 0;
    progress.succeeded += counts?.succeeded ?? 0;
    progress.failed += counts?.failed ?? 0;
    progress.pending += counts?.pending ?? 0;
    progress.running += counts?.running ?? 0;
  }
  return progress;
}

export function progressLine(p: Progress): string {
  const done = p.succeeded + p.failed;
  return `${p.status}: ${done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} listed objects processed (${p.failed.toLocaleString('en-US')} failed, ${p.running.toLocaleString('en-US')} running)`;
}

/** Polls until the run ends; returns its last progress. */
export async function watchBackfill(client: SFNClient, executionArn: string, report: (line: string) => void, intervalMs = 10_000, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<Progress> {
  for (;;) {
    const progress = await progressOf(client, executionArn);
    report(progressLine(progress));
    if (progress.status !== 'RUNNING') return progress;
    await sleep(intervalMs);
  }
}

async function main(): Promise<number> {
  let options: BackfillOptions;
  try {
    options = parseBackfillArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const region = options.stateMachineArn.split(':')[3];
  const client = new SFNClient({ region });
  try {
    const executionArn = await startBackfill(client, options);
    console.log(`backfill started: ${executionArn}`);
    if (!options.wait) return 0;
    const last = await watchBackfill(client, executionArn, (line) => console.log(`  ${line}`));
    return last.status === 'SUCCEEDED' ? 0 : 1;
  } catch (error) {
    console.error(error instanceof BackfillUsageError ? error.message : `${(error as Error).name}: ${(error as Error).message}`);
    return error instanceof BackfillUsageError ? 2 : 1;
  } finally {
    client.destroy();
  }
}

if (require.main === module) void main().then((code) => process.exit(code));

import { appendFileSync, closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { GetInvestigationCommand, ListIndicatorsCommand, StartInvestigationCommand, type DetectiveClient, type Indicator } from '@aws-sdk/client-detective';
import { deliverGuardDutyEventsFromFile, type DeliveryReport } from '../lambdas/guardduty-trigger/local-delivery';
import { TrailInstanceSessions } from '../lambdas/queries/instance-sessions';
import { DEFAULT_GUARDDUTY_MIN_SEVERITY } from '../lambdas/shared/config';
import { setLogSink } from '../lambdas/shared/log';
import { DataFolderError } from './data-folder';
import { EmbeddedServerError } from './embedded-services';
import { inProcessDetectiveClient } from './http/in-process-client';
import { buildLocalApi, startApiServer, type ApiServer, type LocalApi } from './http/server';
import { ensureConsoleBuilt } from './console/build';
import { consoleSite } from './console/static-site';
import { consoleUrl, findingsConsoleUrl } from './console/console-url';
import { investigationReport } from './investigation-report';
import { LocalInvestigationRunner, loadStageHandlers, type ExecutionOutcome } from './investigation-runner';
import { LOCAL_BUCKET, LocalStack } from './local-stack';
import { fetchProfile, profileLines } from './profile-command';
import { listLogFiles } from './log-files';
import { buildSummary } from './summary';
import { escapeTerminal, printLines } from './terminal-text';
import { ApiCommandError, EVIDENCE_CSV_PAGE_SIZE, evidenceLines, volumeLines, writeEvidenceCsv, type EvidenceCommand, type EvidenceCsvCommand, type EvidenceCsvResult, type VolumeCommand } from './graph-commands';
import { EntityCommandError, relatedLines, searchLines, type RelatedCommand, type SearchCommand } from './entity-commands';
import { loadIamSnapshot, permissionsLines, PermissionsCommandError, type PermissionsCommand } from './permissions-command';

/**
 * `npm start`: the whole system on this machine. Ingests logs through the ingest handler, prints what it
 * found, optionally delivers GuardDuty findings to the trigger, then serves the Detective-compatible API
 * until Ctrl-C. `npm start -- investigate …` runs one investigation and prints its report.
 * Handler logs go to <data>/trailhound.log so the terminal stays readable. Everything printed goes through
 * printLines (terminal-text.ts): strings from logs cannot drive the terminal. Errors print on one line;
 * `--debug` (or DEBUG=1) adds the stack.
 */
const USAGE = `Usage:
  npm start [-- options]                       ingest, summarise, then serve the investigations API
  npm start -- investigate --entity ARN --from TIME --to TIME [options]
                                               ingest, run one investigation, print its report
  npm start -- volume TYPE ID --from TIME --to TIME [--granularity MINUTE|HOUR|DAY] [--group-by G] [--json]
                                               API call volume of an entity (TYPE: IAM_ROLE, IAM_USER,
                                               ROLE_SESSION, AWS_ACCOUNT, EC2_INSTANCE; G: API, SOURCE_IP,
                                               CALLER, SESSION, ERROR_CODE)
  npm start -- evidence INVESTIGATION_ID TYPE [--index N] [--json | --csv events|flows [--out FILE]]
                                               the raw CloudTrail events behind an indicator (TYPE e.g.
                                               TTP_OBSERVED; N its position among that type, default 0),
                                               and a FLAGGED_IP_ADDRESS's VPC flows; --csv: every page of
                                               the API's CSV of its events, or of a flagged address's flows
  npm start -- search TYPE QUERY [--from TIME --to TIME] [--json]
                                               entities of TYPE matching QUERY (* and ?; IPs also by CIDR;
                                               default scope: the last 24 hours)
  npm start -- related TYPE ID RELATED_TYPE --from TIME --to TIME [--json]
                                               entities of RELATED_TYPE related to one entity, with calls
  TYPE: IAM_ROLE, IAM_USER, ROLE_SESSION, FEDERATED_USER, EC2_INSTANCE, IP_ADDRESS, USER_AGENT, S3_BUCKET,
        AWS_ACCOUNT
  npm start -- profile TYPE ID --from TIME --to TIME [--json] [options]
                                               ingest, print the profile of one entity (getEntityProfile);
                                               TYPE: IAM_ROLE, IAM_USER, ROLE_SESSION, FEDERATED_USER,
                                               EC2_INSTANCE, IP_ADDRESS, USER_AGENT, S3_BUCKET, AWS_ACCOUNT
  npm start -- permissions IAM_ROLE|IAM_USER NAME|ARN --at TIME [--json] [--iam-snapshot FILE]
                                               ingest, print the permissions of a role or user at TIME
                                               and the timeline of its IAM changes (getPermissions)

Options:
  --logs DIR               CloudTrail logs to ingest (default: the bundled sample, examples/cloudtrail)
  --data DIR               where local data persists between runs (default: .trailhound)
  --fresh                  start from empty tables and bucket (only in a data folder Trailhound created)
  --guardduty-events FILE  GuardDuty findings (EventBridge events, a JSON array, JSON lines, or GetFindings
                           output) delivered to the GuardDuty trigger after ingestion
  --port N                 port of the API (default 4566 + 1 = 4567; 0 picks a free one)
  --no-serve               exit after the summary instead of serving the API (binds no port)
  --page N                 page of the summary's principals table (25 a page; default 1)
  --all                    list every principal in the summary
  --json                   profile, permissions: print the response as JSON
  --csv events|flows       evidence: the API's CSV of the events or (FLAGGED_IP_ADDRESS) the flow rows, every
                           page, at most 100,000 rows; to stdout (a terminal sees control characters escaped)
  --out FILE               evidence --csv: write the CSV to FILE (replaced once complete) instead of stdout
  --iam-snapshot FILE      the JSON output of aws iam get-account-authorization-details, stored as the
                           account's IAM snapshot after ingestion (for entities older than the logs)
  --snapshot-time TIME     when that snapshot was taken (default: the file's modification time)
  --debug                  print stack traces with errors (also DEBUG=1)
  -h, --help               this text

TIME is ISO-8601, e.g. 2026-10-22T17:00:00Z.`;

class UsageError extends Error {}

/** Progress and status lines: stdout, except when stdout carries a CSV (evidence --csv without --out). */
let statusStream: NodeJS.WritableStream = process.stdout;

const GRAPH_ARN = 'arn:aws:detective:us-east-1:000000000000:graph:00000000000000000000000000000000';

interface Options {
  command: 'run' | 'investigate' | 'volume' | 'evidence' | 'search' | 'related' | 'profile' | 'permissions';
  permissions?: PermissionsCommand;
  iamSnapshot?: string;
  snapshotTime?: string;
  volume?: VolumeCommand;
  evidence?: EvidenceCommand;
  evidenceCsv?: EvidenceCsvCommand & { out?: string };
  search?: SearchCommand;
  related?: RelatedCommand;
  page: number | 'all';
  json: boolean;
  profileType?: string;
  profileId?: string;
  logsDir: string;
  dataDir: string;
  fresh: boolean;
  serve: boolean;
  port: number;
  guardDutyEvents?: string;
  entity?: string;
  from?: string;
  to?: string;
}

function parseOptions(argv: string[]): Options | undefined {
  const serve = !argv.includes('--no-serve');
  const { values, positionals } = parseArgs({
    args: argv.filter((a) => a !== '--no-serve' && a !== '--debug'),
    allowPositionals: true,
    options: {
      logs: { type: 'string' },
      data: { type: 'string', default: '.trailhound' },
      fresh: { type: 'boolean', default: false },
      'guardduty-events': { type: 'string' },
      port: { type: 'string', default: '4567' },
      entity: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      granularity: { type: 'string', default: 'HOUR' },
      'group-by': { type: 'string' },
      index: { type: 'string', default: '0' },
      csv: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      page: { type: 'string', default: '1' },
      all: { type: 'boolean', default: false },
      at: { type: 'string' },
      'iam-snapshot': { type: 'string' },
      'snapshot-time': { type: 'string' },
    },
  });
  if (values.help) return undefined;
  const command = positionals[0] ?? 'run';
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
  if (command === 'volume' && (positionals.length !== 3 || !values.from || !values.to)) throw new UsageError('volume needs TYPE ID, --from and --to');
  if (command === 'evidence' && positionals.length !== 3) throw new UsageError('evidence needs INVESTIGATION_ID TYPE');
  const index = Number(values.index);
  if (!Number.isInteger(index) || index < 0) throw new UsageError(`--index ${values.index} is not a position (0, 1, …)`);
  const csvKind = evidenceCsvKind(command, positionals[2], values.csv, values.out, values.json);
  if (command === 'search' && (positionals.length !== 3 || !values.from !== !values.to)) throw new UsageError('search needs TYPE QUERY, and --from and --to together or neither');
  if (command === 'related' && (positionals.length !== 4 || !values.from || !values.to)) throw new UsageError('related needs TYPE ID RELATED_TYPE, --from and --to');
  if (command === 'profile' && (positionals.length !== 3 || !values.from || !values.to)) throw new UsageError('profile needs TYPE, ID, --from and --to');
  if (command === 'permissions' && (positionals.length !== 3 || !values.at)) throw new UsageError('permissions needs IAM_ROLE|IAM_USER, NAME|ARN and --at');
  for (const [name, value] of [['--at', values.at], ['--snapshot-time', values['snapshot-time']]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new UsageError(`${name} ${value} is not an ISO-8601 time`);
  }
  if (values['iam-snapshot'] && !existsSync(values['iam-snapshot'])) throw new UsageError(`--iam-snapshot ${values['iam-snapshot']} does not exist`);
  const page = Number(values.page);
  if (!Number.isInteger(page) || page < 1) throw new UsageError(`--page ${values.page} is not a page number`);
  if (command === 'investigate' && (!values.entity || !values.from || !values.to)) throw new UsageError('investigate needs --entity, --from and --to');
  for (const [name, value] of [['--from', values.from], ['--to', values.to]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new UsageError(`${name} ${value} is not an ISO-8601 time`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port} is not a port number`);
  const logsDir = resolve(values.logs ?? join(__dirname, '..', 'examples', 'cloudtrail'));
  if (!existsSync(logsDir) || !statSync(logsDir).isDirectory()) throw new UsageError(`--logs ${logsDir} is not a folder`);
  if (values['guardduty-events'] && !existsSync(values['guardduty-events'])) throw new UsageError(`--guardduty-events ${values['guardduty-events']} does not exist`);
  return {
    command,
    page: values.all ? 'all' : page,
    json: values.json,
    ...(command === 'profile' ? { profileType: positionals[1], profileId: positionals[2] } : {}),
    logsDir,
    dataDir: resolve(values.data),
    fresh: values.fresh,
    serve,
    port,
    ...(values['guardduty-events'] ? { guardDutyEvents: resolve(values['guardduty-events']) } : {}),
    ...(values['iam-snapshot'] ? { iamSnapshot: resolve(values['iam-snapshot']) } : {}),
    ...(values['snapshot-time'] ? { snapshotTime: values['snapshot-time'] } : {}),
    ...(command === 'permissions' ? { permissions: { entityType: positionals[1], entityId: positionals[2], at: values.at as string, json: values.json } } : {}),
    ...(values.entity ? { entity: values.entity } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(command === 'volume'
      ? { volume: { entityType: positionals[1], entityId: positionals[2], from: values.from as string, to: values.to as string, granularity: values.granularity, ...(values['group-by'] ? { groupBy: values['group-by'] } : {}), json: values.json } }
      : {}),
    ...(command === 'evidence' && !csvKind ? { evidence: { investigationId: positionals[1], indicatorType: positionals[2], index, json: values.json } } : {}),
    ...(csvKind ? { evidenceCsv: { investigationId: positionals[1], indicatorType: positionals[2], index, kind: csvKind, ...(values.out ? { out: resolve(values.out) } : {}) } } : {}),
    ...(command === 'search' ? { search: { entityType: positionals[1], query: positionals[2], ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}), json: values.json } } : {}),
    ...(command === 'related'
      ? { related: { entityType: positionals[1], entityId: positionals[2], relatedEntityType: positionals[3], from: values.from as string, to: values.to as string, json: values.json } }
      : {}),
  };
}

/** `--csv events|flows` and `--out FILE` of the evidence command, refused before anything runs when they cannot work. */
function evidenceCsvKind(command: string, indicatorType: string | undefined, csv: string | undefined, out: string | undefined, json: boolean): EvidenceCsvCommand['kind'] | undefined {
  if (csv === undefined) {
    if (out !== undefined) throw new UsageError('--out needs --csv events|flows');
    return undefined;
  }
  if (command !== 'evidence') throw new UsageError('--csv is an option of the evidence command');
  if (json) throw new UsageError('give --csv or --json, not both');
  const kind = csv.toUpperCase();
  if (kind !== 'EVENTS' && kind !== 'FLOWS') throw new UsageError(`--csv ${csv}: give events or flows`);
  // Only a flagged address has flow rows (the API refuses FLOWS for any other type, requests.ts).
  if (kind === 'FLOWS' && indicatorType !== 'FLAGGED_IP_ADDRESS') throw new UsageError(`--csv flows is for FLAGGED_IP_ADDRESS indicators only: a ${indicatorType} indicator has no flow evidence`);
  if (out !== undefined) {
    const path = resolve(out);
    if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) throw new UsageError(`--out ${out}: the folder ${dirname(path)} does not exist`);
    if (existsSync(path) && !statSync(path).isFile()) throw new UsageError(`--out ${out} is not a file`);
  }
  return kind;
}

const COMMANDS = ['run', 'investigate', 'volume', 'evidence', 'search', 'related', 'profile', 'permissions'] as const;

function isCommand(name: string): name is (typeof COMMANDS)[number] {
  return (COMMANDS as readonly string[]).includes(name);
}

/** Uploads and ingests the folder's logs; returns the objects' `s3://bucket/key` (what the summary reads back). */
async function ingest(stack: LocalStack, logsDir: string): Promise<string[]> {
  const files = listLogFiles(logsDir);
  if (files.length === 0) throw new UsageError(`no files under ${logsDir}`);
  const bar = new SingleBar({ format: '  {stage} [{bar}] {value}/{total} {unit}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  bar.start(files.length, 0, { stage: 'upload', unit: 'files' });
  await stack.upload(files, ({ uploaded }) => bar.update(uploaded));
  bar.setTotal(stack.eventSource.pending);
  bar.update(0, { stage: 'ingest', unit: 'S3 notifications' });
  let stage = 'ingest';
  await stack.drain(({ stage: now, delivered, pending, deadLettered }) => {
    if (now !== stage) {
      stage = now;
      bar.setTotal(delivered + pending + deadLettered);
    }
    bar.update(delivered + deadLettered, now === 'compact' ? { stage: 'compact', unit: 'hour requests' } : {});
  });
  bar.stop();
  printLines([`  ${files.length} files from ${logsDir} uploaded; their S3 notifications went through the ingest handler`], statusStream);
  return files.map((file) => `s3://${LOCAL_BUCKET}/${file.key}`);
}

async function printInvestigation(client: DetectiveClient, investigationId: string, outcome: ExecutionOutcome): Promise<void> {
  const investigation = await client.send(new GetInvestigationCommand({ GraphArn: GRAPH_ARN, InvestigationId: investigationId }));
  const indicators: Indicator[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListIndicatorsCommand({ GraphArn: GRAPH_ARN, InvestigationId: investigationId, MaxResults: 100, NextToken }));
    indicators.push(...(page.Indicators ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const lines = investigationReport({
    investigation,
    indicators,
    ...(outcome.output ? { executionOutput: outcome.output as never } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  });
  printLines(['', ...lines]);
}

function printGuardDutyReport(file: string, report: DeliveryReport): void {
  const counts = Object.entries(report.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  if (report.unreadable.length > 0) counts.push(`${report.unreadable.length} unreadable`);
  const lines = ['', `GuardDuty findings from ${file}: ${counts.join(', ') || 'none'}`];
  for (const entry of report.unreadable) lines.push(`  ✗ ${entry.line ? `line ${entry.line}` : entry.where}: ${entry.reason} (skipped)`);
  for (const result of report.results) {
    if (!result.delivered) lines.push(`  ✗ ${result.eventId}: ${result.error}`);
    else if (result.outcome.outcome === 'skipped' || result.outcome.outcome === 'rejected') lines.push(`  - ${result.eventId}: ${result.outcome.outcome} (${result.outcome.reason})`);
    else if (result.outcome.outcome === 'stale') lines.push(`  - ${result.outcome.findingId}: an older copy of a finding already handled`);
    else if (result.outcome.outcome === 'already-started') lines.push(`  = ${result.outcome.findingId}: investigation ${result.outcome.investigationId} already started for it`);
  }
  printLines(lines);
}

async function main(): Promise<void> {
  // Local mode runs on the machine's Node (20+); deployed functions run on Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    printLines(USAGE.split('\n'));
    return;
  }
  if (options.evidenceCsv && !options.evidenceCsv.out) statusStream = process.stderr;
  const logFile = join(options.dataDir, 'trailhound.log');
  printLines([`Trailhound local mode: data in ${options.dataDir}${options.fresh ? ' (fresh)' : ''}, handler logs in ${logFile}`], statusStream);
  // Opens (and locks) the data folder: refusals come before anything is written.
  const stack = await LocalStack.start({ dataDir: options.dataDir, fresh: options.fresh });
  setLogSink((line) => appendFileSync(logFile, `${line}\n`));
  const serving = options.command === 'run' && options.serve;
  let runner: LocalInvestigationRunner | undefined;
  let api: ApiServer | undefined;
  // From here on the data folder is locked: every exit path goes through stack.stop(), which unlocks it.
  try {
    runner = new LocalInvestigationRunner(await loadStageHandlers());
    printLines([`  DynamoDB (dynalite) ${stack.services.dynamoEndpoint}   S3 (s3rver) ${stack.services.s3Endpoint}`], statusStream);
    // The API port only when serving, and first: a port in use is reported before minutes of ingestion.
    if (serving) {
      // The console is rebuilt when its sources changed (a fresh clone: first run), then served on the API's port.
      const built = await ensureConsoleBuilt();
      if (built) printLines([`  ${built}`]);
      api = await startApiServer({ port: options.port, runner, console: consoleSite() }).catch((error: { code?: string }) => {
        throw error.code === 'EADDRINUSE' ? new UsageError(`port ${options.port} is in use: choose another with --port N (0 picks a free one)`) : error;
      });
    }
    const objectKeys = await ingest(stack, options.logsDir);
    if (options.iamSnapshot) printLines(await loadIamSnapshot(stack.queries.iam, options.iamSnapshot, options.snapshotTime), statusStream);
    // Reports are read back through the Detective client, in process: no port for investigate or --no-serve.
    const localApi = buildLocalApi({ runner });
    const client = inProcessDetectiveClient(localApi);

    if (options.command === 'profile') {
      const profile = await fetchProfile(localApi, { EntityType: options.profileType as string, EntityId: options.profileId as string, ScopeStartTime: options.from as string, ScopeEndTime: options.to as string });
      printLines(options.json ? JSON.stringify(profile, null, 2).split('\n') : ['', ...profileLines(profile)]);
      return;
    }

    if (options.permissions) return printLines(await permissionsLines(localApi, options.permissions));
    // The graph commands ask the same handler as the HTTP API, in process.
    if (options.volume) return printLines(await volumeLines(buildLocalApi({ runner }), options.volume));
    if (options.evidence) return printLines(await evidenceLines(buildLocalApi({ runner }), options.evidence));
    if (options.evidenceCsv) return await exportEvidenceCsv(buildLocalApi({ runner }), options.evidenceCsv);
    // The entity commands ask the same handler as the HTTP API, in process.
    if (options.search) return printLines(await searchLines(buildLocalApi({ runner }), options.search));
    if (options.related) return printLines(await relatedLines(buildLocalApi({ runner }), options.related));

    if (options.command === 'investigate') {
      const { InvestigationId } = await client.send(
        new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: options.entity, ScopeStartTime: new Date(options.from as string), ScopeEndTime: new Date(options.to as string) }),
      );
      await printInvestigation(client, InvestigationId as string, await runner.wait(InvestigationId as string));
      return;
    }

    const summary = await buildSummary({
      documents: stack.documents,
      queries: stack.queries,
      flows: stack.flows,
      tables: { ingestedObjects: stack.ingestedObjectsTable },
      objectKeys,
      deadLettered: stack.deadLetteredNames(),
      page: options.page,
    });
    printLines(['', ...summary]);

    if (options.guardDutyEvents) {
      // As the stack's EventBridge rule does, findings below MEDIUM severity start nothing.
      const report = await deliverGuardDutyEventsFromFile(options.guardDutyEvents, {
        runner,
        // EC2 findings find their instance's role in the sessions just ingested.
        instanceSessions: new TrailInstanceSessions(stack.queries),
        minSeverity: DEFAULT_GUARDDUTY_MIN_SEVERITY,
      });
      printGuardDutyReport(options.guardDutyEvents, report);
      for (const result of report.results) {
        if (result.delivered && result.outcome.outcome === 'started') {
          printLines(['', `▶ finding ${result.outcome.findingId}`]);
          await printInvestigation(client, result.outcome.investigationId, await runner.wait(result.outcome.investigationId));
        }
      }
    }

    if (!api) return;
    printLines([
      '',
      `Console on ${consoleUrl(api.url, objectKeys)}`,
      ...(options.guardDutyEvents ? [`GuardDuty findings on ${findingsConsoleUrl(api.url, objectKeys)}`] : []),
      `Investigations API (Amazon Detective's Investigation API) on ${api.url}  (Ctrl-C to stop)`,
      `  aws detective start-investigation --endpoint-url ${api.url} --graph-arn ${GRAPH_ARN} \\`,
      `    --entity-arn arn:aws:iam::444455556666:role/OrganizationAccountAccessRole --scope-start-time 2026-10-22T17:00:00Z --scope-end-time 2026-10-23T00:00:00Z`,
      `  curl -s -X POST ${api.url}/investigations/listInvestigations -d '{"GraphArn":"${GRAPH_ARN}"}'`,
    ]);
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', resolveStop);
      process.once('SIGTERM', resolveStop);
    });
  } finally {
    await runner?.waitAll();
    await api?.close();
    await stack.stop();
  }
}

/**
 * evidence --csv: the API's CSV pages to --out FILE (written beside it, then renamed over it once every page is
 * in, so a failed export leaves no half file) or to stdout as it comes; a terminal sees it escaped
 * (escapeCsvForTerminal). A CSV cut at the page bound is kept, and reported as an error.
 */
async function exportEvidenceCsv(api: LocalApi, command: EvidenceCsvCommand & { out?: string }): Promise<void> {
  const what = command.kind === 'FLOWS' ? 'flow rows' : 'events';
  let result: EvidenceCsvResult;
  if (command.out) {
    const partial = `${command.out}.partial-${process.pid}`;
    const fd = openSync(partial, 'wx');
    try {
      result = await writeEvidenceCsv(api, command, { write: (text) => void writeSync(fd, text) });
      closeSync(fd);
      renameSync(partial, command.out);
    } catch (error) {
      closeSync(fd);
      rmSync(partial, { force: true });
      throw error;
    }
    printLines([`  ${result.rows} ${what} of ${command.indicatorType} #${command.index} written to ${command.out}`]);
  } else {
    const terminal = process.stdout.isTTY === true;
    // A reader that stops early (`| head`) closes the pipe: the write fails with EPIPE, said in one line below.
    process.stdout.on('error', () => undefined);
    result = await writeEvidenceCsv(api, command, {
      terminal,
      write: (text) => new Promise<void>((done, fail) => process.stdout.write(text, (error) => (error ? fail(error) : done()))),
    }).catch((error: { code?: string }) => {
      throw error.code === 'EPIPE' ? new ApiCommandError('stdout was closed before the CSV was complete') : error;
    });
    printLines([`  ${result.rows} ${what} of ${command.indicatorType} #${command.index}`], statusStream);
  }
  if (!result.complete) throw new ApiCommandError(`the CSV holds the first ${result.rows} ${what} only (${result.pages} pages of ${EVIDENCE_CSV_PAGE_SIZE}): the API has more`);
}

/** parseArgs' own errors (unknown option, missing value) are usage errors too. */
function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_'));
}

/** One line, whatever the error (an SDK error's message can span lines); the stack only when asked. */
function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return escapeTerminal(`Error: ${String(error)}`);
  const plain = error instanceof DataFolderError || error instanceof ApiCommandError || error instanceof PermissionsCommandError || error instanceof EmbeddedServerError || isUsageError(error) || error.name === 'Error';
  if (error instanceof EntityCommandError) return escapeTerminal(`${error.name}: ${error.message}`.replace(/\s+/g, ' ').trim());
  const name = plain ? '' : `${error.name}: `;
  return escapeTerminal(`${name}${error.message}`.trim());
}

const debug = process.argv.includes('--debug') || ['1', 'true'].includes(process.env.DEBUG ?? '');

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    if (isUsageError(error)) {
      printLines([errorLine(error), '', ...USAGE.split('\n')], process.stderr);
      process.exit(2);
    }
    // A refusal says all there is to say; anything else may deserve its stack.
    const hint = debug || error instanceof DataFolderError || error instanceof EntityCommandError ? '' : '  (--debug for details)';
    printLines([`trailhound: ${errorLine(error)}${hint}`], process.stderr);
    if (debug && error instanceof Error && error.stack) printLines(error.stack.split('\n'), process.stderr);
    process.exit(1);
  });

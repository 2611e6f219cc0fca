import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ListIndicatorsCommand, StartInvestigationCommand, type Indicator } from '@aws-sdk/client-detective';
import type { Indicator as StoredIndicator, Investigation } from '../../lambdas/core/investigation/model';
import { writeEvidenceCsv, type EvidenceCsvCommand, type EvidenceCsvOptions } from '../../local/graph-commands';
import { inProcessDetectiveClient } from '../../local/http/in-process-client';
import { toProxyEvent } from '../../local/http/proxy-event';
import { buildLocalApi, type LocalApi } from '../../local/http/server';
import { LocalInvestigationRunner, loadStageHandlers } from '../../local/investigation-runner';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { parseCsv } from '../helpers/csv';
import { sampleEvidenceRouter } from '../flowlogs/sample-evidence-router';
import { ATTACKER, SAMPLE_ACCOUNT, hourOf, loadSampleFlows, ownAddresses, rawFlowEvidence } from '../flowlogs/sample-flows';
import { runCli } from '../helpers/run-cli';

/**
 * `npm start -- evidence ID TYPE --csv events|flows [--out FILE]`: every page of the API's evidence CSV. The
 * events: a user launching EC2 instances 120 times (three pages of 50), one call with a user agent that tries to
 * run a formula, clear the screen, reverse text and fake a row, beside calls of another API. The expected event
 * ids are read back from the raw log file written here; the flows are counted from the sample's raw flow lines
 * (sample-flows.ts rawFlowEvidence). The CLI runs as a user runs it, in a child process.
 */
jest.setTimeout(60_000);

const ACCOUNT = '666677778888';
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/launcher`;
const HOUR = '2026-11-06T14';
const LAUNCHES = 120;
const CRAFTED_AGENT = '=cmd|\x1b[2J\u202eevil\r\nfake,row';
const EVENTS_HEADER = ['EventId', 'EventTime', 'Api', 'SourceIpAddress', 'Principal', 'SessionId', 'Via', 'ErrorCode', 'Region', 'UserAgent', 'LogObject', 'RecordIndex', 'RecordStatus'];
const FLOWS_HEADER = ['Hour', 'InstanceId', 'InterfaceId', 'BytesIn', 'BytesOut', 'BytesUnknownDirection', 'Packets', 'Flows', 'RejectedFlows', 'Ports'];
// Everything a terminal could obey, newline aside.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function record(n: number, eventName: string, userAgent: string): object {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDALAUNCHER00000000', arn: USER_ARN, accountId: ACCOUNT, accessKeyId: 'AKIALAUNCHER00000000', userName: 'launcher' },
    eventTime: `${HOUR}:${String(Math.floor(n / 3)).padStart(2, '0')}:${String((n % 3) * 20 + 7).padStart(2, '0')}Z`,
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.77',
    userAgent,
    requestParameters: { instanceType: 't3.micro' },
    responseElements: null,
    requestID: `REQUEST${n}`,
    eventID: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
    readOnly: eventName.startsWith('Describe'),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

let root: string;
let logsDir: string;
let logPath: string;
let dataDir: string;
let investigationId: string;
/** The position of the RunInstances indicator among the TTP_OBSERVED ones. */
let launchIndex: number;

function rawRecords(): { eventID: string; eventName: string; userAgent: string }[] {
  return (JSON.parse(gunzipSync(readFileSync(logPath)).toString('utf8')) as { Records: { eventID: string; eventName: string; userAgent: string }[] }).Records;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'trailhound-evidence-csv-'));
  logsDir = join(root, 'logs');
  dataDir = join(root, 'data');
  // 120 RunInstances and, interleaved, 10 DescribeInstances (not in the launch indicator's evidence).
  const records = Array.from({ length: LAUNCHES + 10 }, (_, n) => (n % 13 === 12 ? record(n, 'DescribeInstances', 'aws-cli/2.15.0') : record(n, 'RunInstances', n === 4 ? CRAFTED_AGENT : 'aws-cli/2.15.0')));
  logPath = join(logsDir, `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/06/${ACCOUNT}_CloudTrail_us-east-1_20261106T1455Z_launch0000000000.json.gz`);
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, gzipSync(JSON.stringify({ Records: records })));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The raw RunInstances records' event ids, from the file written (never through the code under test). */
const rawLaunchIds = (): string[] => rawRecords().filter((r) => r.eventName === 'RunInstances').map((r) => r.eventID);

/** Collects what writeEvidenceCsv writes. */
async function collect(api: LocalApi, command: EvidenceCsvCommand, options: Omit<EvidenceCsvOptions, 'write'> = {}) {
  const chunks: string[] = [];
  const result = await writeEvidenceCsv(api, command, { ...options, write: (text) => void chunks.push(text) });
  return { ...result, text: chunks.join('') };
}

describe('evidence CSV in process, over the local stack', () => {
  let stack: LocalStack;
  let api: LocalApi;

  beforeAll(async () => {
    // A data folder that persists: the CLI below opens it after this stack stops.
    stack = await LocalStack.start({ dataDir });
    await stack.upload(listLogFiles(logsDir));
    await stack.drain();
    expect(stack.deadLetters).toEqual({ ingest: 0, compaction: 0 });
    const runner = new LocalInvestigationRunner(await loadStageHandlers(), { retryIntervalMs: 10 });
    api = buildLocalApi({ runner });
    const client = inProcessDetectiveClient(api);
    const GraphArn = 'arn:aws:detective:us-east-1:000000000000:graph:00000000000000000000000000000000';
    const started = await client.send(new StartInvestigationCommand({ GraphArn, EntityArn: USER_ARN, ScopeStartTime: new Date(`${HOUR}:00:00Z`), ScopeEndTime: new Date(`${HOUR}:59:59Z`) }));
    investigationId = started.InvestigationId as string;
    await runner.wait(investigationId);
    const indicators: Indicator[] = (await client.send(new ListIndicatorsCommand({ GraphArn, InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', MaxResults: 100 }))).Indicators ?? [];
    launchIndex = indicators.findIndex((i) => i.IndicatorDetail?.TTPsObservedDetail?.APIName?.includes('RunInstances'));
    expect(launchIndex).toBeGreaterThanOrEqual(0);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('writes the header once and every raw RunInstances event once, from three API pages, bytes as the API gave them', async () => {
    const command: EvidenceCsvCommand = { investigationId, indicatorType: 'TTP_OBSERVED', index: launchIndex, kind: 'EVENTS' };
    const out = await collect(api, command);
    expect(out).toMatchObject({ rows: LAUNCHES, pages: 3, complete: true });
    const [header, ...rows] = parseCsv(out.text);
    expect(header).toEqual(EVENTS_HEADER);
    const ids = rows.map((r) => r[0]);
    expect(ids.length).toBe(LAUNCHES);
    expect(new Set(ids).size).toBe(LAUNCHES);
    expect([...ids].sort()).toEqual(rawLaunchIds().sort());
    // The crafted user agent is the API's cell: defused for spreadsheets, its control characters as logged.
    const crafted = rawRecords().find((r) => r.userAgent === CRAFTED_AGENT)!;
    expect(rows.find((r) => r[0] === crafted.eventID)![9]).toBe(`'${CRAFTED_AGENT}`);
    // As it came: the first page whole, then the others' rows (each page read here, straight from the API).
    let expected = '';
    let token: string | undefined;
    do {
      const body = { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: launchIndex, EvidenceKind: 'EVENTS', MaxResults: 50, ...(token ? { NextToken: token } : {}) };
      const page = await api({ method: 'POST', url: '/investigations/listIndicatorEvidence', headers: { 'content-type': 'application/json', accept: 'text/csv' }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' });
      expected += expected ? page.body.slice(page.body.indexOf('\r\n') + 2) : page.body;
      token = page.headers?.['x-next-token'] as string | undefined;
    } while (token);
    expect(out.text).toBe(expected);
  });

  it('on a terminal, shows control and bidi characters escaped, one line a row: the crafted cell fakes no row', async () => {
    const out = await collect(api, { investigationId, indicatorType: 'TTP_OBSERVED', index: launchIndex, kind: 'EVENTS' }, { terminal: true });
    const lines = out.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(1 + LAUNCHES);
    expect(lines.filter((line) => UNSAFE.test(line))).toEqual([]);
    expect(out.text).toContain(`"'=cmd|\\x1b[2J\\u202eevil\\x0d\\x0afake,row"`);
  });

  it('stops at the page bound and says so', async () => {
    const out = await collect(api, { investigationId, indicatorType: 'TTP_OBSERVED', index: launchIndex, kind: 'EVENTS' }, { maxPages: 2 });
    expect(out).toMatchObject({ rows: 100, pages: 2, complete: false });
    expect(parseCsv(out.text).length).toBe(101);
  });
});

describe('npm start -- evidence --csv', () => {
  it('writes the CSV alone to stdout (a pipe), status on stderr, and the same bytes to --out FILE', async () => {
    const base = ['evidence', investigationId, 'TTP_OBSERVED', '--index', String(launchIndex), '--csv', 'events', '--data', dataDir, '--logs', logsDir];
    const piped = await runCli(base);
    expect({ code: piped.code, stderr: piped.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`${LAUNCHES} events of TTP_OBSERVED #${launchIndex}`) });
    const [header, ...rows] = parseCsv(piped.stdout);
    expect(header).toEqual(EVENTS_HEADER);
    expect(rows.map((r) => r[0]).sort()).toEqual(rawLaunchIds().sort());
    // The whole of stdout is CSV: nothing after the last row.
    expect(piped.stdout.endsWith('\r\n')).toBe(true);

    const file = join(root, 'launches.csv');
    const saved = await runCli([...base, '--out', file]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`${LAUNCHES} events of TTP_OBSERVED #${launchIndex} written to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(piped.stdout);

    // An indicator that is not there: one line, exit 1, and no file (nor a partial one) left behind.
    const missing = await runCli([...base.slice(0, 3), '--index', '99', ...base.slice(5), '--out', join(root, 'missing.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n').pop()).toMatch(/^trailhound: ResourceNotFoundException: Investigation \d+ has no TTP_OBSERVED indicator at index 99\./);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(root).filter((name) => name.startsWith('missing'))).toEqual([]);
  });

  it('refuses a bad kind, flows of an indicator without flows, --out without --csv and --csv with --json: one line, exit 2, no stack', async () => {
    const id = '000000000000000000042';
    const cases: [string[], string][] = [
      [['--csv', 'both'], '--csv both: give events or flows'],
      [['--csv', 'flows'], '--csv flows is for FLAGGED_IP_ADDRESS indicators only: a TTP_OBSERVED indicator has no flow evidence'],
      [['--out', join(root, 'x.csv')], '--out needs --csv events|flows'],
      [['--csv', 'events', '--json'], 'give --csv or --json, not both'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(['evidence', id, 'TTP_OBSERVED', ...args, '--data', join(root, 'unused')])));
    for (const [i, run] of runs.entries()) {
      expect({ code: run.code, first: run.stderr.split('\n')[0], stdout: run.stdout }).toEqual({ code: 2, first: cases[i][1], stdout: '' });
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('evidence CSV of a flagged address: its flow rows', () => {
  it('pages every instance-hour of the attacker with web-1 once, as the raw flow lines count them', async () => {
    const sample = await loadSampleFlows();
    const role = `arn:aws:iam::${SAMPLE_ACCOUNT}:role/web-server-role`;
    const scope = { from: '2026-10-22T00:00:00.000Z', to: '2026-10-23T00:00:00.000Z' };
    const investigation: Investigation = {
      investigationId: '000000000000000000007',
      entityArn: role,
      entityType: 'IAM_ROLE',
      status: 'SUCCESSFUL',
      state: 'ACTIVE',
      severity: 'HIGH',
      createdTime: '2026-10-23T01:00:00.000Z',
      scopeStartTime: scope.from,
      scopeEndTime: scope.to,
    };
    const indicators: StoredIndicator[] = [{ IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: ATTACKER, Reason: 'AWS_THREAT_INTELLIGENCE' } } }];
    const route = sampleEvidenceRouter(sample, investigation, indicators);
    const api: LocalApi = (request) => route(toProxyEvent(request));

    const raw = sample.rows.filter((r) => sample.owners.get(r['interface-id']) === sample.web1 && (r.srcaddr === ATTACKER || r.dstaddr === ATTACKER) && hourOf(r) >= scope.from && hourOf(r) < scope.to);
    const expected = rawFlowEvidence(raw, ownAddresses(sample.rows), (r) => `${hourOf(r)}|${r['interface-id']}`);
    expect(expected.size).toBeGreaterThan(1);
    const fromRaw = [...expected]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, e]) => {
        const [hour, eni] = key.split('|');
        return [hour, sample.web1, eni, e.bytesIn, e.bytesOut, 0, e.packets, e.flows, e.rejected, [...e.ports].sort().join(' ')].map(String);
      });
    const command: EvidenceCsvCommand = { investigationId: investigation.investigationId, indicatorType: 'FLAGGED_IP_ADDRESS', index: 0, kind: 'FLOWS' };
    // A page a row: as many pages as instance-hours, the header once.
    const paged = await collect(api, command, { pageSize: 1 });
    expect(paged).toMatchObject({ rows: expected.size, pages: expected.size, complete: true });
    const [header, ...rows] = parseCsv(paged.text);
    expect(header).toEqual(FLOWS_HEADER);
    expect(rows).toEqual(fromRaw);
    // Pages of 50 (the command's own) give the same file in one page.
    const whole = await collect(api, command);
    expect(whole).toMatchObject({ pages: 1, text: paged.text });
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, each validated against the OpenAPI schemas in post() */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoDocumentClient } from '../../lambdas/adapters/aws-clients';
import { deliverGuardDutyEventsFromFile, type DeliveryReport } from '../../lambdas/guardduty-trigger/local-delivery';
import { TrailInstanceSessions } from '../../lambdas/queries/instance-sessions';
import { startApiServer, type ApiServer } from '../../local/http/server';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { recordScans } from '../helpers/no-scan';
import { expectSchema } from '../helpers/openapi-schemas';
import { RecordingRunner } from './fakes';
import { FIXTURES } from './fixtures';

/**
 * POST /graph/listFindings in local mode, on the findings `npm start -- --guardduty-events FILE` delivers: the
 * sample CloudTrail through the real pipeline, both fixture files through the real trigger, then the route
 * over HTTP. The expected findings are counted from the fixture files here (one per finding id, its latest
 * version), and which of them start an investigation from the raw finding (an IAM user or role with access
 * key details, or an EC2 instance with sessions in the trail, at or above the severity threshold).
 */
jest.setTimeout(300_000);

const SAMPLE = join(__dirname, '..', '..', 'examples', 'cloudtrail');
const FILES = [join(FIXTURES, 'incident-events.jsonl'), join(FIXTURES, 'ec2-findings.jsonl')];
const SCOPE = { ScopeStartTime: '2026-10-21T00:00:00Z', ScopeEndTime: '2026-10-23T00:00:00Z' };

interface RawFinding {
  id: string;
  type: string;
  severity: number;
  updatedAt: string;
  resource: { accessKeyDetails?: { userType?: string }; instanceDetails?: { instanceId?: string } };
}

/** The latest version of each finding of the fixture files, straight from their lines. */
function rawFindings(): RawFinding[] {
  const latest = new Map<string, RawFinding>();
  for (const file of FILES) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const detail = (JSON.parse(line) as { detail: RawFinding }).detail;
      const seen = latest.get(detail.id);
      if (!seen || seen.updatedAt < detail.updatedAt) latest.set(detail.id, detail);
    }
  }
  return [...latest.values()];
}

let stack: LocalStack;
let api: ApiServer;
let dataDir: string;
let scans: string[];
const reports: DeliveryReport[] = [];

async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fetch(`${api.url}/graph/listFindings`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (headers.accept === 'text/csv' && response.status === 200) return { status: response.status, body: undefined, text, headers: response.headers };
  const json = text ? JSON.parse(text) : undefined;
  if (response.status === 200) expectSchema('ListFindingsResponse', json);
  else expectSchema(response.status === 400 ? 'ValidationExceptionBody' : 'ErrorBody', json);
  return { status: response.status, body: json, text, headers: response.headers };
}

async function all(body: Record<string, unknown>): Promise<any[]> {
  const found: any[] = [];
  let NextToken: string | undefined;
  do {
    const page = await post({ ...body, ...(NextToken ? { NextToken } : {}) });
    expect(page.status).toBe(200);
    found.push(...page.body.Findings);
    NextToken = page.body.NextToken;
  } while (NextToken);
  return found;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trailhound-list-findings-'));
  stack = await LocalStack.start({ dataDir, inMemory: true });
  await stack.upload(listLogFiles(SAMPLE));
  await stack.drain();
  const runner = new RecordingRunner();
  for (const file of FILES) {
    reports.push(await deliverGuardDutyEventsFromFile(file, { runner, instanceSessions: new TrailInstanceSessions(stack.queries), minSeverity: 4, now: () => Date.parse('2026-10-23T00:00:00Z') }));
  }
  api = await startApiServer({ port: 0, runner });
  scans = recordScans(dynamoDocumentClient());
});

afterAll(async () => {
  await api?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => expect(scans).toEqual([]));

it('lists every finding delivered, once, newest first, with the investigation each started or why it started none', async () => {
  const raw = rawFindings();
  const listed = await all({ ...SCOPE });
  expect(listed.map((f) => f.FindingId).sort()).toEqual(raw.map((f) => f.id).sort());
  const times = listed.map((f) => f.UpdatedAt);
  expect([...times].sort().reverse()).toEqual(times);

  const started = new Map<string, string>();
  for (const report of reports) for (const r of report.results) if (r.delivered && r.outcome.outcome === 'started') started.set(r.outcome.findingId, r.outcome.investigationId);
  for (const f of raw) {
    const row = listed.find((l) => l.FindingId === f.id);
    expect(row).toMatchObject({ Type: f.type, Severity: f.severity, UpdatedAt: new Date(f.updatedAt).toISOString() });
    // Root and port probes name no investigable principal; the miner's instance has no session in the trail.
    const userType = f.resource.accessKeyDetails?.userType;
    const investigable = f.severity >= 4 && (userType === 'IAMUser' || userType === 'AssumedRole' || (f.resource.instanceDetails?.instanceId !== undefined && f.resource.instanceDetails.instanceId !== 'i-03f5f24e1dfcbe77b'));
    if (investigable) {
      expect(row.Outcome).toBe('STARTED');
      expect(row.InvestigationId).toBe(started.get(f.id));
      expect(row.Entity.EntityType).toMatch(/^IAM_(ROLE|USER)$/);
    } else {
      expect(row.Outcome).toBe('SKIPPED');
      expect(row.SkipReason).toEqual(expect.any(String));
      expect(row.InvestigationId).toBeUndefined();
    }
  }
});

it('pages with a NextToken bound to the request, each finding once', async () => {
  const raw = rawFindings();
  const paged = await all({ ...SCOPE, MaxResults: 2 });
  expect(paged.map((f) => f.FindingId)).toEqual((await all({ ...SCOPE })).map((f) => f.FindingId));
  expect(paged).toHaveLength(raw.length);
  const first = await post({ ...SCOPE, MaxResults: 2 });
  const reused = await post({ ...SCOPE, MaxResults: 2, FilterCriteria: { Outcome: { Value: 'SKIPPED' } }, NextToken: first.body.NextToken });
  expect(reused.status).toBe(400);
});

it('filters by severity band, type prefix and outcome', async () => {
  const raw = rawFindings();
  const high = await all({ ...SCOPE, FilterCriteria: { Severity: { Value: 'HIGH' } } });
  expect(high.map((f) => f.FindingId).sort()).toEqual(raw.filter((f) => f.severity >= 7 && f.severity < 9).map((f) => f.id).sort());
  const ec2 = await all({ ...SCOPE, FilterCriteria: { Type: { Value: 'UnauthorizedAccess:' } } });
  expect(ec2.map((f) => f.FindingId).sort()).toEqual(raw.filter((f) => f.type.startsWith('UnauthorizedAccess:')).map((f) => f.id).sort());
  const skipped = await all({ ...SCOPE, MaxResults: 1, FilterCriteria: { Outcome: { Value: 'SKIPPED' } } });
  const listed = await all({ ...SCOPE });
  expect(skipped.map((f) => f.FindingId)).toEqual(listed.filter((f) => f.Outcome === 'SKIPPED').map((f) => f.FindingId));
  expect(skipped.length).toBeGreaterThan(0);
});

it('lists only the findings updated within the scope', async () => {
  const raw = rawFindings();
  const scope = { ScopeStartTime: '2026-10-22T18:00:00Z', ScopeEndTime: '2026-10-22T18:40:00Z' };
  const listed = await all(scope);
  const inScope = raw.filter((f) => Date.parse(f.updatedAt) >= Date.parse(scope.ScopeStartTime) && Date.parse(f.updatedAt) <= Date.parse(scope.ScopeEndTime));
  expect(listed.map((f) => f.FindingId).sort()).toEqual(inScope.map((f) => f.id).sort());
  expect(inScope.length).toBeGreaterThan(0);
  expect(inScope.length).toBeLessThan(raw.length);
});

it('answers CSV on Accept: text/csv, one row per finding', async () => {
  const csv = await post({ ...SCOPE }, { accept: 'text/csv' });
  expect(csv.status).toBe(200);
  const lines = csv.text.trim().split('\r\n');
  expect(lines[0]).toBe('FindingId,Type,Severity,AccountId,Region,EntityType,EntityArn,UpdatedAt,Outcome,SkipReason,InvestigationId');
  expect(lines).toHaveLength(rawFindings().length + 1);
});

it.each([
  [{}, 'ScopeStartTime'],
  [{ ...SCOPE, ScopeEndTime: '2026-10-20T00:00:00Z' }, 'later than'],
  [{ ScopeStartTime: '2026-01-01T00:00:00Z', ScopeEndTime: '2026-10-23T00:00:00Z' }, '92 days'],
  [{ ...SCOPE, FilterCriteria: { Severity: { Value: 'SEVERE' } } }, 'enum'],
  [{ ...SCOPE, FilterCriteria: { Outcome: 'STARTED' } }, 'Outcome'],
  [{ ...SCOPE, MaxResults: 0 }, 'MaxResults'],
  [{ ...SCOPE, NextToken: 'forged.token' }, 'NextToken'],
])('refuses %j with a 400 ValidationException', async (body, says) => {
  const answer = await post(body);
  expect(answer.status).toBe(400);
  expect(answer.text).toContain(says);
});

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON answers, each validated against the OpenAPI schemas in post() */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildApiHandler, graphDependenciesFromEnv } from '../../lambdas/api/handler';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import { CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE } from '../../lambdas/core/analysis';
import { LOCAL_BUCKET } from '../../local/local-stack';
import { lambdaContext, toProxyEvent } from '../../local/http/proxy-event';
import { MAX_GROUPS } from '../../lambdas/core/graph/volume';
import { buildLocalApi } from '../../local/http/server';
import { evidenceLines, volumeLines } from '../../local/graph-commands';
import { expectSchema } from '../helpers/openapi-schemas';
import { corpusPipelineWithoutScans } from './corpus-pipeline';
import { looksLikeIp, rawApi, rawRecords, rawUserActivity, type RawRecord } from './raw-corpus';

/**
 * The graph routes on the real corpus, through the local HTTP server and through the Lambda handler. Every
 * expected value is computed from the raw records (gunzip + JSON.parse, raw-corpus.ts), never by our code.
 */
jest.setTimeout(240_000);

const ACCOUNT = '123837392027';
const BERT_JAN = `arn:aws:iam::${ACCOUNT}:user/bert-jan`;
const FROM = '2023-07-10T11:07:30.250Z';
const TO = '2023-07-10T12:41:10.000Z';

const corpus = corpusPipelineWithoutScans();

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; body: any }> {
  const response = await fetch(`${corpus().apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('application/json') && text ? JSON.parse(text) : undefined;
  // Every answer is the documented shape (openapi/trailhound-investigations.yaml).
  if (json && response.status === 200) expectSchema(path === '/graph/getApiCallVolume' ? 'GetApiCallVolumeResponse' : 'ListIndicatorEvidenceResponse', json);
  if (json && response.status >= 400) expectSchema(response.status === 400 ? 'ValidationExceptionBody' : 'ErrorBody', json);
  return { status: response.status, headers: response.headers, text, body: json };
}

/** bert-jan's own calls (as the IAM user subject keeps them), each eventID once. */
function bertJanOwn(from: string, to: string): RawRecord[] {
  const unique = new Map<string, RawRecord>();
  for (const r of rawRecords()) {
    // By user name, as rawUserActivity: a console sign-in's CheckMfa record names the user without its ARN.
    if (r.userIdentity.type !== 'IAMUser' || r.userIdentity.userName !== 'bert-jan' || r.eventType === 'AwsServiceEvent') continue;
    if (r.eventTime < from.slice(0, 19) || Date.parse(r.eventTime) < Date.parse(from) || Date.parse(r.eventTime) >= Date.parse(to)) continue;
    unique.set(r.eventID, r);
  }
  return [...unique.values()];
}

type Counts = Record<string, [number, number]>;
function countBy(records: readonly RawRecord[], key: (r: RawRecord) => string): Counts {
  const counts: Counts = {};
  for (const r of records) {
    const c = (counts[key(r)] ??= [0, 0]);
    if (r.errorCode) c[1]++;
    else c[0]++;
  }
  return counts;
}

const minuteOf = (r: RawRecord) => `${new Date(Math.floor(Date.parse(r.eventTime) / 60_000) * 60_000).toISOString()}`;
const seriesCounts = (series: { Time: string; SuccessCount: number; FailureCount: number }[]): Counts => Object.fromEntries(series.map((p) => [p.Time, [p.SuccessCount, p.FailureCount]]));

/** The busiest MAX_GROUPS groups, each exact, in order of calls then value; the rest counted. */
function expectGroups(body: { Groups: { Value: string; SuccessCount: number; FailureCount: number }[]; OtherGroupCount?: number }, counts: Counts): void {
  const busiest = Object.entries(counts)
    .sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_GROUPS);
  expect(body.Groups.map((g) => [g.Value, [g.SuccessCount, g.FailureCount]])).toEqual(busiest);
  expect(body.OtherGroupCount ?? 0).toBe(Math.max(0, Object.keys(counts).length - MAX_GROUPS));
}


describe('POST /graph/getApiCallVolume on the real corpus', () => {
  const request = { EntityType: 'IAM_USER', EntityId: BERT_JAN, ScopeStartTime: FROM, ScopeEndTime: TO, Granularity: 'MINUTE' };

  it("gives bert-jan's minute-level volume exactly, at millisecond edges", async () => {
    const expected = bertJanOwn(FROM, TO);
    expect(expected.length).toBeGreaterThan(50);
    const response = await post('/graph/getApiCallVolume', request);
    expect(response.status).toBe(200);
    expect(seriesCounts(response.body.Series)).toEqual(countBy(expected, minuteOf));
    expect(response.body.SuccessCount + response.body.FailureCount).toBe(expected.length);
    expect(response.body.FailureCount).toBe(expected.filter((r) => r.errorCode).length);
  });

  it('groups by API and by source IP, and drills down from an IP to its APIs', async () => {
    const expected = bertJanOwn(FROM, TO);
    const byApi = await post('/graph/getApiCallVolume', { ...request, GroupBy: 'API' });
    expectGroups(byApi.body, countBy(expected, rawApi));
    const byIp = await post('/graph/getApiCallVolume', { ...request, Granularity: 'HOUR', GroupBy: 'SOURCE_IP' });
    expectGroups(byIp.body, countBy(expected, (r) => r.sourceIPAddress));
    const ip = byIp.body.Groups[0].Value as string;
    const drill = await post('/graph/getApiCallVolume', { ...request, GroupBy: 'API', Filter: { SourceIp: ip } });
    expectGroups(drill.body, countBy(expected.filter((r) => r.sourceIPAddress === ip), rawApi));
    // Per-minute series of a group agree with the raw records too.
    const api = byApi.body.Groups[0];
    expect(seriesCounts(api.Series)).toEqual(countBy(expected.filter((r) => rawApi(r) === api.Value), minuteOf));
  });

  it('answers whole hours from minute counts the same as from events, and the account as a whole', async () => {
    const whole = { ...request, ScopeStartTime: '2023-07-10T11:00:00Z', ScopeEndTime: '2023-07-10T13:00:00Z', Granularity: 'HOUR' };
    const expected = bertJanOwn(whole.ScopeStartTime, whole.ScopeEndTime);
    const response = await post('/graph/getApiCallVolume', whole);
    expect(seriesCounts(response.body.Series)).toEqual(countBy(expected, (r) => `${r.eventTime.slice(0, 13)}:00:00.000Z`));
    const account = await post('/graph/getApiCallVolume', { ...whole, EntityType: 'AWS_ACCOUNT', EntityId: ACCOUNT, Granularity: 'DAY' });
    expect(account.status).toBe(200);
    expect(account.body.SuccessCount + account.body.FailureCount).toBeGreaterThanOrEqual(expected.length);
  });

  it('returns CSV for Accept: text/csv', async () => {
    const response = await post('/graph/getApiCallVolume', { ...request, GroupBy: 'API' }, { accept: 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.text.split('\r\n')[0]).toBe('Time,API,SuccessCount,FailureCount');
  });

  it('refuses bad input with a 4xx in Detective’s error shape', async () => {
    const bad: unknown[] = [
      { ...request, Granularity: 'SECOND' },
      { ...request, EntityId: 'arn:aws:iam::123:user/x' },
      { ...request, ScopeStartTime: '2023-07-09T00:00:00Z' },
      { ...request, ScopeEndTime: FROM },
      { ...request, GroupBy: 'API', EntityType: 'AWS_ACCOUNT', EntityId: ACCOUNT },
      { ...request, Filter: { Bogus: 1 } },
      { ...request, Extra: true },
      [],
    ];
    for (const body of bad) {
      const response = await post('/graph/getApiCallVolume', body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400]);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(typeof response.body.Message).toBe('string');
    }
  });
});

describe('POST /investigations/listIndicatorEvidence on the real corpus', () => {
  let investigationId: string;
  let ttps: any[];

  beforeAll(async () => {
    const run = await corpus().investigate(BERT_JAN);
    investigationId = run.investigation.InvestigationId as string;
    ttps = run.indicators.filter((i) => i.IndicatorType === 'TTP_OBSERVED');
  });

  /** The raw records a TTP indicator stands for: its API, its source, own calls or through the named session. */
  function rawEvidence(detail: any): string[] {
    const activity = rawUserActivity('bert-jan');
    const through = / Called through role (\S+) \(session (.+)\)\.$/.exec(detail.Procedure ?? '');
    const pool = through ? activity.chained.filter((c) => c.role === through[1] && c.record.userIdentity.arn?.endsWith(`/${through[2]}`)).map((c) => c.record) : activity.own;
    const from = Date.parse('2023-07-10T11:00:00Z');
    const to = Date.parse('2023-07-10T13:00:00Z');
    const ids = pool
      .filter((r) => rawApi(r) === detail.APIName && Date.parse(r.eventTime) >= from && Date.parse(r.eventTime) < to)
      .filter((r) => (detail.IpAddress ? r.sourceIPAddress === detail.IpAddress : !looksLikeIp(r.sourceIPAddress)))
      .filter((r) => detail.Procedure !== CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE || r.additionalEventData?.MFAUsed === 'No')
      .map((r) => r.eventID);
    return [...new Set(ids)].sort();
  }

  async function allEvidence(body: Record<string, unknown>): Promise<any[]> {
    const events: any[] = [];
    let NextToken: string | undefined;
    do {
      const page = await post('/investigations/listIndicatorEvidence', { ...body, MaxResults: 7, ...(NextToken ? { NextToken } : {}) });
      expect(page.status).toBe(200);
      events.push(...page.body.Events);
      NextToken = page.body.NextToken;
    } while (NextToken);
    return events;
  }

  it('lists exactly the raw events of a TTP indicator, each with its full record', async () => {
    const index = ttps.findIndex((t) => t.IndicatorDetail.TTPsObservedDetail.IpAddress && !/Called through/.test(t.IndicatorDetail.TTPsObservedDetail.Procedure));
    const detail = ttps[index].IndicatorDetail.TTPsObservedDetail;
    const events = await allEvidence({ InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: index });
    expect(events.map((e) => e.EventId).sort()).toEqual(rawEvidence(detail));
    expect(events.length).toBe(detail.APISuccessCount + detail.APIFailureCount);
    for (const event of events) {
      expect(event.RecordStatus).toBe('FOUND');
      expect(event.Record.eventID).toBe(event.EventId);
      expect(event.SourceIpAddress).toBe(detail.IpAddress);
    }
  });

  it('finds an indicator by a match on its detail, including calls made through a chained session', async () => {
    const chained = ttps.find((t) => /Called through/.test(t.IndicatorDetail.TTPsObservedDetail.Procedure));
    expect(chained).toBeDefined();
    const detail = chained.IndicatorDetail.TTPsObservedDetail;
    const events = await allEvidence({ InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', Match: { Api: detail.APIName, ...(detail.IpAddress ? { IpAddress: detail.IpAddress } : {}), Procedure: detail.Procedure } });
    expect(events.map((e) => e.EventId).sort()).toEqual(rawEvidence(detail));
  });

  it('returns CSV, escaping cells a spreadsheet would run as formulas', async () => {
    const response = await post('/investigations/listIndicatorEvidence', { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: 0 }, { accept: 'text/csv' });
    expect(response.status).toBe(200);
    const lines = response.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^EventId,EventTime,Api,/);
    expect(lines.slice(1).every((line) => !/(^|,)[=+\-@]/.test(line))).toBe(true);
  });

  it('refuses bad input with 4xx and Detective’s error shape', async () => {
    const cases: [unknown, number][] = [
      [{ InvestigationId: investigationId }, 400],
      [{ InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: -1 }, 400],
      [{ InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: 1, Match: { Api: 'x' } }, 400],
      [{ InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', NextToken: 'forged.token' }, 400],
      [{ InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: 99999 }, 404],
      [{ InvestigationId: '000000000000000000042', IndicatorType: 'TTP_OBSERVED' }, 404],
    ];
    for (const [body, status] of cases) {
      const response = await post('/investigations/listIndicatorEvidence', body);
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), status]);
      expect(response.headers.get('x-amzn-errortype')).toMatch(/Exception$/);
      expect(typeof response.body.Message).toBe('string');
    }
  });

  it('gives the same answer through the Lambda handler', async () => {
    const store = InvestigationStore.fromEnvironment();
    const handler = buildApiHandler({ store, tokenKeys: store, runner: { start: () => Promise.resolve() }, maxScopeDays: 30, graph: () => graphDependenciesFromEnv() });
    const body = { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: 0, MaxResults: 50 };
    const event = toProxyEvent({ method: 'POST', url: '/investigations/listIndicatorEvidence', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' });
    const result = (await handler(event, lambdaContext(event.requestContext.requestId))) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(200);
    const viaServer = await post('/investigations/listIndicatorEvidence', body);
    expect((JSON.parse(result.body) as { Events: unknown[] }).Events).toEqual(viaServer.body.Events);
    const volume = { EntityType: 'IAM_USER', EntityId: BERT_JAN, ScopeStartTime: FROM, ScopeEndTime: TO, Granularity: 'MINUTE' };
    const volumeEvent = toProxyEvent({ method: 'POST', url: '/graph/getApiCallVolume', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(volume)), sourceIp: '127.0.0.1' });
    const volumeResult = (await handler(volumeEvent, lambdaContext(volumeEvent.requestContext.requestId))) as APIGatewayProxyResult;
    expect(JSON.parse(volumeResult.body)).toEqual((await post('/graph/getApiCallVolume', volume)).body);
  });

  it('prints both through the CLI commands (same handler, in process)', async () => {
    const api = buildLocalApi({ runner: { start: () => Promise.resolve() } });
    const volume = await volumeLines(api, { entityType: 'IAM_USER', entityId: BERT_JAN, from: FROM, to: TO, granularity: 'HOUR', groupBy: 'SOURCE_IP', json: false });
    const expected = bertJanOwn(FROM, TO);
    expect(volume[1]).toBe(`  ${expected.filter((r) => !r.errorCode).length} succeeded, ${expected.filter((r) => r.errorCode).length} failed`);
    const evidence = await evidenceLines(api, { investigationId, indicatorType: 'TTP_OBSERVED', index: 0, json: true });
    expect((JSON.parse(evidence.join('\n')) as { Events: unknown[] }).Events.length).toBe(rawEvidence(ttps[0].IndicatorDetail.TTPsObservedDetail).length);
    await expect(volumeLines(api, { entityType: 'IAM_USER', entityId: 'bert-jan', from: FROM, to: TO, granularity: 'HOUR', json: false })).rejects.toThrow(/^ValidationException: /);
  });

  it('says per event when its log object was deleted, with no 5xx (run last: it deletes a fixture object)', async () => {
    const body = { InvestigationId: investigationId, IndicatorType: 'TTP_OBSERVED', IndicatorIndex: 0, MaxResults: 1 };
    const before = await post('/investigations/listIndicatorEvidence', body);
    const object = before.body.Events[0].LogObject;
    expect(object.Bucket).toBe(LOCAL_BUCKET);
    await corpus().s3.send(new DeleteObjectCommand({ Bucket: object.Bucket, Key: object.Key }));
    const after = await post('/investigations/listIndicatorEvidence', body);
    expect(after.status).toBe(200);
    expect(after.body.Events[0]).toEqual({ ...before.body.Events[0], RecordStatus: 'OBJECT_DELETED', Record: undefined });
  });
});

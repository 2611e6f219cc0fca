import { StartInvestigationCommand } from '@aws-sdk/client-detective';
import { parseCsv } from '../helpers/csv';
import { GRAPH_ARN, ROLE_ARN, hoursAgo, startHarness, type Harness } from './harness';

/** ListInvestigations and ListIndicators with Accept: text/csv: the JSON page's rows, formula cells neutralised. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

async function post(path: string, body: object, csv: boolean): Promise<{ type: string | null; text: string; json?: Record<string, unknown> }> {
  const response = await fetch(`${harness.server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(csv ? { accept: 'text/csv' } : {}) }, body: JSON.stringify(body) });
  const text = await response.text();
  expect(response.status).toBe(200);
  return { type: response.headers.get('content-type'), text, ...(csv ? {} : { json: JSON.parse(text) as Record<string, unknown> }) };
}

it('lists investigations and indicators as CSV, row for row the JSON page', async () => {
  const { InvestigationId } = await harness.detective.send(new StartInvestigationCommand({ GraphArn: GRAPH_ARN, EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(3), ScopeEndTime: hoursAgo(1) }));
  const id = InvestigationId as string;
  // An attacker-written user agent that a spreadsheet would run as a formula.
  const hostile = "=cmd|' /C calc'!A0";
  await harness.runner.complete(id, 'HIGH', [
    { IndicatorType: 'NEW_USER_AGENT', IndicatorDetail: { NewUserAgentDetail: { UserAgent: hostile, IsNewForEntireAccount: true } } },
    { IndicatorType: 'TTP_OBSERVED', IndicatorDetail: { TTPsObservedDetail: { Tactic: 'Discovery', Technique: 'T1087', APIName: 'iam:ListUsers', IpAddress: '198.51.100.7', APISuccessCount: 1, APIFailureCount: 0 } } },
  ]);

  const json = (await post('/investigations/listInvestigations', { GraphArn: GRAPH_ARN }, false)).json as { InvestigationDetails: Record<string, string>[] };
  const csv = await post('/investigations/listInvestigations', { GraphArn: GRAPH_ARN }, true);
  expect(csv.type).toBe('text/csv; charset=utf-8');
  const header = ['InvestigationId', 'Severity', 'Status', 'State', 'CreatedTime', 'EntityArn', 'EntityType'];
  expect(parseCsv(csv.text)).toEqual([header, ...json.InvestigationDetails.map((d) => header.map((column) => String(d[column])))]);

  const indicators = (await post('/investigations/listIndicators', { GraphArn: GRAPH_ARN, InvestigationId: id }, false)).json as { Indicators: { IndicatorType: string; IndicatorDetail: object }[] };
  expect(indicators.Indicators).toHaveLength(2);
  const rows = parseCsv((await post('/investigations/listIndicators', { GraphArn: GRAPH_ARN, InvestigationId: id }, true)).text);
  expect(rows[0]).toEqual(['InvestigationId', 'IndicatorType', 'IndicatorDetail']);
  expect(rows.slice(1).map(([investigation, type, detail]) => [investigation, type, JSON.parse(detail as string)])).toEqual(indicators.Indicators.map((i) => [id, i.IndicatorType, i.IndicatorDetail]));
  for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  expect(rows.some((row) => row[2]?.includes(hostile))).toBe(true);
});

import type { APIGatewayProxyResult } from 'aws-lambda';
import { createRouter } from '../../lambdas/api/router';
import type { ApiDependencies } from '../../lambdas/api/operations';
import type { ProfileDependencies } from '../../lambdas/api/graph/dependencies';
import { parseGetSummary } from '../../lambdas/core/graph/requests';
import { toProxyEvent } from '../../local/http/proxy-event';
import { expectSchema } from '../helpers/openapi-schemas';

/**
 * POST /graph/getSettings tells a client the retention before it asks for a scope: the earliest start it gives
 * is exactly where the graph routes' own check starts refusing (parseGetSummary, the summary's window picker's
 * route), one millisecond either side.
 */
const NOW = Date.parse('2026-11-30T12:34:56.789Z');
const RETENTION_DAYS = 90;

const profiles = { retentionDays: RETENTION_DAYS, maxScopeDays: 30, now: () => NOW } as unknown as ProfileDependencies;
const deps = { store: {}, tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32)) }, runner: {}, maxScopeDays: 30, now: () => NOW, profiles: () => profiles } as unknown as ApiDependencies;
const route = createRouter(deps);

function post(body: string): Promise<APIGatewayProxyResult> {
  return route(toProxyEvent({ method: 'POST', url: '/graph/getSettings', headers: { 'content-type': 'application/json' }, body: Buffer.from(body), sourceIp: '127.0.0.1' }));
}

describe('POST /graph/getSettings', () => {
  it('gives the retention, and the earliest start the summary accepts', async () => {
    const result = await post('{}');
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as { RetentionDays: number; EarliestScopeStartTime: string; MaxScopeDays: number; SummaryMaxHours: number; Now: string };
    expectSchema('GetSettingsResponse', body);
    expect(body).toEqual({ RetentionDays: 90, EarliestScopeStartTime: '2026-09-01T12:34:56.789Z', MaxScopeDays: 30, SummaryMaxHours: 24, Now: '2026-11-30T12:34:56.789Z' });
    const earliest = Date.parse(body.EarliestScopeStartTime);
    const summary = (start: number) => () => parseGetSummary({ ScopeStartTime: new Date(start).toISOString(), ScopeEndTime: new Date(start + 3_600_000).toISOString() }, { nowMillis: NOW, retentionDays: RETENTION_DAYS, maxScopeDays: 30 });
    expect(summary(earliest)).not.toThrow();
    expect(summary(earliest - 1)).toThrow(/retention/);
  });

  it('accepts a GraphArn, and refuses anything else with a ValidationException', async () => {
    expect((await post(JSON.stringify({ GraphArn: 'arn:aws:detective:us-east-1:111122223333:graph:0123456789abcdef' }))).statusCode).toBe(200);
    for (const body of ['[]', '"x"', JSON.stringify({ Retention: 1 }), JSON.stringify({ GraphArn: 7 }), '{']) {
      const result = await post(body);
      expect([body, result.statusCode]).toEqual([body, 400]);
      expect(result.headers?.['x-amzn-ErrorType']).toMatch(/^ValidationException/);
    }
  });
});

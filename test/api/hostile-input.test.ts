import { request } from 'node:http';
import { ListInvestigationsCommand } from '@aws-sdk/client-detective';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import { MAX_REQUEST_BODY_BYTES } from '../../lambdas/api/http';
import { API_GATEWAY_MAX_BODY_BYTES, API_GATEWAY_MAX_HEADER_BYTES, LAMBDA_MAX_EVENT_BYTES } from '../../local/http/server';
import { GRAPH_ARN, ROLE_ARN, hoursAgo, rawPost, startHarness, type Harness } from './harness';

/**
 * Bad input is normal input: hostile bodies, headers and tokens through the local HTTP server (the Lambda
 * handler behind API Gateway's limits) get a 4xx with a bounded body, never a 5xx.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

const LIST = '/investigations/listInvestigations';

describe('hostile bodies', () => {
  it('answers a 5,000-level nested value with 400, not 500', async () => {
    const deep = `{"GraphArn":${'['.repeat(5000)}5${']'.repeat(5000)}}`;
    for (const path of ['/investigations/getInvestigation', '/investigations/startInvestigation', LIST]) {
      const response = await rawPost(h.server, path, deep);
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-ErrorType')).toBe('ValidationException');
      expect((response.body as { Message: string }).Message).toContain('deeper than 32 levels');
    }
  });

  it('still reports a value nested within the limit, shortened', async () => {
    const response = await rawPost(h.server, '/investigations/getInvestigation', `{"InvestigationId":${'['.repeat(30)}${']'.repeat(30)}}`);
    expect(response.status).toBe(400);
    expect((response.body as { Message: string }).Message).toContain("Value [[[...]]] at 'InvestigationId' failed to satisfy constraint: Member must be a string");
  });

  it('keeps the error body small for as many unknown members with long names as the size limit allows', async () => {
    const body = `{${Array.from({ length: 300 }, (_, i) => `"${'k'.repeat(40)}${i}":1`).join(',')}}`;
    expect(body.length).toBeLessThanOrEqual(MAX_REQUEST_BODY_BYTES);
    const response = await rawPost(h.server, LIST, body);
    expect(response.status).toBe(400);
    expect(response.text.length).toBeLessThan(4096);
    expect((response.body as { Message: string }).Message).toMatch(/^300 validation errors detected: .*; and 290 more$/);
  });

  it('echoes an unknown path clipped', async () => {
    const response = await rawPost(h.server, `/investigations/${'p'.repeat(9000)}`, '{}');
    expect(response.status).toBe(404);
    expect(response.text.length).toBeLessThan(300);
  });

  /** A 413 in Detective's error shape, typed for the SDKs, the same whichever limit refused the body. */
  function expectTooLarge(response: { status: number; headers: Headers; body: unknown }): void {
    expect(response.status).toBe(413);
    expect(response.headers.get('x-amzn-ErrorType')).toBe('RequestEntityTooLargeException');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body).toEqual({ Message: `The request body must not be larger than ${MAX_REQUEST_BODY_BYTES} bytes.` });
  }

  it('accepts a body of MAX_REQUEST_BODY_BYTES and refuses one byte more with a typed 413', async () => {
    expect((await rawPost(h.server, LIST, `{}${' '.repeat(MAX_REQUEST_BODY_BYTES - 2)}`)).status).toBe(200);
    expectTooLarge(await rawPost(h.server, LIST, `{}${' '.repeat(MAX_REQUEST_BODY_BYTES - 1)}`));
    // Counted in bytes, not characters: 'é' is two bytes in UTF-8.
    expectTooLarge(await rawPost(h.server, LIST, JSON.stringify({ NextToken: 'é'.repeat(MAX_REQUEST_BODY_BYTES / 2) })));
  });

  it('refuses a body between Lambda’s 6 MB invocation payload and API Gateway’s 10 MB with the same 413', async () => {
    expectTooLarge(await rawPost(h.server, LIST, `{}${' '.repeat(LAMBDA_MAX_EVENT_BYTES)}`));
    expectTooLarge(await rawPost(h.server, LIST, `{}${' '.repeat(API_GATEWAY_MAX_BODY_BYTES - 2)}`));
  });

  it('refuses a body over API Gateway’s 10 MB with the same 413', async () => {
    expectTooLarge(await rawPost(h.server, LIST, ' '.repeat(API_GATEWAY_MAX_BODY_BYTES + 1)));
  });

  it('refuses headers over API Gateway’s 10,240 bytes with a typed 431', async () => {
    const answer = await new Promise<{ status?: number; type?: string | string[] }>((resolve, reject) => {
      const call = request(`${h.server.url}${LIST}`, { method: 'POST', headers: { 'x-padding': 'p'.repeat(API_GATEWAY_MAX_HEADER_BYTES) } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode, type: response.headers['x-amzn-errortype'] });
      });
      call.on('error', reject);
      call.end('{}');
    });
    expect(answer).toEqual({ status: 431, type: 'RequestHeaderFieldsTooLargeException' });
  });
});

describe('forged NextTokens', () => {
  it('are checked against one key per deployment, drawn once and shared by every instance', async () => {
    const instances = [InvestigationStore.fromEnvironment(), InvestigationStore.fromEnvironment(), InvestigationStore.fromEnvironment()];
    const keys = await Promise.all(instances.map((store) => store.tokenKey()));
    expect(keys[0]).toHaveLength(32);
    expect(new Set(keys.map((key) => Buffer.from(key).toString('hex'))).size).toBe(1);
    // Not a constant: another deployment (another table) draws another key.
    expect(Buffer.from(keys[0]).toString('hex')).not.toBe('00'.repeat(32));
  });

  it('refuses a token re-encoded with its expiry moved to the year 3000', async () => {
    for (let i = 0; i < 2; i++) await rawPost(h.server, '/investigations/startInvestigation', JSON.stringify({ EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(3).toISOString(), ScopeEndTime: hoursAgo(2).toISOString() }));
    const first = await h.detective.send(new ListInvestigationsCommand({ GraphArn: GRAPH_ARN, MaxResults: 1 }));
    const [payload, mac] = first.NextToken!.split('.');
    const envelope = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { e: number };
    envelope.e = Date.parse('3000-01-01T00:00:00Z') / 1000;
    const forged = `${Buffer.from(JSON.stringify(envelope)).toString('base64url')}.${mac}`;
    const response = await rawPost(h.server, LIST, JSON.stringify({ GraphArn: GRAPH_ARN, MaxResults: 1, NextToken: forged }));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ Message: 'The NextToken is invalid.' });
    // The genuine token still works.
    expect((await rawPost(h.server, LIST, JSON.stringify({ GraphArn: GRAPH_ARN, MaxResults: 1, NextToken: first.NextToken }))).status).toBe(200);
  });
});

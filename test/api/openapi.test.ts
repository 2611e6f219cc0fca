import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { MAX_REQUEST_BODY_BYTES } from '../../lambdas/api/http';
import { ROUTES } from '../../lambdas/api/router';
import { ENTITY_ARN_PATTERN } from '../../lambdas/core/investigation/arns';
import { GRAPH_ARN, ROLE_ARN, hoursAgo, rawPost, startHarness, type Harness } from './harness';

/**
 * Keeps openapi/trailhound-investigations.yaml honest: its routes are the router's, and real responses
 * (successes and each kind of error, fetched over raw HTTP) validate against its schemas. Request schemas
 * are checked against the parsers' behavior on a few bodies too.
 */
interface OpenApiOperation {
  operationId: string;
  requestBody: { content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<string, { $ref?: string; content?: { 'application/json': { schema: { $ref: string } } } }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }> };
}

const document = parse(readFileSync(join(__dirname, '../../openapi/trailhound-investigations.yaml'), 'utf8')) as OpenApiDocument;

// The component schemas as one JSON Schema document (OpenAPI 3.1 schemas are JSON Schema 2020-12).
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(JSON.parse(JSON.stringify({ $id: 'trailhound', $defs: document.components.schemas }).replaceAll('#/components/schemas/', 'trailhound#/$defs/')) as object);

function schemaOf(ref: string): ValidateFunction {
  const validate = ajv.getSchema(ref.replace('#/components/schemas/', 'trailhound#/$defs/'));
  if (!validate) throw new Error(`no schema ${ref}`);
  return validate;
}

function operation(path: string): OpenApiOperation {
  return document.paths[path].post;
}

/** Validates a raw response against the schema the document gives for its status code. */
function expectDocumented(path: string, response: { status: number; headers: Headers; body: unknown }): void {
  const documented = operation(path).responses[String(response.status)];
  expect(documented).toBeDefined();
  const content = documented.$ref ? document.components.responses[documented.$ref.split('/').pop()!].content : documented.content;
  if (!content) {
    expect(response.body).toBeUndefined();
    return;
  }
  const validate = schemaOf(content['application/json'].schema.$ref);
  if (!validate(response.body)) throw new Error(`${path} ${response.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`);
  if (response.status >= 400) expect(response.headers.get('x-amzn-errortype')).toBe(documented.$ref!.split('/').pop());
}

function expectValidRequest(path: string, body: unknown, valid: boolean): void {
  const validate = schemaOf(operation(path).requestBody.content['application/json'].schema.$ref);
  expect(validate(body)).toBe(valid);
}

describe('OpenAPI document', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.stop();
  });

  it('describes exactly the routes the router serves, with the SDK operation names', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort());
    expect(Object.values(document.paths).map((p) => p.post.operationId)).toEqual(['StartInvestigation', 'GetInvestigation', 'ListInvestigations', 'ListIndicators', 'UpdateInvestigationState', 'ListIndicatorEvidence', 'ListPermissionEvidence', 'GetApiCallVolume', 'SearchEntities', 'ListRelatedEntities', 'GetEntityProfile', 'GetSummary', 'GetPermissions', 'ListFindings', 'GetFlowVolume', 'GetSettings', 'GetNetworkReport']);
  });

  it('documents the EntityArn pattern the API enforces', () => {
    expect((document.components.schemas.EntityArn as { pattern: string }).pattern).toBe(ENTITY_ARN_PATTERN.source);
  });

  it('matches real success responses', async () => {
    const start = { GraphArn: GRAPH_ARN, EntityArn: ROLE_ARN, ScopeStartTime: hoursAgo(4).toISOString(), ScopeEndTime: hoursAgo(1).toISOString() };
    expectValidRequest('/investigations/startInvestigation', start, true);
    const started = await rawPost(h.server, '/investigations/startInvestigation', JSON.stringify(start));
    expectDocumented('/investigations/startInvestigation', started);
    const id = (started.body as { InvestigationId: string }).InvestigationId;
    await h.runner.complete(id, 'LOW', [
      { IndicatorType: 'IMPOSSIBLE_TRAVEL', IndicatorDetail: { ImpossibleTravelDetail: { StartingIpAddress: '198.51.100.1', EndingIpAddress: '203.0.113.9', StartingLocation: 'Paris', EndingLocation: 'Sydney', HourlyTimeDelta: 1 } } },
      { IndicatorType: 'RELATED_FINDING', IndicatorDetail: { RelatedFindingDetail: { Arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f', Type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', IpAddress: '203.0.113.9' } } },
    ]);

    expectDocumented('/investigations/getInvestigation', await rawPost(h.server, '/investigations/getInvestigation', JSON.stringify({ GraphArn: GRAPH_ARN, InvestigationId: id })));
    const listRequest = { GraphArn: GRAPH_ARN, MaxResults: 1, FilterCriteria: { Severity: { Value: 'LOW' } }, SortCriteria: { Field: 'SEVERITY', SortOrder: 'ASC' } };
    expectValidRequest('/investigations/listInvestigations', listRequest, true);
    expectDocumented('/investigations/listInvestigations', await rawPost(h.server, '/investigations/listInvestigations', JSON.stringify(listRequest)));
    const indicators = await rawPost(h.server, '/investigations/listIndicators', JSON.stringify({ InvestigationId: id, MaxResults: 1 }));
    expectDocumented('/investigations/listIndicators', indicators);
    expect((indicators.body as { NextToken?: string }).NextToken).toBeDefined();
    const update = await rawPost(h.server, '/investigations/updateInvestigationState', JSON.stringify({ InvestigationId: id, State: 'ARCHIVED' }));
    expect(update.text).toBe('');
    expectDocumented('/investigations/updateInvestigationState', update);
  });

  it('matches real error responses, which are never 5xx for bad input', async () => {
    const cases: [string, string, number][] = [
      ['/investigations/startInvestigation', '{"EntityArn": ', 400],
      ['/investigations/startInvestigation', '[]', 400],
      ['/investigations/startInvestigation', JSON.stringify({ EntityArn: ROLE_ARN, ScopeStartTime: 'x', ScopeEndTime: 'y', Bogus: 1 }), 400],
      ['/investigations/getInvestigation', '', 400],
      ['/investigations/getInvestigation', JSON.stringify({ InvestigationId: '000000000000000000042' }), 404],
      ['/investigations/listInvestigations', JSON.stringify({ NextToken: 'eyJ2IjoxfQ' }), 400],
      ['/investigations/listIndicators', JSON.stringify({ InvestigationId: '000000000000000000042' }), 404],
      ['/investigations/updateInvestigationState', JSON.stringify({ InvestigationId: '000000000000000000042', State: 'ACTIVE' }), 404],
      ['/investigations/updateInvestigationState', JSON.stringify({ InvestigationId: 42, State: 'ACTIVE' }), 400],
      ['/investigations/listInvestigations', JSON.stringify({ NextToken: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }), 413],
      ['/investigations/listIndicatorEvidence', JSON.stringify({ InvestigationId: '000000000000000000042', IndicatorType: 'TTP_OBSERVED' }), 404],
      ['/investigations/listIndicatorEvidence', JSON.stringify({ InvestigationId: '000000000000000000042', IndicatorType: 'NOPE' }), 400],
      ['/graph/getApiCallVolume', JSON.stringify({ EntityType: 'IAM_ROLE', EntityId: ROLE_ARN, ScopeStartTime: 'x', ScopeEndTime: 'y', Granularity: 'HOUR' }), 400],
      ['/graph/getApiCallVolume', JSON.stringify({ EntityType: 'AWS_ACCOUNT', EntityId: '1', ScopeStartTime: hoursAgo(3).toISOString(), ScopeEndTime: hoursAgo(1).toISOString(), Granularity: 'MINUTE' }), 400],
      ['/graph/getEntityProfile', JSON.stringify({ EntityType: 'IP_ADDRESS', EntityId: 'not-an-ip', ScopeStartTime: hoursAgo(2).toISOString(), ScopeEndTime: hoursAgo(1).toISOString() }), 400],
      ['/graph/getEntityProfile', JSON.stringify({ EntityType: 'IAM_ROLE', EntityId: 'arn:aws:iam::111122223333:user/alice', ScopeStartTime: hoursAgo(2).toISOString(), ScopeEndTime: hoursAgo(1).toISOString() }), 400],
      ['/graph/getSummary', JSON.stringify({ ScopeStartTime: hoursAgo(30).toISOString(), ScopeEndTime: hoursAgo(1).toISOString() }), 400],
      ['/graph/getSummary', '{', 400],
      ['/graph/getSettings', JSON.stringify({ Bogus: 1 }), 400],
      ['/graph/getSettings', '{}', 200],
    ];
    for (const [path, body, status] of cases) {
      const response = await rawPost(h.server, path, body);
      expect([path, body, response.status]).toEqual([path, body, status]);
      expectDocumented(path, response);
    }
    expectValidRequest('/investigations/startInvestigation', { EntityArn: ROLE_ARN, ScopeStartTime: 'x', ScopeEndTime: 'y', Bogus: 1 }, false);
  });

  it('answers unknown routes and methods with a Detective-style 404', async () => {
    for (const [path, method] of [
      ['/investigations/deleteInvestigation', 'POST'],
      ['/investigations/getInvestigation', 'GET'],
      ['/', 'POST'],
    ]) {
      const response = await rawPost(h.server, path, '{}', method);
      expect(response.status).toBe(404);
      expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
      expect(schemaOf('#/components/schemas/ErrorBody')(response.body)).toBe(true);
    }
  });

  it('reads base64-encoded bodies, as API Gateway sends binary media types', async () => {
    const body = Buffer.from(JSON.stringify({ InvestigationId: '000000000000000000042' }));
    const response = await fetch(`${h.server.url}/investigations/getInvestigation`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body });
    expect(response.status).toBe(404);
  });
});

import { Match } from 'aws-cdk-lib/assertions';
import { ACTIVITY_TABLE, FINDINGS_TABLE, INDICATORS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import { errorResponse, requestTooLarge } from '../../lambdas/api/http';
import { ROUTES } from '../../lambdas/api/router';
import { API_ROUTES, API_STAGE_NAME, API_THROTTLING } from '../../lib/investigation-api';

const ROUTE_PATHS = API_ROUTES.map(({ resource, operation }) => `/${resource}/${operation}`);
import { actionsOf, actionsOn, arnOf, isBaselineDigestStatement, functionResource, functionStatements, indexArnOf, logicalId, resourcesOf, synth, type Synthesized } from './synth';
import { geoEnvironment } from '../../lib/investigation-state-machine';

type ApiResource = { Properties: { ParentId: { Ref: string } | { 'Fn::GetAtt': [string, string] }; PathPart: string } };
type ApiMethod = {
  Properties: {
    HttpMethod: string;
    AuthorizationType: string;
    ResourceId: { Ref: string };
    Integration: { Type: string; IntegrationHttpMethod: string; Uri: unknown };
  };
};

/** Every API Gateway resource path, rebuilt from the PathPart/ParentId chain, by logical id. */
function resourcePaths(synthesized: Synthesized): Map<string, string> {
  const resources = synthesized.template.findResources('AWS::ApiGateway::Resource') as Record<string, ApiResource>;
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const resource = resources[id];
    if (!resource) return ''; // the root resource (Fn::GetAtt RestApi.RootResourceId)
    const parent = resource.Properties.ParentId;
    const path = `${'Ref' in parent ? pathOf(parent.Ref) : ''}/${resource.Properties.PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const id of Object.keys(resources)) pathOf(id);
  return paths;
}

function methods(synthesized: Synthesized): ApiMethod[] {
  return Object.values(synthesized.template.findResources('AWS::ApiGateway::Method')) as ApiMethod[];
}

describe('investigation API', () => {
  let synthesized: Synthesized;
  let apiFunctionId: string;
  beforeAll(() => {
    synthesized = synth();
    apiFunctionId = logicalId(synthesized.stack.investigationApi.function);
  });

  it('serves exactly the listed operations (Detective’s and the graph routes), as POST on explicit resources', () => {
    const paths = resourcePaths(synthesized);
    expect([...paths.values()].sort()).toEqual(['/graph', '/investigations', ...ROUTE_PATHS].sort());
    // No greedy or parameter resources: API Gateway itself refuses every other path.
    for (const path of paths.values()) expect(path).not.toMatch(/[{}]/);
    const routes = methods(synthesized).map((method) => `${method.Properties.HttpMethod} ${paths.get(method.Properties.ResourceId.Ref)}`);
    expect(routes.sort()).toEqual(ROUTE_PATHS.map((path) => `POST ${path}`).sort());
  });

  it('answers a body over API Gateway’s 10 MB with the handler’s own typed 413', () => {
    const handlers413 = errorResponse(requestTooLarge(), 'any');
    synthesized.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'REQUEST_TOO_LARGE',
      StatusCode: '413',
      ResponseParameters: { 'gatewayresponse.header.x-amzn-ErrorType': "'RequestEntityTooLargeException'" },
      ResponseTemplates: { 'application/json': handlers413.body },
    });
  });

  it('matches the routes the handler serves', () => {
    expect(ROUTE_PATHS.map((path) => `POST ${path}`).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('requires AWS_IAM authorization on every method', () => {
    const all = methods(synthesized);
    expect(all).toHaveLength(API_ROUTES.length);
    for (const method of all) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('proxies every method to the API function', () => {
    for (const method of methods(synthesized)) {
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
      expect(method.Properties.Integration.IntegrationHttpMethod).toBe('POST');
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(JSON.stringify(arnOf(apiFunctionId)));
    }
  });

  it('lets API Gateway invoke the function only through the five methods of the prod stage', () => {
    const permissions = Object.values(synthesized.template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: arnOf(apiFunctionId) } })) as Array<{
      Properties: { Principal: string; SourceArn: unknown };
    }>;
    expect(permissions).toHaveLength(API_ROUTES.length);
    const sources = permissions.map((permission) => JSON.stringify(permission.Properties.SourceArn));
    for (const permission of permissions) expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    for (const path of ROUTE_PATHS) expect(sources.filter((source) => source.includes(`/POST${path}"`))).toHaveLength(1);
    // Only the deployed stage: no permission for console test invocations (test-invoke-stage).
    const stageRef = JSON.stringify({ Ref: logicalId(synthesized.stack.investigationApi.api.deploymentStage) });
    for (const source of sources) {
      expect(source).toMatch(new RegExp(`${stageRef.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},"/POST/(investigations|graph)/`));
      expect(source).not.toContain('test-invoke-stage');
    }
  });

  it('logs every request to its own log group and throttles the stage', () => {
    const accessLogsId = logicalId(synthesized.stack.investigationApi.accessLogs);
    const stage = Object.values(synthesized.template.findResources('AWS::ApiGateway::Stage')) as Array<{ Properties: Record<string, unknown> }>;
    expect(stage).toHaveLength(1);
    const props = stage[0].Properties as {
      StageName: string;
      AccessLogSetting: { DestinationArn: unknown; Format: string };
      MethodSettings: Array<Record<string, unknown>>;
    };
    expect(props.StageName).toBe(API_STAGE_NAME);
    expect(JSON.stringify(props.AccessLogSetting.DestinationArn)).toContain(`{"Ref":"${accessLogsId}"}`);
    // The caller's identity is what the access log is for.
    expect(JSON.parse(props.AccessLogSetting.Format)).toMatchObject({ userArn: '$context.identity.userArn', status: '$context.status', resourcePath: '$context.resourcePath' });
    expect(props.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: API_THROTTLING.rateLimit,
        ThrottlingBurstLimit: API_THROTTLING.burstLimit,
        LoggingLevel: 'OFF',
        DataTraceEnabled: false,
      }),
    ]);
  });

  it('sets the account CloudWatch Logs role that access logging needs, and keeps it with the stack deleted', () => {
    synthesized.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    synthesized.template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    const stageDependsOn = Object.values(synthesized.template.findResources('AWS::ApiGateway::Stage'))[0].DependsOn as string[];
    expect(stageDependsOn).toEqual(Object.keys(synthesized.template.findResources('AWS::ApiGateway::Account')));
  });

  it('leaves the account setting alone with apiGatewayCloudWatchRole=false, still logging access', () => {
    const { template } = synth({ apiGatewayCloudWatchRole: 'false' });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() } });
  });

  it('gives the function its tables, the state machine and the retention, and no scope limit by default', () => {
    const { stack } = synthesized;
    expect(functionResource(synthesized, stack.investigationApi.function).Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(functionResource(synthesized, stack.investigationApi.function).Properties.Environment.Variables).toEqual({
      INVESTIGATIONS_TABLE: { Ref: logicalId(stack.table(INVESTIGATIONS_TABLE)) },
      INDICATORS_TABLE: { Ref: logicalId(stack.table(INDICATORS_TABLE)) },
      ACTIVITY_TABLE: { Ref: logicalId(stack.table(ACTIVITY_TABLE)) },
      SESSIONS_TABLE: { Ref: logicalId(stack.table(SESSIONS_TABLE)) },
      // Related findings of a profile, as the RelatedFindings stage reads them.
      FINDINGS_TABLE: { Ref: logicalId(stack.table(FINDINGS_TABLE)) },
      INDEX_BUCKET: { Ref: logicalId(stack.activityStore.indexBucket) },
      RETENTION_DAYS: '365',
      STATE_MACHINE_ARN: { Ref: logicalId(stack.investigation.stateMachine) },
      NODE_OPTIONS: '--enable-source-maps',
      // The address profile's geolocation: the databases shipped in the bundle, as the geolocating stages have them.
      ...geoEnvironment(),
    });
    expect(Object.keys(geoEnvironment()).sort()).toEqual(['GEOIP_ASN_DB', 'GEOIP_CITY_DB']);
  });

  it('passes investigationMaxScopeDays on as INVESTIGATION_MAX_SCOPE_DAYS', () => {
    const limited = synth({ investigationMaxScopeDays: '14' });
    expect(functionResource(limited, limited.stack.investigationApi.function).Properties.Environment.Variables.INVESTIGATION_MAX_SCOPE_DAYS).toBe('14');
  });

  it('may put, get, update and query investigations (with every listing index), query indicators, start the state machine, and read activity and log objects, nothing else', () => {
    const { stack } = synthesized;
    const statements = functionStatements(synthesized, stack.investigationApi.function);
    const investigations = logicalId(stack.table(INVESTIGATIONS_TABLE));
    const crud = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
    expect(actionsOn(statements, arnOf(investigations))).toEqual(crud);
    for (const index of INVESTIGATIONS_TABLE.globalSecondaryIndexes) expect(actionsOn(statements, indexArnOf(investigations, index.indexName))).toEqual(crud);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(INDICATORS_TABLE))))).toEqual(['dynamodb:Query']);
    expect(actionsOn(statements, { Ref: logicalId(stack.investigation.stateMachine) })).toEqual(['states:StartExecution']);
    // The graph routes: keyed reads of activity and sessions (no Scan, no index), events and log objects.
    const activity = arnOf(logicalId(stack.table(ACTIVITY_TABLE)));
    expect(actionsOn(statements.filter((s) => !s.Condition), activity)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    // getNetworkReport stores baseline digests: PutItem of `flow-eni-day#` keys only, nothing else of the table.
    expect(actionsOn(statements.filter((s) => s.Condition), activity)).toEqual(['dynamodb:PutItem']);
    expect(statements.filter((s) => s.Condition && actionsOn([s], activity).length > 0).every(isBaselineDigestStatement)).toBe(true);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(SESSIONS_TABLE))))).toEqual(['dynamodb:Query']);
    // Related findings: Query of the findings' index, BatchGetItem of the findings it names; no write, no Scan.
    const findings = logicalId(stack.table(FINDINGS_TABLE));
    expect(actionsOn(statements, arnOf(findings))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    for (const index of FINDINGS_TABLE.globalSecondaryIndexes) expect(actionsOn(statements, indexArnOf(findings, index.indexName))).toEqual(['dynamodb:Query']);
    // (CDK merges statements with the same actions, so only the set of actions is stable.)
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([...crud, 'dynamodb:BatchGetItem', 's3:GetObject', 's3:ListBucket', 'states:StartExecution'].sort());
    expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    // No threat-intel list configured: no THREAT_INTEL_S3_URIS, and no object outside the stack's buckets.
    expect(functionResource(synthesized, stack.investigationApi.function).Properties.Environment.Variables).not.toHaveProperty('THREAT_INTEL_S3_URIS');
    // The table, each of its indexes, the indicators table, the state machine, activity, sessions, events, log
    // objects, log bucket; the findings table (twice: Query and BatchGetItem) and each of its indexes; activity
    // again for the baseline digests' conditional PutItem.
    expect(statements.flatMap(resourcesOf)).toHaveLength(3 + INVESTIGATIONS_TABLE.globalSecondaryIndexes.length + 5 + 2 + FINDINGS_TABLE.globalSecondaryIndexes.length + 1);
  });

  it('gives the function the threat-intel URIs of threatIntelS3Uris, as FlaggedIps gets them, and s3:GetObject on exactly those objects', () => {
    const withLists = synth({ threatIntelS3Uris: 's3://acme-intel/lists/tor.txt,s3://acme-intel/lists/c2.txt' });
    const fn = withLists.stack.investigationApi.function;
    const uris = functionResource(withLists, fn).Properties.Environment.Variables.THREAT_INTEL_S3_URIS;
    expect(uris).toBe('s3://acme-intel/lists/tor.txt,s3://acme-intel/lists/c2.txt');
    expect(uris).toBe(functionResource(withLists, withLists.stack.investigation.stageFunctions.FlaggedIps).Properties.Environment.Variables.THREAT_INTEL_S3_URIS);
    const lists = functionStatements(withLists, fn).filter((s) => JSON.stringify(s).includes('acme-intel'));
    expect(lists).toHaveLength(1);
    expect(actionsOf(lists[0])).toEqual(['s3:GetObject']);
    // Object ARNs, not a prefix or the bucket: nothing else in the bucket is readable.
    // (CDK merges it with the other GetObject grants: events and log objects.)
    const intelResources = resourcesOf(lists[0]).filter((resource) => JSON.stringify(resource).includes('acme-intel')).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(intelResources).toEqual(['lists/c2.txt', 'lists/tor.txt'].map((key) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::acme-intel/${key}`]] })));
  });

  it('outputs the endpoint for Detective clients, without a trailing slash, and no other endpoint', () => {
    const outputs = synthesized.template.toJSON().Outputs as Record<string, { Value: { 'Fn::Join': [string, unknown[]] } }>;
    expect(Object.keys(outputs).filter((key) => /Endpoint/.test(key))).toEqual(['InvestigationApiEndpoint']);
    const parts = outputs.InvestigationApiEndpoint.Value['Fn::Join'][1];
    expect(parts[0]).toBe('https://');
    expect(parts).toContainEqual({ Ref: logicalId(synthesized.stack.investigationApi.api) });
    expect(parts[parts.length - 1]).toEqual({ Ref: logicalId(synthesized.stack.investigationApi.api.deploymentStage) });
    synthesized.template.hasOutput('InvestigationApiId', { Value: { Ref: logicalId(synthesized.stack.investigationApi.api) } });
  });
});

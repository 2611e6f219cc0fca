import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { tooLargeResponse } from '../lambdas/api/http';
import { ACTIVITY_TABLE, FINDINGS_TABLE, INDEX_BUCKET_ENV, INDICATORS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../lambdas/shared/table-design';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ActivityStore } from './activity-store';
import type { LogSource } from './log-source';
import type { DataTables } from './data-tables';
import { s3Uri, type S3ObjectLocation } from './config';
import { MAX_SCOPE_DAYS_ENV, STATE_MACHINE_ARN_ENV, THREAT_INTEL_S3_URIS_ENV } from './environment-names';
import { ApiWebAcl, headersBesidesContentType } from './api-web-acl';
import { geoCommandHooks, geoEnvironment } from './investigation-state-machine';
import { acknowledgeNag } from './nag';
import { trailhoundFunction } from './node-function';
import { grantBaselineDigestWrites, grantTableActions } from './table-grants';
import { BASELINE_DIGEST_PREFIX } from '../lambdas/core/flowlogs/baseline-digest';

/**
 * The operations of Detective's Investigation API, under the paths the AWS SDKs send them to (`POST
 * /investigations/<operation>`, REST-JSON protocol). Each one is an explicit API Gateway resource, with no
 * `{proxy+}`: any other path or method is refused by API Gateway before it reaches (or bills) the function.
 * lambdas/api/router.ts serves the same list; test/cdk/investigation-api.test.ts checks that they agree.
 */
export const INVESTIGATION_OPERATIONS = ['startInvestigation', 'getInvestigation', 'listInvestigations', 'listIndicators', 'updateInvestigationState', 'listIndicatorEvidence', 'listPermissionEvidence'] as const;

/** The graph routes (`POST /graph/<operation>`), in Detective's style, on the same API and function. */
export const GRAPH_OPERATIONS = ['getApiCallVolume', 'searchEntities', 'listRelatedEntities', 'getEntityProfile', 'getSummary', 'getPermissions', 'listFindings', 'getFlowVolume', 'getSettings', 'getNetworkReport'] as const;

/** Every route as `<parent resource>/<operation>`: a new route is one entry in one of the lists above. */
export const API_ROUTES: readonly { resource: 'investigations' | 'graph'; operation: string }[] = [
  ...INVESTIGATION_OPERATIONS.map((operation) => ({ resource: 'investigations' as const, operation })),
  ...GRAPH_OPERATIONS.map((operation) => ({ resource: 'graph' as const, operation })),
];

/** The stage name is part of the endpoint URL (the OpenAPI document's `{stage}`). */
export const API_STAGE_NAME = 'prod';

/**
 * Stage-wide throttling (steady requests per second, and burst). Investigations are started by people and by
 * the GuardDuty trigger, not by traffic: these limits only stop a runaway script from running up DynamoDB
 * and Step Functions bills. Callers get 429, which the AWS SDKs retry with backoff.
 */
export const API_THROTTLING = { rateLimit: 25, burstLimit: 50 } as const;

export interface InvestigationApiProps {
  readonly tables: DataTables;
  readonly stateMachine: sfn.IStateMachine;
  /** The graph routes read compacted activity (tables and index bucket) ... */
  readonly activityStore: ActivityStore;
  /** ... and, for evidence, the log objects themselves. */
  readonly logSource: LogSource;
  /**
   * Threat-intel lists the IP address profile checks an address against (the FlaggedIps stage's lists): the
   * function gets their URIs and s3:GetObject on exactly those objects.
   * @default [] (no list: no address is flagged)
   */
  readonly threatIntelLists?: readonly S3ObjectLocation[];
  /** Longest accepted investigation scope in days; the handler's default (30) when undefined. */
  readonly maxScopeDays?: number;
  /**
   * Whether to set the account's API Gateway CloudWatch Logs role (AWS::ApiGateway::Account). API Gateway
   * refuses a stage with access logging unless the account, in that region, has one.
   */
  readonly cloudWatchRole: boolean;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /**
   * Whether an AWS WAF web ACL on the stage answers 413 to request bodies over the handler's limit
   * (MAX_REQUEST_BODY_BYTES) before Lambda is invoked (see ApiWebAcl). Without it, a body between Lambda's 6 MB
   * invocation payload and API Gateway's 10 MB limit gets a 5xx. It costs $6 a month plus $0.60 per million
   * requests (unsigned ones included).
   * @default true
   */
  readonly webAcl?: boolean;
}

/**
 * Detective's Investigation API on API Gateway (REST API, Lambda proxy integration to one function).
 *
 * Every method requires AWS_IAM authorization: callers sign requests with Signature Version 4 for the service
 * `execute-api` in the API's region, and need `execute-api:Invoke` on
 * `arn:aws:execute-api:<region>:<account>:<api id>/prod/POST/investigations/*` (or on single operations,
 * e.g. to allow ListInvestigations but not StartInvestigation). Unsigned requests are refused by API Gateway.
 *
 * Detective SDK clients work unchanged with two settings: the endpoint (the `InvestigationApiEndpoint` output,
 * without a trailing slash; the SDK appends `/investigations/<operation>` to its path) and the signing name,
 * because a Detective client signs for `detective` by default and API Gateway only accepts `execute-api`:
 *
 *     new DetectiveClient({ region, endpoint: 'https://<api id>.execute-api.<region>.amazonaws.com/prod', signingName: 'execute-api' })
 *
 * Without an SDK: `curl --aws-sigv4 "aws:amz:<region>:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
 * -H "x-amz-security-token: $AWS_SESSION_TOKEN" -H 'content-type: application/json' -d '{}' <endpoint>/investigations/listInvestigations`.
 */
export class InvestigationApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly function: NodejsFunction;
  /** One JSON line per request: the record of who called the API (CloudTrail does not log execute-api requests). */
  readonly accessLogs: logs.LogGroup;
  /** The base URL Detective clients use as `endpoint`: `https://<id>.execute-api.<region>.<suffix>/prod`, no trailing slash. */
  readonly endpoint: string;
  /** Undefined with `webAcl: false`. */
  readonly webAcl?: ApiWebAcl;

  constructor(scope: Construct, id: string, props: InvestigationApiProps) {
    super(scope, id);
    const { tables } = props;
    const threatIntel = props.threatIntelLists ?? [];

    this.function = trailhoundFunction(new Construct(this, 'Handler'), {
      description: "Trailhound: Detective's Investigation API (API Gateway proxy integration)",
      entry: 'lambdas/api/handler.ts',
      // A page is at most 100 small items (every listing is an index Query); the memory mainly buys CPU (Lambda
      // allots CPU in proportion), which keeps cold starts and TLS handshakes short.
      memorySize: 512,
      // API Gateway's integration timeout: running longer would only compute an answer nobody receives.
      timeout: Duration.seconds(29),
      removalPolicy: props.removalPolicy,
      environment: {
        ...tables.environmentFor([INVESTIGATIONS_TABLE, INDICATORS_TABLE, ACTIVITY_TABLE, SESSIONS_TABLE, FINDINGS_TABLE]),
        [INDEX_BUCKET_ENV]: props.activityStore.indexBucket.bucketName,
        ...(threatIntel.length > 0 ? { [THREAT_INTEL_S3_URIS_ENV]: threatIntel.map(s3Uri).join(',') } : {}),
        [STATE_MACHINE_ARN_ENV]: props.stateMachine.stateMachineArn,
        ...(props.maxScopeDays !== undefined ? { [MAX_SCOPE_DAYS_ENV]: String(props.maxScopeDays) } : {}),
        // The address profile's geolocation and autonomous system: the same offline databases as the stages.
        ...geoEnvironment(),
      },
      commandHooks: geoCommandHooks(),
    });

    // Exactly what lambdas/adapters/investigations/investigation-store.ts does for the API: a conditional put
    // (start; the NextToken key on first use), strongly consistent gets, conditional updates (state; FAILED when
    // the start fails), and queries of the listing indexes (list). Indicators are only listed, by key.
    grantTableActions(this.function, tables, INVESTIGATIONS_TABLE, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'], 'all');
    grantTableActions(this.function, tables, INDICATORS_TABLE, ['dynamodb:Query']);
    // The graph routes (lambdas/queries/entity-calls.ts, trail-queries.ts): Query of a subject's hours and GetItem of
    // an account-hour's manifest; Query of session packs and pointers. Never Scan, and no index.
    grantTableActions(this.function, tables, ACTIVITY_TABLE, ['dynamodb:GetItem', 'dynamodb:Query']);
    // getNetworkReport stores the baseline digests it builds (a conditional PutItem of `flow-eni-day#` keys only).
    grantBaselineDigestWrites(this.function, tables, ACTIVITY_TABLE, BASELINE_DIGEST_PREFIX);
    grantTableActions(this.function, tables, SESSIONS_TABLE, ['dynamodb:Query']);
    // Related findings of a profile (lambdas/adapters/findings/queries.ts, as the RelatedFindings stage reads
    // them): Query of the byEntity index (an entity's findings, and the lookup items of its IPs and keys), then
    // BatchGetItem of the findings those lookups name. Never Scan, and never a write.
    grantTableActions(this.function, tables, FINDINGS_TABLE, ['dynamodb:Query'], ['byEntity']);
    grantTableActions(this.function, tables, FINDINGS_TABLE, ['dynamodb:BatchGetItem']);
    // The list of findings (POST /graph/listFindings, lambdas/adapters/findings/listing.ts): Query of the byDay index.
    grantTableActions(this.function, tables, FINDINGS_TABLE, ['dynamodb:Query'], ['byDay']);
    // The IP profile's threat-intel flag reads exactly the configured list objects, nothing else in their buckets.
    if (threatIntel.length > 0) {
      const partition = Stack.of(this).partition;
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: threatIntel.map((list) => `arn:${partition}:s3:::${list.bucket}/${list.key}`) }));
    }
    // Ranged GETs of the compacted events; evidence reads records back from the log objects (GetObject under the
    // log prefix; ListBucket so that a deleted object is a 404, reported per event, not a 403).
    props.activityStore.grantReadEvents(this.function);
    props.logSource.grantReadLogs(this.function);
    if (this.function.role) props.logSource.acknowledgeReadLogsWildcard(this.function.role);
    // StartExecution on this state machine only (CDK scopes the grant to its ARN).
    props.stateMachine.grantStartExecution(this.function);

    // Access logs are the only record of who called the API: CloudTrail does not log execute-api requests.
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: props.removalPolicy });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-investigations`,
      description: "Trailhound: Detective's Investigation API (AWS_IAM authorization)",
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // Every method, including any added later, requires a SigV4-signed request.
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      cloudWatchRole: props.cloudWatchRole,
      // The account setting outlives the stack: other APIs in the account may have started to rely on it.
      ...(props.cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        throttlingRateLimit: API_THROTTLING.rateLimit,
        throttlingBurstLimit: API_THROTTLING.burstLimit,
        metricsEnabled: true,
        // Execution logging (and data tracing) stays off: it would write request and response bodies to logs.
        loggingLevel: apigateway.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
      },
    });

    // The handler validates request bodies and answers with Detective's error shapes, which SDK clients turn
    // into typed exceptions; an API Gateway request validator would answer with its own shape instead.
    const integration = new apigateway.LambdaIntegration(this.function, {
      proxy: true,
      // No extra permission for the console's test invocations, which bypass IAM authorization.
      allowTestInvoke: false,
    });
    const parents = { investigations: this.api.root.addResource('investigations'), graph: this.api.root.addResource('graph') };
    for (const { resource, operation } of API_ROUTES) {
      const method = parents[resource].addResource(operation).addMethod('POST', integration, {
        // Repeated on purpose: the authorization of these methods must not depend on a default elsewhere.
        authorizationType: apigateway.AuthorizationType.IAM,
        operationName: operation.charAt(0).toUpperCase() + operation.slice(1),
      });
      acknowledgeNag(
        method,
        'AwsSolutions-COG4',
        "AWS_IAM authorization (SigV4) instead of a Cognito user pool: Detective's SDK clients sign their requests, and callers are IAM principals granted execute-api:Invoke per operation.",
      );
    }

    // A body over API Gateway's 10 MB limit is refused before the function, with the handler's own 413 for a
    // body over MAX_REQUEST_BODY_BYTES (the header lets AWS SDKs raise a typed error; the local server answers
    // the same). Header values of gateway responses are quoted literals.
    const tooLarge = tooLargeResponse();
    this.api.addGatewayResponse('RequestTooLarge', {
      type: apigateway.ResponseType.REQUEST_TOO_LARGE,
      statusCode: String(tooLarge.statusCode),
      responseHeaders: Object.fromEntries(Object.entries(headersBesidesContentType(tooLarge)).map(([name, value]) => [name, `'${value}'`])),
      templates: { 'application/json': tooLarge.body },
    });

    // Bodies over the handler's limit (up to API Gateway's 10 MB) get the same 413 from a web ACL, before Lambda.
    if (props.webAcl ?? true) this.webAcl = new ApiWebAcl(this, 'WebAcl', { stage: this.api.deploymentStage });
    this.acknowledgeNagFindings(props);

    // RestApi adds an `Endpoint` output ending in `/`: as a Detective client endpoint it makes the SDK request
    // `/prod//investigations/…`, which matches no resource. The stack outputs `endpoint` instead.
    this.api.node.tryRemoveChild('Endpoint');

    const stack = Stack.of(this);
    this.endpoint = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${this.api.deploymentStage.stageName}`;
  }

  private acknowledgeNagFindings(props: InvestigationApiProps): void {
    acknowledgeNag(
      this.api,
      'AwsSolutions-APIG2',
      "The handler validates every body and answers with Detective's error shapes, which SDK clients turn into typed exceptions; an API Gateway validator would answer with its own shape instead.",
    );
    if (!this.webAcl) {
      acknowledgeNag(
        this.api.deploymentStage,
        'AwsSolutions-APIG3',
        'The web ACL is turned off (apiWebAcl=false), to save its $6 a month: every method still requires SigV4-signed requests (AWS_IAM) and stage throttling caps signed callers; only a body between 6 and 10 MB then gets a 5xx instead of a 413.',
      );
    }
    acknowledgeNag(
      this.api.deploymentStage,
      'AwsSolutions-APIG6',
      'Execution logging stays off: the access log records every request (caller, operation, status), the function logs failures with the request id, and execution logs would go to a log group API Gateway creates outside the stack, without retention.',
    );
    const cloudWatchRole = props.cloudWatchRole ? this.api.node.tryFindChild('CloudWatchRole') : undefined;
    if (cloudWatchRole) {
      acknowledgeNag(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "The account's API Gateway logging role (apiGatewayCloudWatchRole=false to leave it alone) uses the policy AWS documents for it: API Gateway writes to log groups of any API in the account and region.",
      );
    }
  }
}

/** One JSON object per request: who called (the signing principal), what, and how it ended. No bodies. */
function accessLogFormat(): apigateway.AccessLogFormat {
  const F = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: F.contextRequestId(),
      requestTime: F.contextRequestTime(),
      userArn: F.contextIdentityUserArn(),
      accountId: F.contextIdentityAccountId(),
      sourceIp: F.contextIdentitySourceIp(),
      userAgent: F.contextIdentityUserAgent(),
      httpMethod: F.contextHttpMethod(),
      resourcePath: F.contextResourcePath(),
      status: F.contextStatus(),
      responseLength: F.contextResponseLength(),
      responseLatency: F.contextResponseLatency(),
      integrationStatus: F.contextIntegrationStatus(),
      errorType: F.contextErrorResponseType(),
      errorMessage: F.contextErrorMessage(),
      // WAF_BLOCK for a request the web ACL refused (its 413 never reached the function); empty without one.
      wafResponseCode: F.contextWafResponseCode(),
    }),
  );
}

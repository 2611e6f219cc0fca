import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvestigationStore } from '../adapters/investigations/investigation-store';
import { StepFunctionsRunner } from '../adapters/investigations/sfn-runner';
import { dynamoDocumentClient, s3 } from '../adapters/aws-clients';
import { EventsStore } from '../adapters/events-store';
import { recordsAt } from '../adapters/log-records';
import { FlowQueries, dynamoFlowItems } from '../queries/flow-queries';
import { TrailQueries, indexBucketFromEnv, tableNamesFromEnv } from '../queries/trail-queries';
import type { GraphDependencies } from './graph-operations';
import { ApiError } from '../core/investigation/errors';
import { maxScopeDays } from '../shared/config';
import { loggedHandler, stringField, type LoggedHandler } from '../shared/lambda-logging';
import { errorMessage, log } from '../shared/log';

// Re-exported for the callers that configure the API (local server, CDK names).
export { MAX_SCOPE_DAYS_ENV, maxScopeDays } from '../shared/config';
import { bodyText, errorResponse } from './http';
import type { ApiDependencies } from './operations';
import { createRouter } from './router';

/**
 * The investigations API Lambda (API Gateway REST proxy integration; AWS_IAM authorization is enforced by
 * API Gateway, so requests reaching here are trusted). One function serves the five routes.
 */
export type ApiHandler = LoggedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;

/**
 * The correlation id of a request: the investigation it names (every operation but start and list), else
 * API Gateway's request id, which is also in the access log and in the response's x-amzn-RequestId.
 */
export function apiCorrelationId(event: APIGatewayProxyEvent): string | undefined {
  return investigationIdOfBody(event) ?? stringField(event?.requestContext, 'requestId');
}

function investigationIdOfBody(event: APIGatewayProxyEvent): string | undefined {
  const raw = event?.body;
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    // bodyText refuses a body over the API's limit before anything parses it.
    return stringField(JSON.parse(bodyText(event)), 'investigationId');
  } catch {
    // The router answers the bad body; the request id correlates its lines.
    return undefined;
  }
}

/**
 * The handler over given dependencies, or a factory called on the first request (so a missing variable
 * fails that request, logged, rather than the module import). The local HTTP server uses this same function.
 */
export function buildApiHandler(deps: ApiDependencies | (() => ApiDependencies)): ApiHandler {
  let router: ReturnType<typeof createRouter> | undefined;
  return loggedHandler<APIGatewayProxyEvent, APIGatewayProxyResult>({ name: 'investigations-api', correlationId: apiCorrelationId }, async (event) => {
    try {
      router ??= createRouter(typeof deps === 'function' ? deps() : deps);
    } catch (error) {
      // A deployment mistake (e.g. a missing variable): answer like the service would, and log the cause.
      log.error('API dependencies could not be built', { error: errorMessage(error) });
      return errorResponse(new ApiError('InternalServerException', 'The service is misconfigured.'), event.requestContext?.requestId ?? 'unknown');
    }
    return router(event);
  });
}

export function productionDependencies(env: NodeJS.ProcessEnv = process.env): ApiDependencies {
  const store = InvestigationStore.fromEnvironment(env);
  return { store, tokenKeys: store, runner: StepFunctionsRunner.fromEnvironment(env), maxScopeDays: maxScopeDays(env), graph: () => graphDependenciesFromEnv(env) };
}

/** The graph routes' reads: the Activity and Sessions tables, the index bucket, and the log objects (evidence). */
export function graphDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): GraphDependencies {
  const tables = tableNamesFromEnv(env);
  const queries = new TrailQueries(dynamoDocumentClient(), tables, new EventsStore(s3(), indexBucketFromEnv(env)));
  const flows = new FlowQueries(dynamoFlowItems(dynamoDocumentClient(), tables.activity));
  return { queries, flows, recordsAt: (objectKey, positions) => recordsAt(s3(), objectKey, positions) };
}

export const handler = buildApiHandler(() => productionDependencies());

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, notFound } from '../core/investigation/errors';
import { InvestigationNotFoundError } from '../core/investigation/ports';
import { errorMessage, log } from '../shared/log';
import { CsvDocument, acceptsCsv } from '../core/graph/csv';
import { csvResponse, errorResponse, jsonResponse, parseBody } from './http';
import { GraphApi, type RequestOptions } from './graph-operations';
import { EntityGraphApi } from './graph/entity-graph-api';
import { getEntityProfile } from './graph/entity-profile';
import { getSummary } from './graph/summary';
import { getPermissions, permissionsDependenciesOf } from './graph/permissions';
import { listFindings } from './graph/list-findings';
import { getSettings } from './graph/settings';
import { getNetworkReport } from './graph/network-report';
import { InvestigationApi, type ApiDependencies } from './operations';
import { asCsvIf, indicatorsCsv, investigationsCsv } from './listing-csv';

/**
 * Routes of Detective's Investigation API (method and path exactly as the official clients send them) and
 * the translation of every failure into a Detective-style error: a client mistake is always a 4xx.
 */
interface Apis {
  investigations: InvestigationApi;
  graph: GraphApi;
  entities: EntityGraphApi;
}
type Operation = (apis: Apis, body: unknown, options: RequestOptions) => Promise<object | undefined>;

export const ROUTES: Readonly<Record<string, Operation>> = {
  'POST /investigations/startInvestigation': ({ investigations }, body) => investigations.startInvestigation(body),
  'POST /investigations/getInvestigation': ({ investigations }, body) => investigations.getInvestigation(body),
  'POST /investigations/listInvestigations': ({ investigations }, body, options) => asCsvIf(investigations.listInvestigations(body), options, investigationsCsv),
  'POST /investigations/listIndicators': ({ investigations }, body, options) => asCsvIf(investigations.listIndicators(body), options, indicatorsCsv),
  'POST /investigations/updateInvestigationState': ({ investigations }, body) => investigations.updateInvestigationState(body),
  'POST /investigations/listIndicatorEvidence': ({ graph }, body, options) => graph.listIndicatorEvidence(body, options),
  'POST /investigations/listPermissionEvidence': ({ graph }, body) => graph.listPermissionEvidence(body),
  // The graph routes (lib/investigation-api.ts GRAPH_OPERATIONS lists them for API Gateway): one line each.
  'POST /graph/getApiCallVolume': ({ graph }, body, options) => graph.getApiCallVolume(body, options),
  'POST /graph/getFlowVolume': ({ graph }, body, options) => graph.getFlowVolume(body, options),
  'POST /graph/searchEntities': ({ entities }, body, options) => entities.searchEntities(body, options),
  'POST /graph/listRelatedEntities': ({ entities }, body, options) => entities.listRelatedEntities(body, options),
  'POST /graph/getEntityProfile': ({ investigations }, body) => getEntityProfile(investigations.profiles(), body),
  'POST /graph/getSummary': ({ investigations }, body) => getSummary(investigations.profiles(), body),
  'POST /graph/getPermissions': ({ investigations }, body) => getPermissions(permissionsDependenciesOf(investigations.profiles()), body),
  'POST /graph/listFindings': ({ investigations }, body, options) => listFindings(investigations.findingList(), body, options),
  'POST /graph/getSettings': ({ investigations }, body) => Promise.resolve(getSettings(investigations.profiles(), body)),
  'POST /graph/getNetworkReport': ({ investigations }, body) => getNetworkReport(investigations.profiles(), body),
};

/** The Accept header, whatever its case (API Gateway passes header names as the client sent them). */
function acceptHeader(event: APIGatewayProxyEvent): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) if (name.toLowerCase() === 'accept' && typeof value === 'string') return value;
  return undefined;
}

/** DynamoDB and Step Functions throttling errors: the caller should back off, as from Detective's 429. */
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'ExecutionLimitExceeded']);

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof InvestigationNotFoundError) return notFound(error.message);
  const name = (error as { name?: string } | undefined)?.name;
  if (name && THROTTLING.has(name)) return new ApiError('TooManyRequestsException', 'Too many requests; retry with backoff.');
  return new ApiError('InternalServerException', 'The request failed because of an internal error.');
}

function routePath(event: APIGatewayProxyEvent): string {
  // A trailing slash is the same resource; query strings are not part of `path` in proxy events.
  const path = event.path.length > 1 ? event.path.replace(/\/+$/, '') : event.path;
  return `${event.httpMethod.toUpperCase()} ${path}`;
}

export function createRouter(deps: ApiDependencies): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const apis: Apis = { investigations: new InvestigationApi(deps), graph: new GraphApi(deps), entities: new EntityGraphApi(deps) };
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    const route = routePath(event);
    try {
      const operation = ROUTES[route];
      // The path is echoed clipped, like every other input (it may be as long as the request line allows).
      if (!operation) throw notFound(`No operation is served at ${route.length > 128 ? `${route.slice(0, 125)}...` : route}.`);
      const result = await operation(apis, parseBody(event), { csv: acceptsCsv(acceptHeader(event)) });
      return result instanceof CsvDocument ? csvResponse(result, requestId) : jsonResponse(200, result, requestId);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.statusCode >= 500) log.error('request failed', { route, requestId, error: errorMessage(error) });
      else log.debug('request rejected', { route, requestId, type: apiError.type, message: apiError.message });
      return errorResponse(apiError, requestId);
    }
  };
}

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, notFound } from '../core/investigation/errors';
import { InvestigationNotFoundError } from '../core/investigation/ports';
import { errorMessage, log } from '../shared/log';
import { getEntityProfile } from './graph/entity-profile';
import { getSummary } from './graph/summary';
import { errorResponse, jsonResponse, parseBody } from './http';
import { InvestigationApi, type ApiDependencies } from './operations';

/**
 * Routes of Detective's Investigation API (method and path exactly as the official clients send them) and
 * the translation of every failure into a Detective-style error: a client mistake is always a 4xx.
 */
type Operation = (api: InvestigationApi, body: unknown) => Promise<object | undefined>;

export const ROUTES: Readonly<Record<string, Operation>> = {
  'POST /investigations/startInvestigation': (api, body) => api.startInvestigation(body),
  'POST /investigations/getInvestigation': (api, body) => api.getInvestigation(body),
  'POST /investigations/listInvestigations': (api, body) => api.listInvestigations(body),
  'POST /investigations/listIndicators': (api, body) => api.listIndicators(body),
  'POST /investigations/updateInvestigationState': (api, body) => api.updateInvestigationState(body),
  'POST /graph/getEntityProfile': (api, body) => getEntityProfile(api.graph(), body),
  'POST /graph/getSummary': (api, body) => getSummary(api.graph(), body),
};

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
  const api = new InvestigationApi(deps);
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    const route = routePath(event);
    try {
      const operation = ROUTES[route];
      // The path is echoed clipped, like every other input (it may be as long as the request line allows).
      if (!operation) throw notFound(`No operation is served at ${route.length > 128 ? `${route.slice(0, 125)}...` : route}.`);
      return jsonResponse(200, await operation(api, parseBody(event)), requestId);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.statusCode >= 500) log.error('request failed', { route, requestId, error: errorMessage(error) });
      else log.debug('request rejected', { route, requestId, type: apiError.type, message: apiError.message });
      return errorResponse(apiError, requestId);
    }
  };
}

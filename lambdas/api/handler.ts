import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { InvestigationStore } from '../adapters/investigations/investigation-store';
import { StepFunctionsRunner } from '../adapters/investigations/sfn-runner';
import { ApiError } from '../core/investigation/errors';
import { maxScopeDays } from '../shared/config';
import { errorMessage, log } from '../shared/log';

// Re-exported for the callers that configure the API (local server, CDK names).
export { MAX_SCOPE_DAYS_ENV, maxScopeDays } from '../shared/config';
import { errorResponse } from './http';
import type { ApiDependencies } from './operations';
import { createRouter } from './router';

/**
 * The investigations API Lambda (API Gateway REST proxy integration; AWS_IAM authorization is enforced by
 * API Gateway, so requests reaching here are trusted). One function serves the five routes.
 */
export type ApiHandler = middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

/**
 * The handler over given dependencies, or a factory called on the first request (so a missing variable
 * fails that request, logged, rather than the module import). The local HTTP server uses this same function.
 */
export function buildApiHandler(deps: ApiDependencies | (() => ApiDependencies)): ApiHandler {
  let router: ReturnType<typeof createRouter> | undefined;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().handler(async (event) => {
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
  return { store, tokenKeys: store, runner: StepFunctionsRunner.fromEnvironment(env), maxScopeDays: maxScopeDays(env) };
}

export const handler = buildApiHandler(() => productionDependencies());

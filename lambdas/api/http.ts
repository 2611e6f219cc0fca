import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { validationError, type ApiError } from '../core/investigation/errors';

/**
 * The wire format of Detective's REST-JSON protocol: JSON bodies, and errors identified by the
 * `x-amzn-ErrorType` header (which AWS SDKs read first to pick the exception class) with a `Message` body.
 */
export function jsonResponse(statusCode: number, body: object | undefined, requestId: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId },
    // Operations without output (UpdateInvestigationState) answer 200 with an empty body, as Detective does.
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export interface ErrorBody {
  Message: string;
  ErrorCode?: string;
  ErrorCodeReason?: string;
}

export function errorResponse(error: ApiError, requestId: string): APIGatewayProxyResult {
  const body: ErrorBody = { Message: error.message, ...(error.errorCode ? { ErrorCode: error.errorCode, ErrorCodeReason: error.message } : {}) };
  const response = jsonResponse(error.statusCode, body, requestId);
  return { ...response, headers: { ...response.headers, 'x-amzn-ErrorType': error.type } };
}

/** The parsed JSON body; an absent body reads as `{}` so that missing members are reported by name. */
export function parseBody(event: APIGatewayProxyEvent): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
}

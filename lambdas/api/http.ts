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

/**
 * Deepest JSON nesting accepted. Detective's request shapes nest three levels (FilterCriteria.CreatedTime.*);
 * the limit is checked on the text before JSON.parse, which is cheap, whereas parsing then walking a 6 MB body
 * of `[` (3 million levels) costs seconds of CPU and overflows any recursive walk.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether JSON text nests arrays and objects deeper than `limit` (a linear scan that skips string contents). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The parsed JSON body; an absent body reads as `{}` so that missing members are reported by name. */
export function parseBody(event: APIGatewayProxyEvent): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (text.trim() === '') return {};
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw validationError(`The request body nests JSON arrays or objects deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
}

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, validationError } from '../core/investigation/errors';
import type { CsvDocument } from '../core/graph/csv';

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

/**
 * A CSV answer (`Accept: text/csv`); the next page's token, if any, in the `x-next-token` header, and
 * `x-incomplete: true` where the JSON answer would say `Incomplete`.
 */
export function csvResponse(document: CsvDocument, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'x-amzn-RequestId': requestId,
      ...(document.nextToken ? { 'x-next-token': document.nextToken } : {}),
      ...(document.incomplete ? { 'x-incomplete': 'true' } : {}),
    },
    body: document.text,
  };
}

export interface ErrorBody {
  Message: string;
  ErrorCode?: string;
  ErrorCodeReason?: string;
}

export function errorBody(error: ApiError): ErrorBody {
  return { Message: error.message, ...(error.errorCode ? { ErrorCode: error.errorCode, ErrorCodeReason: error.message } : {}) };
}

export function errorResponse(error: ApiError, requestId: string): APIGatewayProxyResult {
  const response = jsonResponse(error.statusCode, errorBody(error), requestId);
  return { ...response, headers: { ...response.headers, 'x-amzn-ErrorType': error.type } };
}

/**
 * Largest request body the API accepts, in bytes. Detective's requests are small JSON documents: the largest
 * valid one (ListInvestigations with a 2,048-character NextToken, a 500-character EntityArn filter and every
 * other filter) is about 3 KB (test/api/body-limit.test.ts), so 16 KiB leaves room for any client's
 * formatting, and is the body size AWS WAF inspects for API Gateway by default. The deployed stack refuses
 * larger bodies with the same 413 before Lambda is invoked (lib/api-web-acl.ts): without that, a body over
 * Lambda's 6 MB invocation payload never reaches the handler (Lambda refuses the invocation), and API Gateway
 * reports a 5xx.
 */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024;

/** The error of a body over MAX_REQUEST_BODY_BYTES. */
export function requestTooLarge(): ApiError {
  return new ApiError('RequestEntityTooLargeException', `The request body must not be larger than ${MAX_REQUEST_BODY_BYTES} bytes.`);
}

/**
 * The 413 given to a body over MAX_REQUEST_BODY_BYTES before the handler runs: by the web ACL, by API Gateway
 * over its own 10 MB, and by the local server. The handler's own 413 (errorResponse of requestTooLarge()) with
 * the same body, less the request id, which a static response cannot carry.
 */
export function tooLargeResponse(): APIGatewayProxyResult {
  const error = requestTooLarge();
  return { statusCode: error.statusCode, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.type }, body: JSON.stringify(errorBody(error)) };
}

/**
 * Deepest JSON nesting accepted. Detective's request shapes nest three levels (FilterCriteria.CreatedTime.*);
 * the limit is checked on the text before JSON.parse, which is cheap, whereas a body of `[` nests thousands of
 * levels even within MAX_REQUEST_BODY_BYTES and overflows any recursive walk.
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

/** The body as text (decoded when API Gateway base64-encoded it); a 413 ApiError over MAX_REQUEST_BODY_BYTES. */
export function bodyText(event: APIGatewayProxyEvent): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : undefined;
  if ((bytes?.length ?? Buffer.byteLength(raw, 'utf8')) > MAX_REQUEST_BODY_BYTES) throw requestTooLarge();
  return bytes ? bytes.toString('utf8') : raw;
}

/** The parsed JSON body; an absent body reads as `{}` so that missing members are reported by name. */
export function parseBody(event: APIGatewayProxyEvent): unknown {
  const text = bodyText(event);
  if (text.trim() === '') return {};
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw validationError(`The request body nests JSON arrays or objects deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationError('The request body is not valid JSON.');
  }
}

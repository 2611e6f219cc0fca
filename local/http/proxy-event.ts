import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * Builds the events API Gateway's REST proxy integration hands to Lambda, from a raw local HTTP request,
 * so the local server exercises the handler with the same inputs as in AWS: single- and multi-value
 * headers and query strings, a null body when there is none, base64 for non-text bodies, and a request
 * context with a fresh request id and the caller's access key (read from the SigV4 Authorization header,
 * not verified: API Gateway's AWS_IAM authorization has no local counterpart).
 */
export const LOCAL_STAGE = 'local';
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
}

function singleAndMulti(entries: [string, string[]][]): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  if (entries.length === 0) return undefined;
  // API Gateway's single-value maps keep the last value of a repeated name.
  return { single: Object.fromEntries(entries.map(([k, v]) => [k, v[v.length - 1]])), multi: Object.fromEntries(entries) };
}

function isTextual(contentType: string | undefined): boolean {
  return contentType === undefined || /^(application\/([\w.+-]*json|x-amz-json-[\d.]+|xml|x-www-form-urlencoded)|text\/)/i.test(contentType);
}

function accessKeyOf(authorization: string | undefined): string | null {
  return /Credential=([A-Z0-9]+)\//.exec(authorization ?? '')?.[1] ?? null;
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    // A malformed escape: keep it as sent, the router then answers 404.
    return pathname;
  }
}

export function toProxyEvent(request: RawRequest, now = Date.now()): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://localhost');
  const headerEntries = Object.entries(request.headers)
    .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
    .map(([name, value]): [string, string[]] => [name, Array.isArray(value) ? value : [value]]);
  const queryNames = [...new Set(url.searchParams.keys())];
  const headers = singleAndMulti(headerEntries);
  const query = singleAndMulti(queryNames.map((name): [string, string[]] => [name, url.searchParams.getAll(name)]));
  const textual = isTextual(request.headers['content-type']);
  const path = decodedPath(url.pathname);
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: request.method.toUpperCase(),
    headers: headers?.single ?? {},
    multiValueHeaders: headers?.multi ?? {},
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters: { proxy: path.replace(/^\//, '') },
    stageVariables: null,
    body: request.body.length === 0 ? null : request.body.toString(textual ? 'utf8' : 'base64'),
    isBase64Encoded: request.body.length > 0 && !textual,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method.toUpperCase(),
      identity: {
        accessKey: accessKeyOf(request.headers.authorization),
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${LOCAL_STAGE}${path}`,
      stage: LOCAL_STAGE,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: '/{proxy+}',
    },
  };
}

export function lambdaContext(requestId: string, functionName = 'trailhound-investigations-api'): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not used by the API handler');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

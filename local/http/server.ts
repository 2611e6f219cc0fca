import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { InvestigationStore } from '../../lambdas/adapters/investigations/investigation-store';
import { buildApiHandler, graphDependenciesFromEnv, maxScopeDays } from '../../lambdas/api/handler';
import type { GraphDependencies } from '../../lambdas/api/graph-operations';
import { errorResponse, tooLargeResponse } from '../../lambdas/api/http';
import { ApiError } from '../../lambdas/core/investigation/errors';
import type { InvestigationRepository, InvestigationRunner, TokenKeySource } from '../../lambdas/core/investigation/ports';
import { randomBytes } from 'node:crypto';
import { TOKEN_KEY_BYTES } from '../../lambdas/core/investigation/pagination';
import { errorMessage, log } from '../../lambdas/shared/log';
import { foreignRequestReason, listenOnLoopback, type LoopbackServer } from './loopback';
import type { ConsoleSite } from '../console/static-site';
import { lambdaContext, toProxyEvent, type RawRequest } from './proxy-event';

/**
 * The investigations API on a loopback port: each HTTP request becomes an API Gateway proxy event for the
 * SAME handler the Lambda runs (buildApiHandler), and its proxy result is written back. Point any AWS SDK's
 * Detective client at `url` (any credentials; they are not verified).
 *
 * Without authentication, loopback alone does not keep web pages out: requests with a foreign `Host`
 * (DNS rebinding) or a foreign `Origin` (CSRF) are answered 403 AccessDeniedException, Detective's error
 * shape, before the handler runs (see loopback.ts).
 *
 * The store defaults to the tables named in the environment (INVESTIGATIONS_TABLE, INDICATORS_TABLE, with
 * AWS_ENDPOINT_URL_DYNAMODB pointing at the embedded server), as LocalStack sets them up.
 */
export interface ApiServerOptions {
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Starts the analysis of each new investigation (the local state machine runner). */
  runner: InvestigationRunner;
  store?: InvestigationRepository;
  /** Signs NextTokens; by default the store's key when it is an InvestigationStore, else a key drawn per process. */
  tokenKeys?: TokenKeySource;
  maxScopeDays?: number;
  /** The graph routes' reads; by default built from the environment the local stack sets. */
  graph?: GraphDependencies | (() => GraphDependencies);
  /** The console's static assets, served on the same port (GET /, /app.js, …); none by default. */
  console?: ConsoleSite;
}

export type ApiServer = LoopbackServer;

/**
 * The limits a request meets in AWS before the handler runs, so that local mode refuses what AWS refuses:
 * API Gateway's REST payload limit (10 MB), Lambda's synchronous invocation payload limit (6 MB, counted on the
 * whole proxy event, headers and request context included) and API Gateway's limit on the request line and
 * headers together (10,240 bytes). The handler refuses bodies over MAX_REQUEST_BODY_BYTES (16 KiB) itself, as
 * the deployed web ACL does before Lambda; every 413 is the same (tooLargeResponse).
 */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024;
export const API_GATEWAY_MAX_HEADER_BYTES = 10_240;

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is drained unread, so the 413 can still be written on this connection.
      if (size <= API_GATEWAY_MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > API_GATEWAY_MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function write(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  response.writeHead(result.statusCode, { ...headers, 'Content-Length': String(body.length) });
  response.end(body);
}

/**
 * What API Gateway itself answers when the integration fails or a limit is exceeded: its `{"message"}` body,
 * with `x-amzn-ErrorType` so that AWS SDKs raise a typed error rather than an unknown one.
 */
function gatewayError(statusCode: number, errorType: string, message: string): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorType }, body: JSON.stringify({ message }) };
}

const TOO_LARGE = tooLargeResponse();

/** Raw bytes of a response written on a socket the HTTP parser gave up on (before any request object exists). */
function rawResponse(result: APIGatewayProxyResult, reason: string): string {
  const headers = Object.entries({ ...result.headers, 'Content-Length': String(Buffer.byteLength(result.body)), Connection: 'close' }).map(([name, value]) => `${name}: ${String(value)}`);
  return [`HTTP/1.1 ${result.statusCode} ${reason}`, ...headers, '', result.body].join('\r\n');
}

/** The API handler as the local server calls it: a raw request in, a proxy result out, never a throw. */
export type LocalApi = (request: RawRequest) => Promise<APIGatewayProxyResult>;

export function buildLocalApi(options: ApiServerOptions): LocalApi {
  const store = options.store ?? InvestigationStore.fromEnvironment();
  const processKey = randomBytes(TOKEN_KEY_BYTES);
  const tokenKeys = options.tokenKeys ?? (store instanceof InvestigationStore ? store : { tokenKey: () => Promise.resolve(processKey) });
  const handler = buildApiHandler({
    store,
    tokenKeys,
    runner: options.runner,
    maxScopeDays: options.maxScopeDays ?? maxScopeDays(),
    // Read from the environment the local stack sets (tables, index bucket, S3 endpoint), on first use.
    graph: options.graph ?? (() => graphDependenciesFromEnv()),
  });
  return async (request) => {
    try {
      const event = toProxyEvent(request);
      if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_MAX_EVENT_BYTES) return TOO_LARGE;
      return await handler(event, lambdaContext(event.requestContext.requestId));
    } catch (error) {
      log.error('local API request failed', { error: errorMessage(error) });
      return gatewayError(502, 'InternalServerErrorException', 'Internal server error');
    }
  };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const api = buildLocalApi(options);
  let port = 0;
  const server = createServer({ maxHeaderSize: API_GATEWAY_MAX_HEADER_BYTES }, (request, response) => {
    void (async () => {
      try {
        const refusal = foreignRequestReason(request.headers, port, { allowOrigin: true });
        if (refusal) {
          request.resume();
          return write(response, errorResponse(new ApiError('AccessDeniedException', `Access denied: ${refusal}.`), randomUUID()));
        }
        if (options.console?.handle(request, response)) return;
        const body = await readBody(request);
        if (!body) return write(response, TOO_LARGE);
        write(response, await api({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' }));
      } catch (error) {
        log.error('local API request failed', { error: errorMessage(error) });
        if (!response.headersSent) write(response, gatewayError(502, 'InternalServerErrorException', 'Internal server error'));
        else response.destroy();
      }
    })();
  });
  // Requests the HTTP parser refuses: Node would answer a bare 431 or 400; answer as API Gateway, with a type.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const result = tooLarge
      ? gatewayError(431, 'RequestHeaderFieldsTooLargeException', 'Request Header Fields Too Large')
      : gatewayError(400, 'BadRequestException', 'Bad Request');
    socket.end(rawResponse(result, tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'));
  });

  return listenOnLoopback(server, options.port, (chosen) => {
    port = chosen;
  });
}

import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { foreignRequestReason } from './http/loopback';
import { guardS3 } from './http/s3-guard';

/**
 * The servers themselves: dynalite (a DynamoDB-protocol server on LevelDB) and s3rver (an S3-protocol server on
 * the file system) on loopback ports picked by the OS, with their data under `dataDir`. s3rver is served behind
 * a guard (s3-guard.ts) that refuses paths escaping its folder and requests from browsers or foreign hosts;
 * dynalite likewise. They run in the thread that calls startServers: the local mode calls it in a worker
 * thread of its own (embedded-worker.ts), see embedded-services.ts.
 */
export interface ServerOptions {
  dataDir: string;
  /** Keep DynamoDB's data in memory (tests): nothing is written under dataDir for DynamoDB. */
  inMemory?: boolean;
}

/** An S3 event notification as s3rver emits it (the records of an S3 event message). */
export interface S3EventNotification {
  Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } } }[];
}

export interface RunningServers {
  dynamoEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** dynalite answers CORS preflights for any origin: browsers and foreign hosts are refused in front of it. */
function guardDynalite(server: Server, port: () => number): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const reason = foreignRequestReason(request.headers, port(), { allowOrigin: false });
    if (!reason) return listeners.forEach((listener) => listener.call(server, request, response));
    request.resume();
    const body = JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: reason });
    response.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  });
}

/** Starts both servers in this thread; `onS3Event` receives every event notification s3rver emits. */
export async function startServers(options: ServerOptions, onS3Event: (event: S3EventNotification) => void): Promise<RunningServers> {
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const s3Dir = join(options.dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  // createTableMs/updateTableMs: 0 — dynalite otherwise simulates DynamoDB's table creation delay.
  const dynamo: Server = dynalite({ ...(options.inMemory ? {} : { path: dynamoDir }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let dynamoPort = 0;
  guardDynalite(dynamo, () => dynamoPort);
  dynamoPort = await listen(dynamo);

  // vhostBuckets off: buckets are named in the path only, never taken from the Host header.
  const s3rver = new S3rver({ silent: true, directory: s3Dir, allowMismatchedSignatures: true, vhostBuckets: false });
  // s3rver is a Koa app (an EventEmitter) that emits S3 event notifications; its typings omit that.
  (s3rver as unknown as NodeJS.EventEmitter).on('event', onS3Event);
  let s3Port = 0;
  const s3 = createServer(guardS3(s3rver.getMiddleware() as RequestListener, () => s3Port));
  try {
    s3Port = await listen(s3);
  } catch (error) {
    await close(dynamo);
    throw error;
  }

  return {
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    async stop() {
      s3.closeAllConnections();
      await close(s3);
      await close(dynamo);
    },
  };
}

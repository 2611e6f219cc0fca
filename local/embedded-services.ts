import { mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

/**
 * The real stand-ins the local mode runs on: dynalite (a DynamoDB-protocol server on LevelDB) and s3rver
 * (an S3-protocol server on the file system), both in this process, on loopback ports picked by the OS.
 * Data lives under `dataDir` so a later run finds it again.
 */
export interface EmbeddedServices {
  dynamoEndpoint: string;
  s3Endpoint: string;
  s3rver: S3rver;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Wipe the data folder first. */
  fresh?: boolean;
  /** Keep everything in memory (tests): nothing is written under dataDir for DynamoDB. */
  inMemory?: boolean;
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

export async function startEmbeddedServices(options: EmbeddedOptions): Promise<EmbeddedServices> {
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const s3Dir = join(options.dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  // createTableMs/updateTableMs: 0 — dynalite otherwise simulates DynamoDB's table creation delay.
  const dynamo: Server = dynalite({ ...(options.inMemory ? {} : { path: dynamoDir }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo);

  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, allowMismatchedSignatures: true });
  const { port: s3Port } = await s3rver.run();

  return {
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    s3rver,
    async stop() {
      await s3rver.close();
      await close(dynamo);
    },
  };
}

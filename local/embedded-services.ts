import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openDataFolder } from './data-folder';
import type { S3EventNotification, ServerOptions } from './embedded-servers';

/**
 * The real stand-ins the local mode runs on: dynalite (a DynamoDB-protocol server on LevelDB) and s3rver
 * (an S3-protocol server on the file system), on loopback ports picked by the OS, behind the guards of
 * embedded-servers.ts. Data lives under `dataDir` so a later run finds it again.
 *
 * They run in a worker thread of this process (embedded-worker.ts), so that their work (request parsing,
 * LevelDB, files, XML) runs on another core than the handlers and the SDK clients that call them. Being a
 * thread, it ends with the process: no server outlives Trailhound. The handlers reach it over HTTP exactly as
 * before; s3rver's event notifications come back as messages. If the thread fails, `failed` rejects with its
 * error and every later call says so.
 */
export type { S3EventNotification } from './embedded-servers';

export interface EmbeddedServices {
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** Every event notification s3rver emits, in its order. */
  onS3Event(listener: (event: S3EventNotification) => void): void;
  /** Resolves once the notifications of every request answered so far have reached the listeners. */
  settled(): Promise<void>;
  /** Rejects with the servers' error if their thread fails or ends before stop(); never resolves. */
  readonly failed: Promise<never>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Empty the data folder first (only one Trailhound created: see data-folder.ts). */
  fresh?: boolean;
  /** Keep everything in memory (tests): nothing is written under dataDir for DynamoDB. */
  inMemory?: boolean;
  /** The module the servers' thread runs (TypeScript), instead of embedded-worker.ts: tests plant failures with it. */
  workerEntry?: string;
}

interface SerialisedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** Messages from the main thread to the servers' thread. */
export type ToWorker = { type: 'settle'; id: number } | { type: 'stop' };

/** Messages from the servers' thread. */
export type FromWorker =
  | { type: 'ready'; dynamoEndpoint: string; s3Endpoint: string }
  | { type: 's3-event'; event: S3EventNotification }
  | { type: 'settled'; id: number }
  | { type: 'stopped' }
  | { type: 'failed'; error: SerialisedError };

/** Raised in the main thread for a failure of the servers' thread; the cause's stack follows this one's. */
export class EmbeddedServerError extends Error {
  constructor(message: string, cause?: SerialisedError | Error) {
    super(message);
    this.name = 'EmbeddedServerError';
    if (cause && 'code' in cause && typeof cause.code === 'string') (this as { code?: string }).code = cause.code;
    if (cause?.stack) this.stack = `${this.stack}\nin the embedded servers' thread: ${cause.stack}`;
  }
}

function describe(error: SerialisedError | Error): string {
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}

/**
 * The thread's code is TypeScript (npm start, jest and the benchmarks run this module as TypeScript too): it is
 * bundled into one script by esbuild, the compiler tsx runs on, written to a private temporary folder and run
 * with source maps, so that the thread's stack traces name the .ts files. Packages (dynalite, s3rver…) stay
 * plain `require`s, resolved from the entry's folder. Loading the thread through tsx's require hook instead took
 * 1-2 s longer on 2 cores. Compiled to JavaScript, this module starts embedded-worker.js as it is.
 */
function startWorker(options: EmbeddedOptions): { worker: Worker; started(): void } {
  const workerData: ServerOptions = { dataDir: options.dataDir, ...(options.inMemory ? { inMemory: true } : {}) };
  if (!__filename.endsWith('.ts') && !options.workerEntry) return { worker: new Worker(join(__dirname, 'embedded-worker.js'), { workerData }), started: () => undefined };
  const folder = mkdtempSync(join(tmpdir(), 'trailhound-servers-'));
  try {
    const script = join(folder, 'embedded-worker.cjs');
    writeFileSync(script, bundle(options.workerEntry ?? join(__dirname, 'embedded-worker.ts'), script));
    // Not this process's flags (tsx's loader): the thread runs plain JavaScript.
    const worker = new Worker(script, { workerData, execArgv: ['--enable-source-maps'] });
    return { worker, started: () => rmSync(folder, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

function bundle(entry: string, outfile: string): string {
  const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild') as typeof import('esbuild');
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [entry],
    // Not written: names the script, so that the source map's paths resolve from where it is.
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  return `(function (require) {${outputFiles[0].text}\n})(require('node:module').createRequire(${JSON.stringify(entry)}));\n`;
}

/** How long stop() waits for the servers to close their connections and LevelDB before ending the thread. */
const STOP_TIMEOUT_MS = 10_000;

export async function startEmbeddedServices(options: EmbeddedOptions): Promise<EmbeddedServices> {
  // Locked for this process until stop(): a second process gets a clear refusal, not a broken database.
  const folder = openDataFolder(options.dataDir, { fresh: options.fresh });
  let worker: Worker;
  let started: () => void;
  try {
    ({ worker, started } = startWorker(options));
  } catch (error) {
    await folder.trashDeleted;
    folder.release();
    throw error;
  }

  const listeners: ((event: S3EventNotification) => void)[] = [];
  const settling = new Map<number, () => void>();
  let nextSettle = 0;
  let stopping = false;
  let exited = false;
  let failure: EmbeddedServerError | undefined;
  let reportFailure: (error: EmbeddedServerError) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (reportFailure = reject));
  // Nobody may be waiting on it: that must not be an unhandled rejection.
  failed.catch(() => undefined);
  const fail = (error: EmbeddedServerError): void => {
    if (failure || stopping) return;
    failure = error;
    reportFailure(error);
    for (const resolve of settling.values()) resolve();
    settling.clear();
  };

  const ready = new Promise<{ dynamoEndpoint: string; s3Endpoint: string }>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          resolve(message);
          break;
        case 's3-event':
          for (const listener of listeners) listener(message.event);
          break;
        case 'settled':
          settling.get(message.id)?.();
          settling.delete(message.id);
          break;
        case 'failed': {
          const error = new EmbeddedServerError(`the embedded DynamoDB and S3 servers failed: ${describe(message.error)}`, message.error);
          reject(error);
          fail(error);
          break;
        }
        case 'stopped':
          break;
      }
    });
    worker.on('error', (error) => {
      const wrapped = new EmbeddedServerError(`the embedded DynamoDB and S3 servers failed: ${describe(error)}`, error);
      reject(wrapped);
      fail(wrapped);
    });
    worker.on('exit', (code) => {
      exited = true;
      const error = new EmbeddedServerError(`the embedded DynamoDB and S3 servers' thread ended (exit code ${code})`);
      reject(error);
      fail(error);
    });
  });

  let endpoints: { dynamoEndpoint: string; s3Endpoint: string };
  try {
    endpoints = await ready.finally(started);
  } catch (error) {
    await worker.terminate();
    await folder.trashDeleted;
    folder.release();
    throw error;
  }

  const whenStopped = new Promise<void>((resolve) => {
    worker.on('message', (message: FromWorker) => message.type === 'stopped' && resolve());
    worker.on('exit', () => resolve());
  });

  return {
    ...endpoints,
    failed,
    onS3Event(listener) {
      listeners.push(listener);
    },
    settled() {
      if (failure) return Promise.reject(failure);
      const id = nextSettle++;
      const answered = new Promise<void>((resolve) => settling.set(id, resolve));
      worker.postMessage({ type: 'settle', id } satisfies ToWorker);
      return answered.then(() => {
        if (failure) throw failure;
      });
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      try {
        if (!exited) {
          // The servers close their connections and LevelDB in their thread; then the thread is ended.
          worker.postMessage({ type: 'stop' } satisfies ToWorker);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([whenStopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
          clearTimeout(timer);
          await worker.terminate();
        }
      } finally {
        // Under the lock: the next process finds no trash being deleted.
        await folder.trashDeleted;
        folder.release();
      }
    },
  };
}

import { parentPort, workerData } from 'node:worker_threads';
import { startServers, type RunningServers, type ServerOptions } from './embedded-servers';
import type { FromWorker, ToWorker } from './embedded-services';

/**
 * The embedded servers' thread (started by embedded-services.ts): starts dynalite and s3rver, forwards s3rver's
 * event notifications to the main thread, answers `settle` after every notification emitted before it, and
 * stops the servers (closing LevelDB) on `stop`. A failure to start is reported as a message; an uncaught
 * error later ends the thread, which the main thread sees as its `error` event.
 */
const port = parentPort;
if (!port) throw new Error('embedded-worker.ts runs as a worker thread (see embedded-services.ts)');

const post = (message: FromWorker) => port.postMessage(message);

function serialise(error: unknown): Extract<FromWorker, { type: 'failed' }>['error'] {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), ...(typeof code === 'string' ? { code } : {}) };
}

let servers: RunningServers | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'settle') {
    // Notifications are posted as s3rver emits them, before it answers the request: this reply comes after them.
    post({ type: 'settled', id: message.id });
    return;
  }
  if (message.type === 'stop') {
    void (async () => {
      try {
        await servers?.stop();
        post({ type: 'stopped' });
      } catch (error) {
        post({ type: 'failed', error: serialise(error) });
      }
      port.close();
    })();
  }
});

startServers(workerData as ServerOptions, (event) => post({ type: 's3-event', event }))
  .then((running) => {
    servers = running;
    post({ type: 'ready', dynamoEndpoint: running.dynamoEndpoint, s3Endpoint: running.s3Endpoint });
  })
  .catch((error: unknown) => {
    post({ type: 'failed', error: serialise(error) });
    port.close();
  });

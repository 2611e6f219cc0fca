import { Server, type IncomingMessage } from 'node:http';

/**
 * The embedded servers' thread (local/embedded-worker.ts) with a bug planted in it: a request whose path
 * contains `crash-the-thread` throws an uncaught error in the thread, after the request has reached the server.
 * embedded-services.test.ts starts it in place of the real entry to see how such a failure surfaces.
 */
const emit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request' && String((args[0] as IncomingMessage).url).includes('crash-the-thread')) {
    setImmediate(() => {
      throw new Error('a bug in an embedded server');
    });
  }
  return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
} as typeof emit;

// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../local/embedded-worker');

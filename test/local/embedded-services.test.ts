import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCK_FILE } from '../../local/data-folder';
import { EmbeddedServerError, startEmbeddedServices, type S3EventNotification } from '../../local/embedded-services';
import { LocalStack } from '../../local/local-stack';

/**
 * The embedded servers run in a worker thread of their own (local/embedded-worker.ts): nothing of them is left
 * once stopped, and when they fail, what waits on them fails at once with their error instead of the SDK's
 * retries ending in "socket hang up".
 */
const CRASHING_WORKER = join(__dirname, 'crashing-worker.ts');
let root: string;

/** Listening servers and connections of this thread (worker threads have event loops of their own). */
const networkHandles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));

function s3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, forcePathStyle: true, maxAttempts: 1 });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trailhound-embedded-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('embedded services', () => {
  it('listen from a thread of their own, deliver S3 notifications before settled() resolves, and leave nothing behind when stopped', async () => {
    // Another suite of this jest worker may still be closing a socket: count handles, never expect the same list.
    const before = networkHandles().length;
    const resourcesBefore = process.getActiveResourcesInfo().length;
    const services = await startEmbeddedServices({ dataDir: root, inMemory: true });
    const events: S3EventNotification[] = [];
    services.onS3Event((event) => events.push(event));
    const s3 = s3Client(services.s3Endpoint);
    try {
      // The servers listen in their own thread, so this thread gains no listening socket.
      expect(networkHandles().length).toBeLessThanOrEqual(before);
      await s3.send(new CreateBucketCommand({ Bucket: 'logs' }));
      await Promise.all(['a', 'b', 'c'].map((name) => s3.send(new PutObjectCommand({ Bucket: 'logs', Key: `AWSLogs/${name}.json.gz`, Body: name }))));
      await services.settled();
      expect(events.flatMap((e) => e.Records.map((r) => r.s3.object.key)).sort()).toEqual(['AWSLogs/a.json.gz', 'AWSLogs/b.json.gz', 'AWSLogs/c.json.gz']);
    } finally {
      s3.destroy();
      await services.stop();
    }
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
    expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(resourcesBefore);
    await services.stop();
  });

  it('report a failure to start with its cause, and release the data folder', async () => {
    // DynamoDB's folder cannot be created where a file is.
    writeFileSync(join(root, 'dynamodb'), 'not a folder');
    const started = startEmbeddedServices({ dataDir: root });
    await expect(started).rejects.toThrow(EmbeddedServerError);
    await expect(started).rejects.toThrow(/^the embedded DynamoDB and S3 servers failed: .*(EEXIST|ENOTDIR)/);
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });

  it('fail what waits on them at once when their thread fails, and still stop cleanly', async () => {
    const services = await startEmbeddedServices({ dataDir: root, inMemory: true, workerEntry: CRASHING_WORKER });
    const s3 = s3Client(services.s3Endpoint);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'logs' }));
      await expect(s3.send(new PutObjectCommand({ Bucket: 'logs', Key: 'crash-the-thread', Body: 'x' }))).rejects.toThrow();
      await expect(services.failed).rejects.toThrow('the embedded DynamoDB and S3 servers failed: a bug in an embedded server');
      // The thread's stack follows, naming the TypeScript source.
      expect((await services.failed.catch((error: Error) => error)).stack).toMatch(/in the embedded servers' thread: Error: a bug in an embedded server\n\s+at .*crashing-worker\.ts:\d+:\d+/);
      await expect(services.settled()).rejects.toThrow(EmbeddedServerError);
    } finally {
      s3.destroy();
      await services.stop();
    }
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });

  it('fail an upload with their error, not with the retries of a dead connection', async () => {
    const logs = join(root, 'logs');
    mkdirSync(logs);
    const stack = await LocalStack.start({ dataDir: join(root, 'state'), inMemory: true, workerEntry: CRASHING_WORKER });
    try {
      const file = join(logs, 'crash-the-thread.json.gz');
      writeFileSync(file, gzipSync('{"Records":[]}'));
      await expect(stack.upload([{ path: file, key: 'AWSLogs/crash-the-thread.json.gz', size: 1 }])).rejects.toThrow(/servers failed: a bug in an embedded server/);
      await expect(stack.drain()).rejects.toThrow(EmbeddedServerError);
    } finally {
      await stack.stop();
    }
    expect(existsSync(join(root, 'state', LOCK_FILE))).toBe(false);
  });
});

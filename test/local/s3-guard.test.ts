import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startEmbeddedServices, type EmbeddedServices } from '../../local/embedded-services';
import { escapesFolder } from '../../local/http/s3-guard';
import { rawRequest } from './raw-http';

/**
 * s3rver stores objects at join(folder, bucket, key): the guard in front of it must refuse every key that
 * would resolve outside, however it is spelt, while ordinary keys (the log layout) keep working.
 * The attacks are sent raw, since SDKs and fetch() normalise `..` away.
 */
let root: string;
let dataDir: string;
let services: EmbeddedServices;
let port: number;
let s3: S3Client;
const BUCKET = 'logs';

/** Every file under a folder, recursively, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'trailhound-s3-guard-'));
  dataDir = join(root, 'data', 'nested');
  services = await startEmbeddedServices({ dataDir, inMemory: true });
  port = Number(new URL(services.s3Endpoint).port);
  s3 = new S3Client({ endpoint: services.s3Endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, forcePathStyle: true, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await services.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('escapesFolder', () => {
  it.each([
    'AWSLogs/../../../x',
    '/logs/AWSLogs/%2e%2e/%2e%2e/%2e%2e/x',
    '/logs/AWSLogs/%2E%2E%2F%2E%2E%2Fx',
    '/logs/AWSLogs/..%2f..%2f..%2fx',
    '/logs/AWSLogs/%252e%252e%252f%252e%252e%252fx',
    '/logs/AWSLogs\\..\\..\\x',
    '/logs/AWSLogs/..%5c..%5cx',
    '/logs/./x',
    '/..',
    '/logs/x%00y',
    '/logs/%e0%a4%a',
  ])('flags %s', (path) => {
    expect(escapesFolder(path)).toBe(true);
  });

  it.each(['/logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/22/x.json.gz', '/logs/a..b/...', '/logs/with%20space/%2Bplus', '/logs'])('lets %s through', (path) => {
    expect(escapesFolder(path)).toBe(false);
  });
});

describe('embedded S3 server behind the guard', () => {
  it('still stores and returns ordinary objects through the SDK', async () => {
    const Key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/22/a b+c.json.gz';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'hello' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
    expect(await object.Body?.transformToString()).toBe('hello');
  });

  it.each([
    ['dot segments', '/logs/AWSLogs/../../../../escaped-plain'],
    ['percent-encoded dots', '/logs/AWSLogs/%2e%2e/%2e%2e/%2e%2e/%2e%2e/escaped-dots'],
    ['percent-encoded slashes', '/logs/AWSLogs/..%2f..%2f..%2f..%2fescaped-slashes'],
    ['double encoding', '/logs/AWSLogs/%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fescaped-double'],
    ['backslashes', '/logs/AWSLogs\\..\\..\\..\\..\\escaped-backslash'],
    ['encoded backslashes', '/logs/AWSLogs/..%5c..%5c..%5c..%5cescaped-encoded-backslash'],
    ['a bucket named ..', '/../escaped-bucket'],
  ])('refuses a PUT with %s and writes nothing outside its folder', async (_label, path) => {
    const before = filesUnder(root).sort();
    const response = await rawRequest(port, { method: 'PUT', path, body: 'pwned' });
    expect(response.status).toBe(403);
    expect(response.text).toContain('<Code>AccessDenied</Code>');
    expect(filesUnder(root).sort()).toEqual(before);
    expect(readdirSync(root)).toEqual(['data']);
  });

  it('refuses a copy whose source escapes the folder', async () => {
    const response = await rawRequest(port, { method: 'PUT', path: '/logs/copied', headers: { 'x-amz-copy-source': '/logs/../../../../etc/hostname' } });
    expect(response.status).toBe(403);
    expect(existsSync(join(dataDir, 's3', BUCKET, 'copied._S3rver_object'))).toBe(false);
  });

  it('refuses reads outside the folder', async () => {
    const response = await rawRequest(port, { path: '/logs/%2e%2e/%2e%2e/%2e%2e/etc/hostname' });
    expect(response.status).toBe(403);
  });

  it('refuses POSTs that carry object names in the body (multi-object delete, browser form upload)', async () => {
    const remove = await rawRequest(port, { method: 'POST', path: '/logs?delete', headers: { 'content-type': 'application/xml' }, body: '<Delete><Object><Key>../../x</Key></Object></Delete>' });
    expect(remove.status).toBe(403);
    const form = await rawRequest(port, { method: 'POST', path: '/logs', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\nContent-Disposition: form-data; name="key"\r\n\r\n../../x\r\n--b--\r\n' });
    expect(form.status).toBe(403);
  });

  it('refuses browsers and foreign hosts', async () => {
    expect((await rawRequest(port, { path: '/logs', headers: { origin: 'https://attacker.example' } })).status).toBe(403);
    expect((await rawRequest(port, { path: '/logs', headers: { host: `logs.s3.amazonaws.com:${port}` } })).status).toBe(403);
    expect((await rawRequest(port, { path: '/logs', headers: { host: 'attacker.example' } })).status).toBe(403);
    expect((await rawRequest(port, { path: '/logs' })).status).toBe(200);
  });

  it('refuses browsers and foreign hosts on the embedded DynamoDB server too', async () => {
    const dynamoPort = Number(new URL(services.dynamoEndpoint).port);
    const call = (headers: Record<string, string>) =>
      rawRequest(dynamoPort, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', ...headers }, body: '{}' });
    expect((await call({ origin: 'https://attacker.example' })).status).toBe(403);
    expect((await call({ host: 'attacker.example' })).status).toBe(403);
    expect((await call({ origin: 'https://attacker.example' })).text).toContain('AccessDeniedException');
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVITY_TABLE } from '../../lambdas/shared/table-design';
import type { FlowInterfaceItem, FlowManifestItem } from '../../lambdas/core/flowlogs/flow-items';
import { decodeState } from '../../lambdas/core/flowlogs/flow-manifest-state';
import { LocalStack } from '../../local/local-stack';
import { listLogFiles } from '../../local/log-files';
import { flowLogFile, flowLogKey, interfaceIdOf } from '../helpers/flow-logs';

/**
 * The flow compaction through the production handler's DynamoDB adapter (local mode: real S3 and DynamoDB
 * protocol servers): two flow logs delivering the same file count once per interface, and a replaced object
 * whose interfaces changed leaves no stale item (BatchWriteItem deletes). Expected bytes come from the raw lines.
 */
jest.setTimeout(180_000);

const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const LOGS = ['fl-0aaaaaaaaaaaaaaa0', 'fl-0bbbbbbbbbbbbbbb0'];

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailhound-flow-local-'));
  stack = await LocalStack.start({ dataDir: join(dir, 'state'), inMemory: true });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(files: Record<string, Buffer>, folder: string): Promise<void> {
  for (const [key, body] of Object.entries(files)) {
    const path = join(dir, folder, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }
  await stack.upload(listLogFiles(join(dir, folder)));
  await stack.drain();
}

const get = async <T>(subject: string) => (await stack.documents.send(new GetCommand({ TableName: stack.tableNames[ACTIVITY_TABLE.envVar], Key: { subject, slot: `${HOUR}#${ACCOUNT}` } }))).Item as T | undefined;
const okBytes = (file: Buffer, eni: string) =>
  gunzipSync(file)
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(' '))
    .filter((f) => f[2] === eni && f[13] === 'OK')
    .reduce((sum, f) => sum + Number(f[9]), 0);
const total = (item: FlowInterfaceItem | undefined) => (item ? item.totals.in.bytes + item.totals.out.bytes + item.totals.unknown.bytes : undefined);

describe('flow compaction in local mode', () => {
  it('counts the same traffic from two flow logs once, and deletes the item of an interface a replaced object no longer has', async () => {
    // The same records delivered by two flow logs (a VPC log and an ENI log over the same interfaces).
    const file = flowLogFile({ accountId: ACCOUNT, windowStart: T0, records: 400, interfaces: 3, seed: 5 });
    const keys = LOGS.map((id) => flowLogKey(ACCOUNT, T0, 'same', 'eu-west-1', id));
    await upload(Object.fromEntries(keys.map((key) => [key, file])), 'first');
    expect(stack.deadLetters).toEqual({ ingest: 0, compaction: 0 });
    for (let index = 0; index < 3; index++) {
      const item = await get<FlowInterfaceItem>(`flow-eni#${interfaceIdOf(index)}`);
      expect(total(item)).toBe(okBytes(file, interfaceIdOf(index)));
      // A tie: the lower flow-log id.
      expect(item).toMatchObject({ flowLogId: LOGS[0] });
    }
    const manifest = await get<FlowManifestItem>(`flow-account#${ACCOUNT}`);
    expect(decodeState(manifest as FlowManifestItem, []).interfaces).toEqual([0, 1, 2].map(interfaceIdOf));

    // The second log's object is replaced by one of the first interface only; the first log's too.
    const replacement = flowLogFile({ accountId: ACCOUNT, windowStart: T0, records: 100, interfaces: 1, seed: 6 });
    await upload(Object.fromEntries(keys.map((key) => [key, replacement])), 'second');
    expect(stack.deadLetters).toEqual({ ingest: 0, compaction: 0 });
    expect(total(await get<FlowInterfaceItem>(`flow-eni#${interfaceIdOf(0)}`))).toBe(okBytes(replacement, interfaceIdOf(0)));
    expect(await get(`flow-eni#${interfaceIdOf(1)}`)).toBeUndefined();
    expect(await get(`flow-eni#${interfaceIdOf(2)}`)).toBeUndefined();
  });
});

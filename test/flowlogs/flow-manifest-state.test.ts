import { createHash } from 'node:crypto';
import { compactFlowHour } from '../../lambdas/compact-hour/compact-flow-hour';
import { ingestObject } from '../../lambdas/ingest-cloudtrail/ingest-object';
import type { FlowManifestItem } from '../../lambdas/core/flowlogs/flow-items';
import { decodeState, encodeState, statePartKeys, MAX_INLINE_STATE_BYTES, type FlowManifestState } from '../../lambdas/core/flowlogs/flow-manifest-state';
import { DYNAMODB_ITEM_LIMIT, itemSize } from '../../lambdas/core/storage/item-size';
import type { HourObjectItem } from '../../lambdas/core/model/items';
import { objectIdOf } from '../../lambdas/core/cloudtrail/read-log';
import { flowLogFile, flowLogKey } from '../helpers/flow-logs';
import { FakeFlowStack } from './fake-flow-stack';

/**
 * An hour with thousands of objects: the manifest must still name them all (a late file recompacts the hour
 * once their registrations have expired), in items DynamoDB accepts (400 KB, UTF-8 bytes).
 */
jest.setTimeout(120_000);

const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;
const HOUR_KEY = `flow#${ACCOUNT}#${HOUR}`;
const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);

/** Registrations of `count` objects (every 5 minutes of 40 flow logs, several files each), not in the bucket. */
function registrations(count: number): HourObjectItem[] {
  return Array.from({ length: count }, (_, i) => {
    const key = flowLogKey(ACCOUNT, T0 + (i % 12) * 300, hex(`h${i}`, 8), 'eu-west-1', `fl-0${hex(`log${i % 40}`, 16)}`);
    const objectKey = `s3://logs/${key}`;
    return { hourKey: HOUR_KEY, objectId: objectIdOf(objectKey), objectKey, etag: hex(`e${i}`, 32), records: 1, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 };
  });
}

function register(stack: FakeFlowStack, items: HourObjectItem[]): void {
  const hour = stack.hourObjects.get(HOUR_KEY) ?? new Map();
  for (const item of items) hour.set(item.objectId, item);
  stack.hourObjects.set(HOUR_KEY, hour);
}

const manifestOf = (stack: FakeFlowStack) => stack.activity.get(`flow-account#${ACCOUNT}|${HOUR}#${ACCOUNT}`) as unknown as FlowManifestItem;
const partsOf = (stack: FakeFlowStack, manifest: FlowManifestItem) => statePartKeys(manifest).map((key) => stack.activity.get(`${key.subject}|${key.slot}`));

describe('flow manifest state', () => {
  const level = process.env.LOG_LEVEL;
  // A warning per object gone from the bucket: thousands of lines.
  beforeAll(() => void (process.env.LOG_LEVEL = 'silent'));
  afterAll(() => void (level === undefined ? delete process.env.LOG_LEVEL : (process.env.LOG_LEVEL = level)));

  it('stays inline in the manifest for an ordinary hour', () => {
    const state: FlowManifestState = { v: 1, objects: registrations(200).map(({ objectKey, etag }) => ({ objectKey, etag })), interfaces: ['eni-0123456789abcdef0'] };
    const encoded = encodeState(state, { accountId: ACCOUNT, hour: HOUR, generation: 'g1', expiresAt: 0 });
    expect(encoded.parts).toEqual([]);
    expect(encoded.manifest.state?.byteLength).toBeLessThanOrEqual(MAX_INLINE_STATE_BYTES);
  });

  it('names all of 20,000 objects in items under 400 KB, and a late file after the registrations expired keeps them', async () => {
    const stack = new FakeFlowStack(() => new Date('2026-03-01T13:00:00Z'));
    const many = registrations(20_000);
    register(stack, many);
    const realKey = flowLogKey(ACCOUNT, T0, 'real');
    stack.put(realKey, flowLogFile({ accountId: ACCOUNT, windowStart: T0, records: 300, seed: 7 }));
    await ingestObject({ bucket: 'logs', key: realKey, etag: 'e-real' }, stack.ingestDeps());

    const first = await compactFlowHour(HOUR_KEY, stack.compactionDeps());
    expect(first).toMatchObject({ status: 'compacted', objects: 20_001, missingObjects: 20_000, files: 1 });
    const manifest = manifestOf(stack);
    expect(manifest.stateParts).toBeGreaterThan(1);
    expect(itemSize(manifest as unknown as Record<string, unknown>)).toBeLessThanOrEqual(DYNAMODB_ITEM_LIMIT);
    const parts = partsOf(stack, manifest);
    for (const part of parts) expect(itemSize(part as Record<string, unknown>)).toBeLessThanOrEqual(DYNAMODB_ITEM_LIMIT);
    const named = decodeState(manifest, parts.map((part) => part?.body as Uint8Array)).objects.map((o) => o.objectKey);
    expect(new Set(named)).toEqual(new Set([...many.map((o) => o.objectKey), `s3://logs/${realKey}`]));

    // The registrations expire; a late file arrives: the manifest's parts give back the 20,001 earlier objects.
    stack.hourObjects.delete(HOUR_KEY);
    const lateKey = flowLogKey(ACCOUNT, T0 + 3300, 'late');
    stack.put(lateKey, flowLogFile({ accountId: ACCOUNT, windowStart: T0 + 3300, records: 100, seed: 8, spanSeconds: 200 }));
    await ingestObject({ bucket: 'logs', key: lateKey, etag: 'e-late' }, stack.ingestDeps());
    const second = await compactFlowHour(HOUR_KEY, stack.compactionDeps());
    expect(second).toMatchObject({ status: 'compacted', objects: 20_002, files: 2 });
    const next = manifestOf(stack);
    expect(next.stateGeneration).not.toBe(manifest.stateGeneration);
    // The replaced generation's parts are deleted; the new ones hold every object.
    expect(partsOf(stack, manifest).every((part) => part === undefined)).toBe(true);
    const renamed = decodeState(next, partsOf(stack, next).map((part) => part?.body as Uint8Array)).objects;
    expect(renamed).toHaveLength(20_002);
    expect(await compactFlowHour(HOUR_KEY, stack.compactionDeps())).toMatchObject({ status: 'unchanged' });
  });

  it('refuses to recompact from a manifest whose state parts are missing, rather than forget objects', () => {
    const manifest = { subject: `flow-account#${ACCOUNT}`, slot: `${HOUR}#${ACCOUNT}`, accountId: ACCOUNT, hour: HOUR, stateParts: 2, stateGeneration: 'g', body: new Uint8Array() } as unknown as FlowManifestItem;
    expect(() => decodeState(manifest, [new Uint8Array([1])])).toThrow('1 of 2 state parts found');
  });
});

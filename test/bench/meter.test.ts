import { indexWriteUnits, Meter } from '../../bench/meter';
import type { TableDesign } from '../../lambdas/shared/table-design';

/**
 * The benchmark's cost figures rest on the meter counting write units as DynamoDB bills them, including
 * the copies global secondary indexes make. These cases follow the rules in the DynamoDB developer guide.
 */
/** A table with a sparse KEYS_ONLY index (as Sessions had before sessions were packed). */
const SESSIONS_TABLE: TableDesign = {
  id: 'Sessions',
  partitionKey: { name: 'sessionId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [{ indexName: 'byOrigin', partitionKey: { name: 'originKey', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' }, projection: 'KEYS_ONLY' }],
  timeToLiveAttribute: 'expiresAt',
  envVar: 'SESSIONS_TABLE',
};
const byOrigin = SESSIONS_TABLE.globalSecondaryIndexes[0];
const created = { sessionId: 'ASIA1', sk: 'CREATED#111122223333', originKey: 'iam-user#arn:aws:iam::111122223333:user/alice', createdAt: '2026-10-22T14:00:00Z', note: 'x' };

function putRequest(meter: Meter, table: string, item: Record<string, unknown>): void {
  // What the middleware sees for a PutItem through the document client.
  (meter as unknown as { meterDynamo(c: string, i: unknown, o: unknown): void }).meterDynamo('PutItemCommand', { TableName: table, Item: item }, {});
}

describe('index write units', () => {
  it('costs one write to put an item that has the index keys, none when it has not', () => {
    expect(indexWriteUnits(SESSIONS_TABLE, byOrigin, undefined, created)).toBe(1);
    const withoutOrigin = Object.fromEntries(Object.entries(created).filter(([name]) => name !== 'originKey'));
    expect(indexWriteUnits(SESSIONS_TABLE, byOrigin, undefined, withoutOrigin)).toBe(0);
  });

  it('costs nothing for a KEYS_ONLY index when the keys are unchanged, two writes when they change', () => {
    expect(indexWriteUnits(SESSIONS_TABLE, byOrigin, created, { ...created, note: 'changed' })).toBe(0);
    expect(indexWriteUnits(SESSIONS_TABLE, byOrigin, created, { ...created, createdAt: '2026-10-22T15:00:00Z' })).toBe(2);
    expect(indexWriteUnits(SESSIONS_TABLE, byOrigin, created, undefined)).toBe(1);
  });

  it('rewrites an ALL copy when a projected attribute changes, by its size', () => {
    const all = { ...byOrigin, projection: 'ALL' as const };
    expect(indexWriteUnits(SESSIONS_TABLE, all, created, { ...created, note: 'y'.repeat(2800) })).toBe(3);
  });
});

describe('Meter', () => {
  const tables = new Map<string, TableDesign>([['sessions', SESSIONS_TABLE]]);

  it('bills a put by its size in KB and an overwrite by the larger item', () => {
    const meter = new Meter(tables);
    putRequest(meter, 'sessions', { ...created, note: 'y'.repeat(2500) });
    expect(meter.dynamo.writeUnits).toBe(3);
    expect(meter.dynamo.gsiWriteUnits).toBe(1);
    putRequest(meter, 'sessions', created);
    expect(meter.dynamo.writeUnits).toBe(6);
    expect(meter.dynamo.gsiWriteUnits).toBe(1);
    expect(meter.dynamo.writeUnitsByTable.Sessions).toBe(7);
  });
});

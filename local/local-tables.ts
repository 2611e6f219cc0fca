import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ALL_TABLES, type TableDesign } from '../lambdas/shared/table-design';

/**
 * Creates the tables of the shared table design (the same definitions the CDK stack deploys) on the local
 * DynamoDB server. Point-in-time recovery, encryption and TTL are AWS-side features with no effect on
 * query semantics, so they are not emulated.
 */
export function localTableName(design: TableDesign, prefix: string): string {
  return `${prefix}-${design.id}`;
}

/** Raised when local data was written with another table layout (an older Trailhound): only --fresh helps. */
export class LocalLayoutError extends Error {
  constructor(table: string) {
    super(`the local table ${table} has the layout of another Trailhound version: start again with --fresh`);
    this.name = 'LocalLayoutError';
  }
}

function layoutOf(keys: readonly { AttributeName?: string; KeyType?: string }[] | undefined, indexes: readonly string[]): string {
  return JSON.stringify([(keys ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`), [...indexes].sort()]);
}

/** Whether the table exists; throws LocalLayoutError when it exists with keys or indexes other than its design's. */
async function exists(client: DynamoDBClient, name: string, design: TableDesign): Promise<boolean> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const expected = layoutOf(
      [{ AttributeName: design.partitionKey.name, KeyType: 'HASH' }, ...(design.sortKey ? [{ AttributeName: design.sortKey.name, KeyType: 'RANGE' }] : [])],
      design.globalSecondaryIndexes.map((i) => i.indexName),
    );
    if (layoutOf(Table?.KeySchema, (Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName ?? '')) !== expected) throw new LocalLayoutError(name);
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

export async function createLocalTables(client: DynamoDBClient, prefix: string): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const design of ALL_TABLES) {
    const name = localTableName(design, prefix);
    names[design.envVar] = name;
    if (await exists(client, name, design)) continue;
    const keys = [design.partitionKey, design.sortKey, ...design.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])].filter((k) => k !== undefined);
    const attributes = [...new Map(keys.map((k) => [k.name, k])).values()];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [
          { AttributeName: design.partitionKey.name, KeyType: 'HASH' },
          ...(design.sortKey ? [{ AttributeName: design.sortKey.name, KeyType: 'RANGE' as const }] : []),
        ],
        ...(design.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: design.globalSecondaryIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
                  ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
                ],
                Projection: { ProjectionType: index.projection ?? 'ALL', ...(index.projection === 'INCLUDE' ? { NonKeyAttributes: [...(index.includedAttributes ?? [])] } : {}) },
              })),
            }
          : {}),
      }),
    );
  }
  return names;
}

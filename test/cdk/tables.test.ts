import { Match } from 'aws-cdk-lib/assertions';
import { ALL_TABLES, type KeyAttribute } from '../../lambdas/shared/table-design';
import { logicalId, synth, type Synthesized } from './synth';

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): object[] {
  return [{ AttributeName: partitionKey.name, KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : [])];
}

describe('DynamoDB tables', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('creates exactly one table per shared design', () => {
    synthesized.template.resourceCountIs('AWS::DynamoDB::Table', ALL_TABLES.length);
  });

  it.each(ALL_TABLES.map((design) => [design.id, design] as const))('%s follows its design: keys, indexes, TTL, table class', (_id, design) => {
    const { stack, template } = synthesized;
    const table = template.toJSON().Resources[logicalId(stack.table(design))];
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    const props = table.Properties;
    expect(props.KeySchema).toEqual(keySchema(design.partitionKey, design.sortKey));
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: design.timeToLiveAttribute, Enabled: true });
    expect(props.TableClass).toBe(design.tableClass ?? 'STANDARD');
    const indexes = (props.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: object[]; Projection: object }>;
    expect(indexes.map((index) => index.IndexName)).toEqual(design.globalSecondaryIndexes.map((index) => index.indexName));
    for (const index of design.globalSecondaryIndexes) {
      expect(indexes.find((candidate) => candidate.IndexName === index.indexName)).toEqual({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: index.projection ?? 'ALL', ...(index.includedAttributes ? { NonKeyAttributes: [...index.includedAttributes] } : {}) },
      });
    }
    // Every key attribute is declared with the design's type, and only key attributes are declared.
    const keys = [design.partitionKey, design.sortKey, ...design.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    const expected = new Map(keys.filter((key): key is KeyAttribute => key !== undefined).map((key) => [key.name, key.type]));
    expect(new Map((props.AttributeDefinitions as Array<{ AttributeName: string; AttributeType: string }>).map((a) => [a.AttributeName, a.AttributeType]))).toEqual(expected);
  });

  it('are on-demand, encrypted, with point-in-time recovery, and retained by default', () => {
    const tables = synthesized.template.findResources('AWS::DynamoDB::Table');
    for (const table of Object.values(tables)) {
      expect(table).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          DeletionProtectionEnabled: true,
        },
      });
      // No fixed names: several stacks (e.g. a test deployment) can share an account.
      expect(table.Properties.TableName).toBeUndefined();
      expect(table.Properties.ProvisionedThroughput).toBeUndefined();
    }
  });

  it('are deleted with the stack with removalPolicy=destroy', () => {
    const { template } = synth({ removalPolicy: 'destroy' });
    template.allResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  it('outputs every table name', () => {
    const { stack, template } = synthesized;
    for (const design of ALL_TABLES) template.hasOutput(`${design.id}TableName`, { Value: { Ref: logicalId(stack.table(design)) } });
  });
});

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ALL_TABLES, RETENTION_DAYS_ENV, type KeyAttribute, type TableDesign } from '../lambdas/shared/table-design';

export interface DataTablesProps {
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  readonly retentionDays: number;
  /** The designs to create; every design in the shared table design by default. */
  readonly designs?: readonly TableDesign[];
}

/**
 * The DynamoDB tables, built from the designs shared with the local mode (lambdas/shared/table-design.ts),
 * so keys, indexes and TTL cannot drift between what runs locally and what is deployed. Table names are left
 * to CloudFormation (several stacks can live in one account); functions learn them from environment variables.
 */
export class DataTables extends Construct {
  /** The designs the tables were built from, in creation order. */
  readonly designs: readonly TableDesign[];
  private readonly byId = new Map<string, dynamodb.Table>();
  private readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays;
    this.designs = props.designs ?? ALL_TABLES;
    for (const design of this.designs) this.byId.set(design.id, createTable(this, design, props.removalPolicy));
  }

  /** The table built from a design; throws for a design this construct did not create. */
  table(design: TableDesign): dynamodb.Table {
    const table = this.byId.get(design.id);
    if (!table) throw new Error(`no table was created for design "${design.id}"`);
    return table;
  }

  /** Every table with its design, in design order. */
  get all(): ReadonlyArray<{ readonly design: TableDesign; readonly table: dynamodb.Table }> {
    return this.designs.map((design) => ({ design, table: this.table(design) }));
  }

  /**
   * The environment a function needs to reach the given tables (each design's `envVar` → table name) and to
   * compute item expiry (`RETENTION_DAYS`). Only the tables a function uses should be passed, so that its
   * environment documents what it touches.
   */
  environmentFor(designs: readonly TableDesign[]): Record<string, string> {
    const environment: Record<string, string> = { [RETENTION_DAYS_ENV]: String(this.retentionDays) };
    for (const design of designs) environment[design.envVar] = this.table(design).tableName;
    return environment;
  }
}

function createTable(scope: Construct, design: TableDesign, removalPolicy: RemovalPolicy): dynamodb.Table {
  const retained = removalPolicy === RemovalPolicy.RETAIN;
  const table = new dynamodb.Table(scope, design.id, {
    partitionKey: attribute(design.partitionKey),
    ...(design.sortKey ? { sortKey: attribute(design.sortKey) } : {}),
    // On-demand: ingestion comes in bursts (CloudTrail delivers every ~5 minutes), investigations are rare.
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    tableClass: design.tableClass === 'STANDARD_INFREQUENT_ACCESS' ? dynamodb.TableClass.STANDARD_INFREQUENT_ACCESS : dynamodb.TableClass.STANDARD,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: design.timeToLiveAttribute,
    removalPolicy,
    // A retained table is investigation evidence: also guard it against deletion outside CloudFormation.
    deletionProtection: retained,
  });
  for (const index of design.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      // Queries read whole items from the indexes; ALL avoids a second GetItem per result.
      projectionType: index.projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : index.projection === 'INCLUDE' ? dynamodb.ProjectionType.INCLUDE : dynamodb.ProjectionType.ALL,
      ...(index.projection === 'INCLUDE' ? { nonKeyAttributes: [...(index.includedAttributes ?? [])] } : {}),
    });
  }
  return table;
}

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING };
}

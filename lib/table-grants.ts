import * as iam from 'aws-cdk-lib/aws-iam';
import type { TableDesign } from '../lambdas/shared/table-design';
import type { DataTables } from './data-tables';

/** Item reads that never scan: a Scan of these tables would read every session or aggregate ever ingested. */
export const READ_ITEM_ACTIONS: readonly string[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/**
 * Grants exactly `actions` on the table of a design and on the given indexes of it. Index ARNs are listed one
 * by one rather than as `/index/*`, so that an index added later is not readable by accident. CDK's
 * `grantReadData` and friends are avoided where a function's needs are known, because they also grant Scan,
 * DescribeTable and the stream actions.
 */
export function grantTableActions(
  grantee: iam.IGrantable,
  tables: DataTables,
  design: TableDesign,
  actions: readonly string[],
  indexes: 'all' | readonly string[] = [],
): void {
  const known = design.globalSecondaryIndexes.map((index) => index.indexName);
  const names = indexes === 'all' ? known : indexes;
  const unknown = names.filter((name) => !known.includes(name));
  // A typo here would otherwise surface as AccessDenied in a deployed function.
  if (unknown.length > 0) throw new Error(`table ${design.id} has no index named ${unknown.join(', ')}`);
  const tableArn = tables.table(design).tableArn;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: [...actions], resources: [tableArn, ...names.map((name) => `${tableArn}/index/${name}`)] }),
  );
}

/** What a function may do on one table: the exact DynamoDB actions, and the indexes they extend to. */
export interface TableAccess {
  readonly design: TableDesign;
  readonly actions: readonly string[];
  /** Indexes the actions also apply to (Query through an index); none by default. */
  readonly indexes?: 'all' | readonly string[];
}

/**
 * Grants a function's declared table access, one statement per table. Declaring access as data (a constant
 * next to the construct that uses it) keeps it reviewable in one place and testable against the template;
 * a new table or action is one more entry, not a new grant call.
 */
export function grantTableAccess(grantee: iam.IGrantable, tables: DataTables, access: readonly TableAccess[]): void {
  for (const entry of access) {
    if (entry.actions.length === 0) throw new Error(`no DynamoDB actions listed for table ${entry.design.id}`);
    grantTableActions(grantee, tables, entry.design, entry.actions, entry.indexes ?? []);
  }
}

/**
 * PutItem on the Activity table limited to the network report's baseline digests (`flow-eni-day#…`,
 * lambdas/core/flowlogs/baseline-digest.ts): the API and the ApiActivity stage store a digest they built,
 * and may write nothing else of the table the compaction owns (IAM's dynamodb:LeadingKeys on the partition key).
 */
export function grantBaselineDigestWrites(grantee: iam.IGrantable, tables: DataTables, design: TableDesign, digestPrefix: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [tables.table(design).tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${digestPrefix}*`] } },
    }),
  );
}

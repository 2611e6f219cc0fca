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

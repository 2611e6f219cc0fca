import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FindingListPosition, ListedFindingItem } from '../../core/guardduty/finding-list';
import { tableName } from '../../shared/config';
import { FINDINGS_TABLE } from '../../shared/table-design';
import { dynamoDocumentClient } from '../aws-clients';

/**
 * The list of findings, newest first: a Query of one `byDay` partition (never a Scan), read backwards from
 * the end of the scope (or from a NextToken's position) down to its start. The index copies only what the
 * list shows (FINDING_LIST_ATTRIBUTES), so a page costs about one read unit per 4 KB of listed findings.
 */
export const BY_DAY_INDEX = 'byDay';

export interface DayPage {
  items: ListedFindingItem[];
  /** Where to resume within the same day, when DynamoDB stopped before the day's end. */
  next?: FindingListPosition;
}

export class FindingListing {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    if (!FINDINGS_TABLE.globalSecondaryIndexes.some((index) => index.indexName === BY_DAY_INDEX)) throw new Error(`the Findings table has no ${BY_DAY_INDEX} index`);
  }

  /**
   * Findings of `day` whose sort key lies in [lower, upper], newest first, after `after` (a sort key already
   * returned: DynamoDB resumes strictly below it), at most `limit` of them.
   */
  async day(day: string, lower: string, upper: string, limit: number, after?: string): Promise<DayPage> {
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: BY_DAY_INDEX,
        KeyConditionExpression: 'listDay = :day AND listSort BETWEEN :lower AND :upper',
        ExpressionAttributeValues: { ':day': `day#${day}`, ':lower': lower, ':upper': upper },
        ScanIndexForward: false,
        Limit: limit,
        // The index's key and the table's: the finding id is what follows the update time in the sort key.
        ...(after ? { ExclusiveStartKey: { listDay: `day#${day}`, listSort: after, findingId: after.slice(after.indexOf('#') + 1) } } : {}),
      }),
    );
    const last = output.LastEvaluatedKey?.listSort;
    return { items: (output.Items ?? []) as ListedFindingItem[], ...(typeof last === 'string' ? { next: { d: day, s: last } } : {}) };
  }
}

let fromEnvironment: FindingListing | undefined;

/** The listing of a deployment (FINDINGS_TABLE), built once per container. */
export function findingListingFromEnv(env: NodeJS.ProcessEnv = process.env): FindingListing {
  fromEnvironment ??= new FindingListing(dynamoDocumentClient(), tableName(FINDINGS_TABLE, env));
  return fromEnvironment;
}

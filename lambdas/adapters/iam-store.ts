import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPut } from './batch-writer';
import { errorMessage, log } from '../shared/log';
import { decodeHistory, historyAfter, historyItem, newPartialCheckpoint, iamHistorySubject, iamSnapshotSubject, IAM_HISTORY_SLOT, snapshotItems, snapshotOfItems, type HistoryWriteOptions, type IamHistoryItem, type IamSnapshotItem } from '../core/iam/stored';
import { snapshotBaseline, type IamSnapshot } from '../core/iam/snapshot';
import type { EntityHistory, IamChange, IamEntityRef } from '../core/iam/types';

/** Attempts of one history merge against concurrent writers (two hours' compactions touching one entity). */
const MAX_MERGE_ATTEMPTS = 8;

/**
 * IAM histories and snapshots in the Activity table (layout in lambdas/core/iam/stored.ts). Every read is a
 * GetItem or a Query on keys; a history is written only when an hour's merge changes it.
 */
export class IamStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly activityTable: string,
  ) {}

  private async item(entity: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>, consistent = false): Promise<IamHistoryItem | undefined> {
    const output = await this.client.send(new GetCommand({ TableName: this.activityTable, Key: { subject: iamHistorySubject(entity), slot: IAM_HISTORY_SLOT }, ConsistentRead: consistent }));
    return output.Item as IamHistoryItem | undefined;
  }

  async history(entity: Pick<IamEntityRef, 'AccountId' | 'Type' | 'Name'>): Promise<EntityHistory | undefined> {
    const item = await this.item(entity);
    return item && decodeHistory(item.body);
  }

  /**
   * Merges changes into the entity's history: read, merge, bound, and write back (conditioned on the version
   * read) only when something changed. A conflicting writer makes it read again and retry.
   */
  async mergeChanges(entity: IamEntityRef, changes: readonly IamChange[], options: HistoryWriteOptions = {}): Promise<'written' | 'unchanged'> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.item(entity, true);
      const previous = stored && decodeHistory(stored.body);
      let next = historyAfter(previous, changes, options);
      if (!next) return 'unchanged';
      // A new checkpoint of an entity whose creation is not in the logs: fold again with the account's snapshot
      // before it, if any (two Queries, only when a fold makes such a checkpoint).
      const partial = newPartialCheckpoint(previous, next);
      const snapshot =
        partial &&
        (await this.snapshotAt(entity.AccountId, partial.Time).catch((error: unknown) => {
          // Without the snapshot the checkpoint stays PARTIAL, as it was before snapshots: never a failed compaction.
          log.warn('IAM snapshot unreadable while folding a history', { entity: iamHistorySubject(entity), error: errorMessage(error) });
          return undefined;
        }));
      const baseline = snapshot && snapshotBaseline(snapshot, entity);
      if (baseline) next = historyAfter(previous, changes, { ...options, baselines: [baseline] });
      if (!next) return 'unchanged';
      const { item } = historyItem(entity, next, (stored?.version ?? 0) + 1);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.activityTable,
            Item: item,
            ...(stored ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': stored.version } } : { ConditionExpression: 'attribute_not_exists(subject)' }),
          }),
        );
        return 'written';
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException' || attempt >= MAX_MERGE_ATTEMPTS) throw error;
      }
    }
  }

  /** Stores a snapshot (its chunks in one batch); storing the same snapshot again writes the same items. */
  async putSnapshot(snapshot: IamSnapshot): Promise<number> {
    const items = snapshotItems(snapshot);
    await batchPut(this.client, this.activityTable, items as unknown as Record<string, unknown>[]);
    return items.length;
  }

  /** The account's latest complete snapshot taken at or before `atTime`: one Query for its time, one for its chunks. */
  async snapshotAt(accountId: string, atTime: string): Promise<IamSnapshot | undefined> {
    const subject = iamSnapshotSubject(accountId);
    const bound = `${new Date(Date.parse(atTime)).toISOString()}#\uffff`;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    // Newest first; a snapshot whose chunks are not all there yet is passed over for the one before it.
    for (let page = 0; page < 16; page++) {
      const latest = await this.client.send(
        new QueryCommand({ TableName: this.activityTable, KeyConditionExpression: 'subject = :s AND slot <= :b', ExpressionAttributeValues: { ':s': subject, ':b': bound }, ScanIndexForward: false, Limit: 1, ExclusiveStartKey }),
      );
      const head = latest.Items?.[0] as IamSnapshotItem | undefined;
      if (!head) return undefined;
      const chunks = await this.client.send(
        new QueryCommand({ TableName: this.activityTable, KeyConditionExpression: 'subject = :s AND begins_with(slot, :t)', ExpressionAttributeValues: { ':s': subject, ':t': `${head.time}#` } }),
      );
      const snapshot = snapshotOfItems((chunks.Items ?? []) as IamSnapshotItem[]);
      if (snapshot) return snapshot;
      ExclusiveStartKey = { subject, slot: `${head.time}#0000` };
    }
    return undefined;
  }
}

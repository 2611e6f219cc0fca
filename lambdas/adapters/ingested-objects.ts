import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IngestedObjectItem } from '../core/model/items';

/** Bookkeeping of ingested objects in the IngestedObjects table. */
export class IngestedObjectsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(objectKey: string): Promise<IngestedObjectItem | undefined> {
    const output = await this.client.send(new GetCommand({ TableName: this.table, Key: { objectKey }, ConsistentRead: true }));
    return output.Item as IngestedObjectItem | undefined;
  }

  async put(item: IngestedObjectItem): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: item }));
  }
}

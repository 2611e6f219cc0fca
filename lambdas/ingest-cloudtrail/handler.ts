import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDocumentClient, s3 } from '../adapters/aws-clients';
import { batchPut } from '../adapters/batch-writer';
import { sendCompactionRequests } from '../adapters/compaction-queue';
import { IngestedObjectsStore } from '../adapters/ingested-objects';
import { openObject } from '../adapters/s3-objects';
import { openFlowObject } from '../adapters/flow-objects';
import { s3ObjectKey } from '../core/model/items';
import { compactionSettleMs, retentionDays, tableName } from '../shared/config';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BOOKKEEPING_DAYS, expiryFrom, PENDING_MARK } from '../core/model/items';
import { loggedHandler } from '../shared/lambda-logging';
import { withLogContext } from '../shared/log';
import { batchCorrelationId, processSqsRecords } from '../shared/sqs-batch';
import { COMPACTION_QUEUE_ENV, HOUR_OBJECTS_TABLE, INGESTED_OBJECTS_TABLE } from '../shared/table-design';
import { ingestObject, type IngestDependencies, type IngestResult } from './ingest-object';
import { objectKeysInMessage, objectsInMessage } from './s3-notifications';

/**
 * SQS → ingest. Each message announces S3 objects; a message whose objects all ingested (or were skipped
 * for a logged reason) succeeds, any other is reported in `batchItemFailures` so that only it is retried
 * (and reaches the dead-letter queue after maxReceiveCount). Objects are ingested one after another to keep
 * memory bounded by one file.
 */
export function productionDependencies(env: NodeJS.ProcessEnv = process.env): IngestDependencies {
  const client = dynamoDocumentClient();
  const store = new IngestedObjectsStore(client, tableName(INGESTED_OBJECTS_TABLE, env));
  const hourObjectsTable = tableName(HOUR_OBJECTS_TABLE, env);
  const queueUrl = env[COMPACTION_QUEUE_ENV];
  if (!queueUrl) throw new Error(`${COMPACTION_QUEUE_ENV} must be set`);
  return {
    openObject: (bucket, key) => openObject(s3(), bucket, key),
    openFlowObject: (bucket, key, format) => openFlowObject(s3(), bucket, key, format),
    getIngested: (objectKey) => store.get(objectKey),
    putIngested: (item) => store.put(item),
    registerHours: async (items) => void (await batchPut(client, hourObjectsTable, items as unknown as Record<string, unknown>[])),
    markCompactionPending: async (hourKey, at, objectKey) => {
      // Most objects of an hour find its mark set: a strongly consistent read (1 read unit) instead of a write
      // (1 write unit, five times the price). Safe: the object's registration was written before this read, and
      // the compaction clears the mark before it lists the registrations.
      const current = (await client.send(new GetCommand({ TableName: hourObjectsTable, Key: { hourKey, objectId: PENDING_MARK }, ConsistentRead: true }))).Item as { pendingSince?: string; pendingBy?: string } | undefined;
      if (current?.pendingSince) return { pendingSince: current.pendingSince, ...(current.pendingBy ? { pendingBy: current.pendingBy } : {}) };
      const output = await client.send(
        new UpdateCommand({
          TableName: hourObjectsTable,
          Key: { hourKey, objectId: PENDING_MARK },
          UpdateExpression: 'SET pendingSince = if_not_exists(pendingSince, :at), pendingBy = if_not_exists(pendingBy, :by), expiresAt = :expires',
          ExpressionAttributeValues: { ':at': at, ':by': objectKey, ':expires': expiryFrom(at, BOOKKEEPING_DAYS) },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const old = output.Attributes as { pendingSince?: string; pendingBy?: string } | undefined;
      return old?.pendingSince ? { pendingSince: old.pendingSince, ...(old.pendingBy ? { pendingBy: old.pendingBy } : {}) } : undefined;
    },
    requestCompaction: (requests) => sendCompactionRequests(queueUrl, requests),
    retentionDays: retentionDays(env),
    settleMs: compactionSettleMs(env),
  };
}

export interface IngestBatchOutcome extends SQSBatchResponse {
  results: IngestResult[];
}

export async function ingestSqsBatch(event: SQSEvent, deps: IngestDependencies): Promise<IngestBatchOutcome> {
  const results: IngestResult[] = [];
  const { batchItemFailures } = await processSqsRecords(
    event,
    async (message) => {
      for (const object of objectsInMessage(message.body)) {
        // The object key is the correlation id of everything logged while the object is ingested.
        results.push(await withLogContext({ correlationId: s3ObjectKey(object.bucket, object.key) }, () => ingestObject(object, deps)));
      }
    },
    // A message that fails (and may end in the dead-letter queue) is named by the objects it announced.
    (message) => ({ objectKeys: objectKeysInMessage(message.body) }),
  );
  return { batchItemFailures, results };
}

export const handler = loggedHandler<SQSEvent, SQSBatchResponse>({ name: 'ingest-cloudtrail', correlationId: batchCorrelationId }, async (event) => {
  const { batchItemFailures } = await ingestSqsBatch(event, productionDependencies());
  return { batchItemFailures };
});

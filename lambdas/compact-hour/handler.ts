import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, s3 } from '../adapters/aws-clients';
import { batchDelete, batchPut, batchWriteTables, type TableWrite } from '../adapters/batch-writer';
import { delayMessage, parseCompactionMessage } from '../adapters/compaction-queue';
import { EventsStore } from '../adapters/events-store';
import { IamStore } from '../adapters/iam-store';
import { openObject } from '../adapters/s3-objects';
import { compactionSettleMs, retentionDays, tableName } from '../shared/config';
import { loggedHandler } from '../shared/lambda-logging';
import { errorMessage, log, withLogContext } from '../shared/log';
import { batchCorrelationId } from '../shared/sqs-batch';
import { ACTIVITY_TABLE, COMPACTION_QUEUE_ENV, HOUR_OBJECTS_TABLE, INDEX_BUCKET_ENV, SESSIONS_TABLE } from '../shared/table-design';
import { activitySlot, PENDING_MARK, type AccountHourItem, type HourObjectItem } from '../core/model/items';
import { subjectOfAccount } from '../core/cloudtrail/activity';
import { packActivity } from '../core/storage/activity-body';
import { compactHour, type CompactionDependencies, type CompactionOutcome, type HourItemWrites } from './compact-hour';
import { compactFlowHour, type FlowCompactionOutcome } from './compact-flow-hour';
import { isFlowHourKey } from '../core/flowlogs/flow-hours';
import { flowAccountSubject, instanceInterfacesSubject, type FlowManifestItem } from '../core/flowlogs/flow-items';
import { openFlowObject } from '../adapters/flow-objects';

/**
 * SQS (FIFO, one message group per account-hour) → compaction. Messages of one batch that name the same hour
 * are served by one compaction. An hour that has not settled yet is hidden until it does and reported failed,
 * so SQS brings it back then; any other failure is retried by SQS and ends in the dead-letter queue.
 */
export function compactionDependencies(env: NodeJS.ProcessEnv = process.env): CompactionDependencies {
  const client = dynamoDocumentClient();
  const activityTable = tableName(ACTIVITY_TABLE);
  const sessionsTable = tableName(SESSIONS_TABLE);
  const hourObjectsTable = tableName(HOUR_OBJECTS_TABLE);
  const bucket = env[INDEX_BUCKET_ENV];
  if (!bucket) throw new Error(`${INDEX_BUCKET_ENV} must be set`);
  const events = new EventsStore(s3(), bucket);
  const iam = new IamStore(client, activityTable);
  const listHourObjects = async (hourKey: string): Promise<HourObjectItem[]> => {
    const items: HourObjectItem[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await client.send(new QueryCommand({ TableName: hourObjectsTable, KeyConditionExpression: 'hourKey = :k', ExpressionAttributeValues: { ':k': hourKey }, ExclusiveStartKey, ConsistentRead: true }));
      items.push(...((output.Items ?? []) as HourObjectItem[]).filter((item) => item.objectId !== PENDING_MARK));
      ExclusiveStartKey = output.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };
  return {
    listHourObjects,
    clearCompactionPending: async (hourKey) => void (await client.send(new DeleteCommand({ TableName: hourObjectsTable, Key: { hourKey, objectId: PENDING_MARK } }))),
    getAccountHour: async (accountId, hour) =>
      (await client.send(new GetCommand({ TableName: activityTable, Key: { subject: subjectOfAccount(accountId), slot: activitySlot(hour, accountId) }, ConsistentRead: true }))).Item as AccountHourItem | undefined,
    openObject: (bucketName, key) => openObject(s3(), bucketName, key),
    // Only a header that is gone reads as none: any other failure must fail the compaction (and be retried), since
    // the header names the hour's objects whose registrations have expired.
    readHeader: async (accountId, hour, ref) =>
      events.header(accountId, hour, ref).catch((error: { name?: string }) => {
        if (error.name === 'NoSuchKey') return undefined;
        throw error;
      }),
    writeEvents: (header, segments, generation) => events.write(header, segments, generation),
    writeHourItems: async (writes) => void (await batchWriteTables(client, hourItemWrites(writes, activityTable, sessionsTable))),
    putInterfaceMappings: async (items) => void (await batchPut(client, activityTable, items as unknown as Record<string, unknown>[])),
    putAccountHour: async (item) => void (await client.send(new PutCommand({ TableName: activityTable, Item: packActivity(item) }))),
    removeGeneration: (accountId, hour, generation) => events.removeGeneration(accountId, hour, generation),
    mergeIamHistory: (entity, changes, retainedFrom) => iam.mergeChanges(entity, changes, { retainedFrom }),
    retentionDays: retentionDays(),
    settleMs: compactionSettleMs(),
    flow: {
      listHourObjects: (hourKey) => listHourObjects(hourKey),
      clearCompactionPending: async (hourKey) => void (await client.send(new DeleteCommand({ TableName: hourObjectsTable, Key: { hourKey, objectId: PENDING_MARK } }))),
      getFlowManifest: async (accountId, hour) =>
        (await client.send(new GetCommand({ TableName: activityTable, Key: { subject: flowAccountSubject(accountId), slot: activitySlot(hour, accountId) }, ConsistentRead: true }))).Item as FlowManifestItem | undefined,
      openFlowObject: (bucketName, key, format) => openFlowObject(s3(), bucketName, key, format),
      putItems: async (items) => void (await batchPut(client, activityTable, items as unknown as Record<string, unknown>[])),
      deleteItems: async (keys) => void (await batchDelete(client, activityTable, keys)),
      getItem: async (subject, slot) => (await client.send(new GetCommand({ TableName: activityTable, Key: { subject, slot }, ConsistentRead: true }))).Item,
      instanceInterfaces: async (instanceId) => {
        const interfaceIds: string[] = [];
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const output = await client.send(new QueryCommand({ TableName: activityTable, KeyConditionExpression: 'subject = :s', ExpressionAttributeValues: { ':s': instanceInterfacesSubject(instanceId) }, ProjectionExpression: 'slot', ExclusiveStartKey }));
          for (const item of output.Items ?? []) interfaceIds.push(item.slot as string);
          ExclusiveStartKey = output.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return interfaceIds;
      },
      retentionDays: retentionDays(),
      settleMs: compactionSettleMs(),
    },
  };
}

/** A compaction's items as one list of writes: a quiet hour's handful of items is one BatchWriteItem. */
export function hourItemWrites(writes: HourItemWrites, activityTable: string, sessionsTable: string): TableWrite[] {
  const put = (table: string, items: readonly object[]) => items.map((item) => ({ table, put: item as Record<string, unknown> }));
  return [
    ...put(activityTable, writes.activity.map(packActivity)),
    ...writes.goneActivity.map((key) => ({ table: activityTable, delete: key })),
    ...put(sessionsTable, writes.sessions),
    ...put(activityTable, writes.index),
  ];
}

export interface CompactionBatchOutcome extends SQSBatchResponse {
  outcomes: (CompactionOutcome | FlowCompactionOutcome)[];
}

export interface CompactionBatchOptions {
  /** Hides a not-yet-settled message until its hour settles (in AWS: ChangeMessageVisibility). */
  delay?: (queueArn: string, receiptHandle: string, seconds: number) => Promise<void>;
  now?: () => Date;
}

export async function compactSqsBatch(event: SQSEvent, deps: CompactionDependencies, options: CompactionBatchOptions = {}): Promise<CompactionBatchOutcome> {
  const byHour = new Map<string, SQSEvent['Records']>();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    const request = parseCompactionMessage(message.body);
    if (!request) {
      // Nothing to retry: a message we did not write. Logged and dropped.
      log.error('malformed compaction message dropped', { messageId: message.messageId });
      continue;
    }
    const group = byHour.get(request.hourKey) ?? [];
    group.push(message);
    byHour.set(request.hourKey, group);
  }
  const outcomes: (CompactionOutcome | FlowCompactionOutcome)[] = [];
  for (const [hourKey, messages] of byHour) {
    try {
      // The account-hour is the correlation id of everything logged while it is compacted.
      const outcome = await withLogContext({ correlationId: hourKey }, () => compactAnyHour(hourKey, deps, options));
      outcomes.push(outcome);
      if (outcome.status === 'not-settled') {
        const waitSeconds = (Date.parse(outcome.settlesAt) - (options.now ?? (() => new Date()))().getTime()) / 1000;
        for (const message of messages) {
          await options.delay?.(message.eventSourceARN, message.receiptHandle, waitSeconds);
          batchItemFailures.push({ itemIdentifier: message.messageId });
        }
        continue;
      }
      if (outcome.status === 'compacted') log.info('compacted hour', outcome);
      else log.info('compaction skipped', outcome);
    } catch (error) {
      log.error('compaction failed; it will be retried', { hourKey, error: errorMessage(error) });
      for (const message of messages) batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures, outcomes };
}

/** CloudTrail hours (`<account>#<hour>`) and flow-log hours (`flow#<account>#<hour>`) share the queue. */
function compactAnyHour(hourKey: string, deps: CompactionDependencies, options: CompactionBatchOptions): Promise<CompactionOutcome | FlowCompactionOutcome> {
  const now = options.now ? { now: options.now } : {};
  if (!isFlowHourKey(hourKey)) return compactHour(hourKey, { ...deps, ...now });
  if (!deps.flow) return Promise.resolve({ status: 'invalid', hourKey, reason: 'flow-log compaction is not configured' });
  return compactFlowHour(hourKey, { ...deps.flow, ...now });
}

export const handler = loggedHandler<SQSEvent, SQSBatchResponse>({ name: 'compact-hour', correlationId: batchCorrelationId }, async (event) => {
  // The queue's URL from the stack (an ARN does not give it in every partition).
  const queueUrl = process.env[COMPACTION_QUEUE_ENV] ?? '';
  const { batchItemFailures } = await compactSqsBatch(event, compactionDependencies(), { delay: (_queueArn, receiptHandle, seconds) => delayMessage(queueUrl, receiptHandle, seconds) });
  return { batchItemFailures };
});

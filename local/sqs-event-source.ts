import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * What the deployed stack does with SQS (S3 notifications → queue → Lambda event source mapping with
 * ReportBatchItemFailures → dead-letter queue after maxReceiveCount), done in process: messages are handed
 * to the handler in batches, the ones it reports as failed are delivered again, and after `maxReceiveCount`
 * receives they move to the dead-letter list.
 */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

export interface DrainProgress {
  delivered: number;
  pending: number;
  deadLettered: number;
}

export class LocalSqsEventSource {
  private readonly queue: QueuedMessage[] = [];
  readonly deadLetters: QueuedMessage[] = [];

  constructor(
    private readonly handler: SqsHandler,
    private readonly options: { batchSize: number; maxReceiveCount: number; queueArn: string } = { batchSize: 10, maxReceiveCount: 5, queueArn: 'arn:aws:sqs:us-east-1:000000000000:trailhound-local-ingest' },
  ) {}

  send(body: string): void {
    this.queue.push({ messageId: randomUUID(), body, receiveCount: 0, sentAt: Date.now() });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Delivers until the queue is empty; `onBatch` sees progress after every batch. */
  async drain(onBatch?: (progress: DrainProgress, delivered: number) => void): Promise<void> {
    let delivered = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.batchSize);
      for (const message of batch) message.receiveCount++;
      const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
      let failedIds: Set<string>;
      try {
        const response = await this.handler(event, localContext());
        failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        // A handler that throws fails the whole batch, as with the real event source mapping.
        failedIds = new Set(batch.map((m) => m.messageId));
      }
      for (const message of batch) {
        if (!failedIds.has(message.messageId)) {
          delivered++;
          continue;
        }
        if (message.receiveCount >= this.options.maxReceiveCount) this.deadLetters.push(message);
        else this.queue.push(message);
      }
      onBatch?.({ delivered, pending: this.queue.length, deadLettered: this.deadLetters.length }, batch.length);
    }
  }

  private toRecord(message: QueuedMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'AIDAS3NOTIFICATIONS',
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: 'us-east-1',
    };
  }
}

function localContext(): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'trailhound-local-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:trailhound-local-ingest',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/trailhound-local-ingest',
    logStreamName: requestId,
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

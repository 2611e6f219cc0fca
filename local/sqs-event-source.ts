import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * What the deployed stack does with SQS (S3 notifications → queue → Lambda event source mapping with
 * ReportBatchItemFailures → dead-letter queue after maxReceiveCount), done in process: messages are handed
 * to the handler in batches, the ones it reports as failed are delivered again, and after `maxReceiveCount`
 * receives they move to the dead-letter list.
 *
 * Up to `concurrency` batches are in flight at once, as Lambda runs several invocations of a function at once.
 * A FIFO queue (`messageGroup` given) never has two batches in flight with messages of the same message group,
 * as SQS FIFO with Lambda guarantees: a group's messages are handled one batch after another, in order.
 */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  group?: string;
}

export interface DrainProgress {
  delivered: number;
  pending: number;
  deadLettered: number;
}

export interface EventSourceOptions {
  batchSize: number;
  maxReceiveCount: number;
  queueArn: string;
  /** Batches in flight at once (default 1). */
  concurrency?: number;
  /** The message group of a FIFO queue's message (its body given). */
  messageGroup?: (body: string) => string;
}

export class LocalSqsEventSource {
  private readonly queue: QueuedMessage[] = [];
  readonly deadLetters: QueuedMessage[] = [];
  private inFlight = 0;

  constructor(
    private readonly handler: SqsHandler,
    private readonly options: EventSourceOptions = { batchSize: 10, maxReceiveCount: 5, queueArn: 'arn:aws:sqs:us-east-1:000000000000:trailhound-local-ingest' },
  ) {}

  send(body: string): void {
    const group = this.options.messageGroup?.(body);
    this.queue.push({ messageId: randomUUID(), body, receiveCount: 0, sentAt: Date.now(), ...(group !== undefined ? { group } : {}) });
  }

  /** Messages waiting or being handled. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * Delivers until the queue is empty and no batch is in flight; `onBatch` sees progress after every batch.
   * When `signal` aborts, no further batch starts, the ones in flight are awaited, and drain rejects with its reason.
   */
  async drain(onBatch?: (progress: DrainProgress, delivered: number) => void, signal?: AbortSignal): Promise<void> {
    let delivered = 0;
    const running = new Set<Promise<void>>();
    const busyGroups = new Set<string>();
    const concurrency = Math.max(1, this.options.concurrency ?? 1);

    const deliver = async (batch: QueuedMessage[]): Promise<void> => {
      const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
      let failedIds: Set<string>;
      try {
        const response = await this.handler(event, localContext());
        failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        // A handler that throws fails the whole batch, as with the real event source mapping.
        failedIds = new Set(batch.map((m) => m.messageId));
      }
      this.inFlight -= batch.length;
      for (const message of batch) {
        if (message.group !== undefined) busyGroups.delete(message.group);
        if (!failedIds.has(message.messageId)) {
          delivered++;
          continue;
        }
        if (message.receiveCount >= this.options.maxReceiveCount) this.deadLetters.push(message);
        else this.queue.push(message);
      }
      onBatch?.({ delivered, pending: this.pending, deadLettered: this.deadLetters.length }, batch.length);
    };

    while (!signal?.aborted) {
      while (running.size < concurrency) {
        const batch = this.nextBatch(busyGroups);
        if (batch.length === 0) break;
        this.inFlight += batch.length;
        for (const message of batch) {
          message.receiveCount++;
          if (message.group !== undefined) busyGroups.add(message.group);
        }
        const delivery = deliver(batch).finally(() => running.delete(delivery));
        running.add(delivery);
      }
      // Nothing in flight and nothing to start: the queue is empty.
      if (running.size === 0) break;
      await Promise.race(running);
    }
    await Promise.all(running);
    signal?.throwIfAborted();
  }

  /** The next batch: the oldest messages, skipping those of a FIFO group that is in flight. */
  private nextBatch(busyGroups: ReadonlySet<string>): QueuedMessage[] {
    if (!this.options.messageGroup) return this.queue.splice(0, this.options.batchSize);
    const batch: QueuedMessage[] = [];
    for (let i = 0; i < this.queue.length && batch.length < this.options.batchSize; ) {
      const message = this.queue[i];
      if (message.group !== undefined && busyGroups.has(message.group)) {
        i++;
        continue;
      }
      batch.push(...this.queue.splice(i, 1));
    }
    return batch;
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
        ...(message.group !== undefined ? { MessageGroupId: message.group } : {}),
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

import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

/**
 * The FIFO queue of account-hours to compact. Messages of one account-hour share a message group, so one
 * compaction of an hour runs at a time; a message for an object already announced within SQS's five-minute
 * deduplication window is dropped by SQS itself.
 */
export interface CompactionRequest {
  hourKey: string;
  /** The object that made the request (for deduplication and the logs). */
  objectKey: string;
  etag?: string;
}

export function compactionMessageBody(request: CompactionRequest): string {
  return JSON.stringify(request);
}

export function parseCompactionMessage(body: string): CompactionRequest | undefined {
  try {
    const value = JSON.parse(body) as Partial<CompactionRequest>;
    return typeof value.hourKey === 'string' && typeof value.objectKey === 'string' ? (value as CompactionRequest) : undefined;
  } catch {
    return undefined;
  }
}

let client: SQSClient | undefined;

/** Local mode's stand-in for the queue (see local/local-stack.ts): requests go to it instead of SQS. */
let localQueue: ((requests: readonly CompactionRequest[]) => void) | undefined;

export function useLocalCompactionQueue(queue: ((requests: readonly CompactionRequest[]) => void) | undefined): void {
  localQueue = queue;
}

function sqs(): SQSClient {
  client ??= new SQSClient({ maxAttempts: 5 });
  return client;
}

export async function sendCompactionRequests(queueUrl: string, requests: readonly CompactionRequest[]): Promise<void> {
  if (localQueue) return localQueue(requests);
  for (let i = 0; i < requests.length; i += 10) {
    const batch = requests.slice(i, i + 10);
    const output = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((request, index) => ({
          Id: String(index),
          MessageBody: compactionMessageBody(request),
          MessageGroupId: request.hourKey,
          MessageDeduplicationId: createHash('sha256').update(`${request.hourKey}|${request.objectKey}|${request.etag ?? ''}`).digest('hex'),
        })),
      }),
    );
    if ((output.Failed ?? []).length > 0) throw new Error(`compaction queue refused ${output.Failed?.length} message(s): ${output.Failed?.[0]?.Message ?? ''}`);
  }
}

/** Hides a message until its hour settles, so the retry comes when compaction can run (at most 12 hours). */
export async function delayMessage(queueUrl: string, receiptHandle: string, seconds: number): Promise<void> {
  if (localQueue) return; // the local queue redelivers at once; local mode compacts without waiting
  await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.max(0, Math.min(43_200, Math.ceil(seconds))) }));
}

export function resetCompactionQueueClient(): void {
  client?.destroy();
  client = undefined;
}

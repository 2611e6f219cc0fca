import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorMessage, log, withLogContext } from './log';

/**
 * Partial batch responses for SQS event sources (with `reportBatchItemFailures`): each record is processed in
 * turn, in a log context naming its message id, and a record that throws is logged and reported in
 * `batchItemFailures`, so that only it returns to the queue (and reaches the dead-letter queue after
 * maxReceiveCount) while the others are deleted. Records are processed one after another, which bounds memory
 * by one record's work. The function only throws (failing the whole batch) for what is not a record's fault.
 */
export async function processSqsRecords(
  event: SQSEvent,
  processRecord: (record: SQSRecord) => Promise<void>,
  /** What a failure line says of the record besides its id (e.g. the object keys it announced); must not throw. */
  describe: (record: SQSRecord) => Record<string, unknown> = () => ({}),
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    await withLogContext({ messageId: record.messageId, correlationId: record.messageId }, async () => {
      try {
        await processRecord(record);
      } catch (error) {
        log.error('message failed; it will be retried', { ...describe(record), error: errorMessage(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    });
  }
  return { batchItemFailures };
}

/** The message ids of a batch, as the correlation id of lines about the whole invocation. */
export function batchCorrelationId(event: SQSEvent): string | undefined {
  const ids = Array.isArray(event?.Records) ? event.Records.map((record) => record?.messageId).filter((id) => typeof id === 'string') : [];
  return ids.length > 0 ? ids.join(',') : undefined;
}

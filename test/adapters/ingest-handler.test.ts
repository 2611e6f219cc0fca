import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { SQSEvent } from 'aws-lambda';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ingestSqsBatch, productionDependencies } from '../../lambdas/ingest-cloudtrail/handler';
import { PARSER_VERSION } from '../../lambdas/core/model/items';
import { assumedRole, record } from '../helpers/records';
import { setLogSink } from '../../lambdas/shared/log';

process.env.HOUR_OBJECTS_TABLE = 'HourObjects';
process.env.INGESTED_OBJECTS_TABLE = 'IngestedObjects';
process.env.COMPACTION_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/trailhound-compaction.fifo';
process.env.AWS_REGION = 'us-east-1';

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

const LOG_KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/22/111122223333_CloudTrail_us-east-1_20261022T1005Z_AbCdEf0123456789.json.gz';
const DIGEST_KEY = 'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/22/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261022T100500Z.json.gz';
const log = gzipSync(JSON.stringify({ Records: [record({ userIdentity: assumedRole('Admin', 'alice', 'ASIAADMIN') })] }));

function notification(key: string, etag = 'abc'): string {
  return JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'logs' }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), eTag: etag, size: log.length } } }] });
}

function sqsEvent(...bodies: string[]): SQSEvent {
  return { Records: bodies.map((body, i) => ({ messageId: `m${i}`, body }) as SQSEvent['Records'][number]) };
}

// openObject only iterates the body, which any Node Readable supports.
const body = () => Readable.from([log]) as never;

beforeEach(() => {
  s3.reset();
  dynamo.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
  dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  // No compaction pending for the hour yet.
  dynamo.on(UpdateCommand).resolves({});
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('ingest handler', () => {
  it('ingests the announced objects, skips digests and test events, and reports only the broken message', async () => {
    s3.on(GetObjectCommand, { Key: LOG_KEY }).callsFake(() => ({ Body: body(), ETag: '"abc"' }));
    const outcome = await ingestSqsBatch(sqsEvent(notification(LOG_KEY), notification(DIGEST_KEY), JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }), 'not json'), productionDependencies());
    expect(outcome.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    expect(outcome.results.map((r) => r.status)).toEqual(['DONE', 'SKIPPED']);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1); // the digest is never downloaded
    const written = dynamo.commandCalls(BatchWriteCommand).flatMap((c) => Object.keys(c.args[0].input.RequestItems ?? {}));
    expect(new Set(written)).toEqual(new Set(['HourObjects']));
    // One compaction request for the one account-hour, grouped and deduplicated by SQS FIFO.
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ MessageGroupId: '111122223333#2026-10-22T10', MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('asks once per account-hour while a compaction of it is pending, and again when the mark is stale', async () => {
    s3.on(GetObjectCommand, { Key: LOG_KEY }).callsFake(() => ({ Body: body(), ETag: '"abc"' }));
    dynamo.on(UpdateCommand).resolves({ Attributes: { pendingSince: new Date().toISOString() } });
    await ingestSqsBatch(sqsEvent(notification(LOG_KEY)), productionDependencies());
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    // Set long ago, and the hour (2026-10-22T10) settled long ago: the request was lost, ask again.
    dynamo.on(UpdateCommand).resolves({ Attributes: { pendingSince: '2026-10-22T11:00:00.000Z' } });
    await ingestSqsBatch(sqsEvent(notification(LOG_KEY)), productionDependencies());
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('fails the message when the compaction queue refuses the request, so the object is ingested again', async () => {
    s3.on(GetObjectCommand, { Key: LOG_KEY }).callsFake(() => ({ Body: body(), ETag: '"abc"' }));
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError', Message: 'try again' }] });
    const outcome = await ingestSqsBatch(sqsEvent(notification(LOG_KEY)), productionDependencies());
    expect(outcome.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    // No outcome was recorded: the retry reads the object again instead of skipping it as a duplicate.
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('skips a duplicate delivery of an object already ingested with the same ETag', async () => {
    dynamo.on(GetCommand).resolves({ Item: { objectKey: `s3://logs/${LOG_KEY}`, status: 'DONE', etag: 'abc', parserVersion: PARSER_VERSION, attempts: 1 } });
    const outcome = await ingestSqsBatch(sqsEvent(notification(LOG_KEY)), productionDependencies());
    expect(outcome.results[0].status).toBe('DUPLICATE');
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('fails the message (for a retry) when S3 or DynamoDB keep throttling, and names its objects in the log', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Slow Down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    const lines: Record<string, unknown>[] = [];
    setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';
    try {
      const outcome = await ingestSqsBatch(sqsEvent(notification(LOG_KEY), notification(DIGEST_KEY)), productionDependencies());
      expect(outcome.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    } finally {
      process.env.LOG_LEVEL = level;
      setLogSink((line) => console.log(line));
    }
    expect(lines).toEqual([expect.objectContaining({ level: 'error', messageId: 'm0', objectKeys: [`s3://logs/${LOG_KEY}`] })]);
  });

  it('records an object that disappeared instead of retrying forever', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    const outcome = await ingestSqsBatch(sqsEvent(notification(LOG_KEY)), productionDependencies());
    expect(outcome.batchItemFailures).toEqual([]);
    expect(outcome.results[0]).toMatchObject({ status: 'FAILED', error: expect.stringContaining('no longer exists') });
  });
});

import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { buildApiHandler } from '../../lambdas/api/handler';
import { buildGuardDutyHandler, type GuardDutyFindingEvent } from '../../lambdas/guardduty-trigger/handler';
import type { GuardDutyTriggerDependencies } from '../../lambdas/guardduty-trigger/process-finding';
import { handler as ingestHandler } from '../../lambdas/ingest-cloudtrail/handler';
import { stageHandler } from '../../lambdas/investigation-stages/stage-handler';
import { INVESTIGATION_STAGES, stageEntry } from '../../lambdas/investigation-stages/stages';
import { log } from '../../lambdas/shared/log';
import { assumedRole, record } from '../helpers/records';
import { captureLogs, fakeContext } from './capture';

const capture = captureLogs();
afterAll(() => capture.restore());
beforeEach(() => capture.lines.splice(0));

describe('every Lambda handler runs in the logging middleware', () => {
  it.each(INVESTIGATION_STAGES)('stage %s', async (stage) => {
    const module = (await import(`../../${stageEntry(stage)}`)) as { handler: { use?: unknown } };
    // A middy handler: the middleware (and so the log context) cannot be bypassed by the stage's export.
    expect(typeof module.handler.use).toBe('function');
  });

  it('correlates a stage by its investigation id', async () => {
    const handler = stageHandler('Score', async (input: { investigationId: string }) => log.info('scored', { id: input.investigationId }));
    await handler({ investigationId: 'inv-1' }, fakeContext('req-stage'));
    expect(capture.lines).toEqual([expect.objectContaining({ message: 'scored', awsRequestId: 'req-stage', correlationId: 'inv-1' })]);
  });

  describe('API', () => {
    const broken = buildApiHandler(() => {
      throw new Error('STATE_MACHINE_ARN is not set');
    });
    const request = (body: string | null, isBase64Encoded = false) =>
      ({ httpMethod: 'POST', path: '/investigations/getInvestigation', body, isBase64Encoded, requestContext: { requestId: 'apigw-1' } }) as unknown as APIGatewayProxyEvent;

    it.each([
      ['the investigation id of the body', request('{"investigationId":"inv-2"}'), 'inv-2'],
      ['a base64 body', request(Buffer.from('{"investigationId":"inv-3"}').toString('base64'), true), 'inv-3'],
      ['API Gateway\'s request id without one', request('{"graphArn":"x"}'), 'apigw-1'],
      ['API Gateway\'s request id for a body that is not JSON', request('{'), 'apigw-1'],
    ])('correlates by %s', async (_name, event, correlationId) => {
      const response = await broken(event, fakeContext('req-api'));
      expect(response.statusCode).toBe(500);
      expect(capture.lines).toEqual([expect.objectContaining({ level: 'error', awsRequestId: 'req-api', correlationId })]);
    });
  });

  it('correlates the GuardDuty trigger by finding id', async () => {
    const handler = buildGuardDutyHandler({ maxScopeDays: 30, minSeverity: 0 } as GuardDutyTriggerDependencies);
    const event = { id: 'event-1', source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: { id: 'finding-1', schemaVersion: '2.0' } } as unknown as GuardDutyFindingEvent;
    const outcome = await handler(event, fakeContext('req-gd'));
    expect(outcome.outcome).toBe('rejected');
    expect(capture.lines.length).toBeGreaterThan(0);
    for (const line of capture.lines) expect(line).toMatchObject({ awsRequestId: 'req-gd', correlationId: 'finding-1' });
  });

  describe('ingest', () => {
    const s3 = mockClient(S3Client);
    const dynamo = mockClient(DynamoDBDocumentClient);
    const sqs = mockClient(SQSClient);
    const KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/22/111122223333_CloudTrail_us-east-1_20261022T1005Z_AbCdEf0123456789.json.gz';
    const logObject = gzipSync(JSON.stringify({ Records: [record({ userIdentity: assumedRole('Admin', 'alice', 'ASIAADMIN') })] }));
    const notification = JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'logs' }, object: { key: KEY, eTag: 'abc', size: logObject.length } } }] });
    const event = { Records: [{ messageId: 'm0', body: notification }, { messageId: 'm1', body: 'not json' }] } as SQSEvent;

    beforeAll(() => {
      Object.assign(process.env, {
        HOUR_OBJECTS_TABLE: 'HourObjects',
        INGESTED_OBJECTS_TABLE: 'IngestedObjects',
        COMPACTION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/trailhound-compaction.fifo',
        AWS_REGION: 'us-east-1',
      });
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      dynamo.on(UpdateCommand).resolves({});
      s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([logObject]), ETag: '"abc"' }));
      dynamo.on(GetCommand).resolves({});
      dynamo.on(PutCommand).resolves({});
      dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    });

    it('correlates an object by its key and a bad message by its id, and reports only the bad message', async () => {
      const response = await ingestHandler(event, fakeContext('req-ingest'));
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
      const ingested = capture.lines.find((line) => line.message === 'ingested object');
      expect(ingested).toMatchObject({ awsRequestId: 'req-ingest', messageId: 'm0', correlationId: `s3://logs/${KEY}` });
      const failed = capture.lines.find((line) => line.level === 'error');
      expect(failed).toMatchObject({ awsRequestId: 'req-ingest', messageId: 'm1', correlationId: 'm1' });
      for (const line of capture.lines) expect(line).toMatchObject({ awsRequestId: 'req-ingest', functionName: 'Trailhound-Function' });
    });
  });
});

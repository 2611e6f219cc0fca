import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { buildApiHandler, handler, productionDependencies } from '../../lambdas/api/handler';
import { MAX_REQUEST_BODY_BYTES, tooLargeResponse } from '../../lambdas/api/http';
import { lambdaContext, toProxyEvent } from '../../local/http/proxy-event';

/**
 * The deployed handler with its production adapters (DynamoDB document client, Step Functions), the AWS
 * clients mocked: what reaches AWS, and how AWS-side failures are reported to callers.
 */
process.env.INVESTIGATIONS_TABLE = 'Investigations';
process.env.INDICATORS_TABLE = 'Indicators';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:investigate';
process.env.AWS_REGION = 'us-east-1';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

function event(path: string, body: unknown): APIGatewayProxyEvent {
  return toProxyEvent({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), sourceIp: '127.0.0.1' });
}

async function invoke(path: string, body: unknown, fn = handler): Promise<APIGatewayProxyResult> {
  const e = event(path, body);
  return fn(e, lambdaContext(e.requestContext.requestId));
}

// A scope that ended long enough ago for its last hour to be compacted: the analysis starts at once (no notBefore).
const start = { EntityArn: 'arn:aws:iam::111122223333:role/Admin', ScopeStartTime: new Date(Date.now() - 4 * 3_600_000).toISOString(), ScopeEndTime: new Date(Date.now() - 3 * 3_600_000).toISOString() };

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
});

describe('API Lambda handler', () => {
  it('creates the item conditionally, then starts an execution named after the investigation', async () => {
    dynamo.on(PutCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:...:execution:x' });
    const result = await invoke('/investigations/startInvestigation', start);
    expect(result.statusCode).toBe(200);
    const { InvestigationId } = JSON.parse(result.body) as { InvestigationId: string };

    const put = dynamo.commandCalls(PutCommand)[0].args[0].input;
    expect(put.TableName).toBe('Investigations');
    expect(put.ConditionExpression).toBe('attribute_not_exists(investigationId)');
    expect(put.Item).toMatchObject({ investigationId: InvestigationId, listKey: 'INVESTIGATION', status: 'RUNNING', state: 'ACTIVE', severity: 'INFORMATIONAL', entityType: 'IAM_ROLE' });
    expect(typeof put.Item?.expiresAt).toBe('number');

    const execution = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(execution.stateMachineArn).toBe(process.env.STATE_MACHINE_ARN);
    expect(execution.name).toBe(InvestigationId);
    expect(JSON.parse(execution.input!)).toEqual({ investigationId: InvestigationId, entityArn: start.EntityArn, entityType: 'IAM_ROLE', scopeStartTime: start.ScopeStartTime, scopeEndTime: start.ScopeEndTime });
  });

  it('treats an execution that already exists as started (a retried request)', async () => {
    dynamo.on(PutCommand).resolves({});
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect((await invoke('/investigations/startInvestigation', start)).statusCode).toBe(200);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('marks the investigation FAILED when Step Functions refuses, and answers 500', async () => {
    dynamo.on(PutCommand).resolves({});
    // An update reads the item first, then writes conditionally on the values it derived the index keys from.
    dynamo.on(GetCommand).callsFake((input: { Key: { investigationId: string } }) => ({
      Item: { investigationId: input.Key.investigationId, entityArn: start.EntityArn, status: 'RUNNING', state: 'ACTIVE', severity: 'INFORMATIONAL', createdTime: new Date().toISOString() },
    }));
    dynamo.on(UpdateCommand).resolves({ Attributes: {} });
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDenied'));
    const result = await invoke('/investigations/startInvestigation', start);
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['x-amzn-ErrorType']).toBe('InternalServerException');
    const update = dynamo.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':status': 'FAILED', ':statusSeverity': 'FAILED#INFORMATIONAL', ':stateStatus': 'ACTIVE#FAILED', ':was_status': 'RUNNING' });
    expect(update.ConditionExpression).toBe('attribute_exists(investigationId) AND #severity = :was_severity AND #status = :was_status AND #state = :was_state');
  });

  it('reports DynamoDB throttling as TooManyRequestsException', async () => {
    dynamo.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const result = await invoke('/investigations/getInvestigation', { InvestigationId: '123456789012345678901' });
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['x-amzn-ErrorType']).toBe('TooManyRequestsException');
  });

  it('hides internal errors behind a generic InternalServerException', async () => {
    dynamo.on(GetCommand).rejects(new Error('socket hang up at 10.0.0.12'));
    const result = await invoke('/investigations/getInvestigation', { InvestigationId: '123456789012345678901' });
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('10.0.0.12');
  });

  it('answers a misconfigured deployment with a 500, not a crash', async () => {
    const misconfigured = buildApiHandler(() => productionDependencies({}));
    const result = await invoke('/investigations/getInvestigation', { InvestigationId: '123456789012345678901' }, misconfigured);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ Message: 'The service is misconfigured.' });
  });

  it('never reaches AWS for an invalid request', async () => {
    const result = await invoke('/investigations/startInvestigation', { ...start, EntityArn: 'arn:aws:iam::111122223333:group/Admins' });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ ErrorCode: 'INVALID_REQUEST_BODY' });
    expect(dynamo.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('refuses a body over MAX_REQUEST_BODY_BYTES, text or base64-encoded, with the 413 the web ACL gives, before any read', async () => {
    const oversized = JSON.stringify({ InvestigationId: '123456789012345678901', NextToken: 'x'.repeat(MAX_REQUEST_BODY_BYTES) });
    for (const contentType of ['application/json', 'application/octet-stream']) {
      const e = toProxyEvent({ method: 'POST', url: '/investigations/listIndicators', headers: { 'content-type': contentType }, body: Buffer.from(oversized), sourceIp: '127.0.0.1' });
      expect(e.isBase64Encoded).toBe(contentType !== 'application/json');
      const result = await handler(e, lambdaContext(e.requestContext.requestId));
      const refusal = tooLargeResponse();
      expect(result).toEqual({ ...refusal, headers: { ...refusal.headers, 'x-amzn-RequestId': e.requestContext.requestId } });
    }
    expect(dynamo.calls()).toHaveLength(0);
  });
});

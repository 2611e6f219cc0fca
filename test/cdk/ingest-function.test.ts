import { ACTIVITY_TABLE, FINDINGS_TABLE, INDICATORS_TABLE, HOUR_OBJECTS_TABLE, INGESTED_OBJECTS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import { actionsOf, actionsOn, arnOf, functionResource, functionStatements, logicalId, resourcesOf, synth, type FunctionResource, type Statement, type Synthesized } from './synth';

function ingestFunction(synthesized: Synthesized): FunctionResource {
  return functionResource(synthesized, synthesized.stack.ingest.function);
}

function ingestStatements(synthesized: Synthesized): Statement[] {
  return functionStatements(synthesized, synthesized.stack.ingest.function);
}

describe('ingest function', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('runs the handler on Node.js 22 on ARM64 with 512 MB and a 5 minute timeout', () => {
    expect(ingestFunction(synthesized).Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 300,
      Handler: 'index.handler',
    });
    expect(ingestFunction(synthesized).Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('receives the names of its tables, the retention and source maps through its environment', () => {
    const { stack } = synthesized;
    expect(ingestFunction(synthesized).Properties.Environment.Variables).toEqual({
      [HOUR_OBJECTS_TABLE.envVar]: { Ref: logicalId(stack.table(HOUR_OBJECTS_TABLE)) },
      [INGESTED_OBJECTS_TABLE.envVar]: { Ref: logicalId(stack.table(INGESTED_OBJECTS_TABLE)) },
      COMPACTION_QUEUE_URL: { Ref: logicalId(stack.activityStore.queue) },
      RETENTION_DAYS: '365',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it.each([['30'], [30]])('takes retentionDays=%p from the context', (retentionDays) => {
    expect(ingestFunction(synth({ retentionDays })).Properties.Environment.Variables.RETENTION_DAYS).toBe('30');
  });

  it('logs to its own log group with a bounded retention', () => {
    const logGroupId = logicalId(synthesized.stack.ingest.function.logGroup);
    expect(ingestFunction(synthesized).Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    synthesized.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('caps concurrency, and the poller with it, with ingestReservedConcurrency', () => {
    const capped = synth({ ingestReservedConcurrency: '4' });
    expect(ingestFunction(capped).Properties.ReservedConcurrentExecutions).toBe(4);
    capped.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 4 } });
  });
});

describe('least privilege', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('reads log objects under the prefix only, and lists the bucket', () => {
    const { stack } = synthesized;
    const statements = ingestStatements(synthesized);
    const bucketArn = arnOf(logicalId(stack.logSource.bucket));
    expect(actionsOn(statements, { 'Fn::Join': ['', [bucketArn, '/AWSLogs/*']] })).toEqual(['s3:GetObject']);
    expect(actionsOn(statements, bucketArn)).toEqual(['s3:ListBucket']);
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('s3:')).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
  });

  it('writes HourObjects and gets and puts IngestedObjects with exactly the actions it uses, and touches no other table', () => {
    const { stack } = synthesized;
    const statements = ingestStatements(synthesized);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(HOUR_OBJECTS_TABLE)))).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(statements, arnOf(logicalId(stack.table(INGESTED_OBJECTS_TABLE)))).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    // Nothing else on DynamoDB: no index, no stream, no DescribeTable, no other table.
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(new Set(dynamo.flatMap(resourcesOf).map((r) => JSON.stringify(r))).size).toBe(2);
    const policies = JSON.stringify(statements);
    for (const design of [SESSIONS_TABLE, ACTIVITY_TABLE, INVESTIGATIONS_TABLE, INDICATORS_TABLE, FINDINGS_TABLE]) expect(policies).not.toContain(logicalId(stack.table(design)));
  });

  it('consumes its own queue, sends to the compaction queue, and nothing else from SQS', () => {
    const { stack } = synthesized;
    const sqsStatements = ingestStatements(synthesized).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    const consuming = sqsStatements.filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
    expect(consuming.flatMap(resourcesOf)).toEqual([arnOf(logicalId(stack.logSource.queue))]);
    expect(consuming.flatMap(actionsOf)).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    const sending = sqsStatements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(sending.flatMap(resourcesOf)).toEqual([arnOf(logicalId(stack.activityStore.queue))]);
    expect(consuming.flatMap(actionsOf)).not.toContain('sqs:SendMessage');
  });

  it('may decrypt with the bucket\'s KMS key (logBucketKmsKeyArn), through S3 only', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const statements = ingestStatements(synth({ logBucketName: 'acme-cloudtrail-logs', logBucketKmsKeyArn: keyArn }));
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(kms[0]).toMatchObject({ Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } });
    expect(JSON.stringify(statements.filter((s) => actionsOf(s).includes('s3:GetObject')))).toContain(':s3:::acme-cloudtrail-logs/AWSLogs/*');
  });

  it('has no KMS permission without a key', () => {
    expect(JSON.stringify(ingestStatements(synthesized))).not.toContain('kms:');
  });
});

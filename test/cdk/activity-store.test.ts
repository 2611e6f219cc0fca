import { ACTIVITY_TABLE, FINDINGS_TABLE, HOUR_OBJECTS_TABLE, INDICATORS_TABLE, INGESTED_OBJECTS_TABLE, INVESTIGATIONS_TABLE, SESSIONS_TABLE } from '../../lambdas/shared/table-design';
import { actionsOf, actionsOn, arnOf, functionResource, functionStatements, logicalId, resourcesOf, synth, type Synthesized } from './synth';

describe('activity store: index bucket, compaction queue, compaction function', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth();
  });

  it('keeps compacted events in a private, encrypted, TLS-only bucket that expires them after the retention', () => {
    const id = logicalId(synthesized.stack.activityStore.indexBucket);
    const bucket = synthesized.template.toJSON().Resources[id];
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(366);
    expect(bucket.DeletionPolicy).toBe('Retain');
    const policy = Object.values(synthesized.template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p).includes(id)) as { Properties: { PolicyDocument: { Statement: unknown[] } } };
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement)).toContain('aws:SecureTransport');
  });

  it('carries account-hours on an encrypted FIFO queue, dead-lettering after 12 receives', () => {
    const queue = synthesized.template.toJSON().Resources[logicalId(synthesized.stack.activityStore.queue)];
    expect(queue.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 12 } });
    expect(synthesized.template.toJSON().Resources[logicalId(synthesized.stack.activityStore.deadLetterQueue)].Properties.FifoQueue).toBe(true);
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(logicalId(synthesized.stack.activityStore.queue)),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('compacts with exactly the table actions it uses, and nothing on the investigation tables', () => {
    const { stack } = synthesized;
    const statements = functionStatements(synthesized, stack.activityStore.compactionFunction);
    const on = (design: typeof ACTIVITY_TABLE) => actionsOn(statements, arnOf(logicalId(stack.table(design)))).sort();
    expect(on(HOUR_OBJECTS_TABLE)).toEqual(['dynamodb:DeleteItem', 'dynamodb:Query']);
    expect(on(ACTIVITY_TABLE)).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    // The Query is for the IAM snapshot before a history's checkpoint, on the snapshot partitions only.
    const query = statements.filter((s) => actionsOf(s).includes('dynamodb:Query') && JSON.stringify(resourcesOf(s)).includes(logicalId(stack.table(ACTIVITY_TABLE))));
    expect(query.map((s) => (s as { Condition?: unknown }).Condition)).toEqual([{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['iam-snapshot#*'] } }]);
    expect(on(SESSIONS_TABLE)).toEqual(['dynamodb:BatchWriteItem']);
    const text = JSON.stringify(statements);
    for (const design of [INGESTED_OBJECTS_TABLE, INVESTIGATIONS_TABLE, INDICATORS_TABLE, FINDINGS_TABLE]) expect(text).not.toContain(logicalId(stack.table(design)));
    for (const action of statements.flatMap(actionsOf)) expect(action).not.toMatch(/Scan|\*/);
  });

  it('reads the logs under the prefix, and writes only the events prefix of the index bucket', () => {
    const { stack } = synthesized;
    const statements = functionStatements(synthesized, stack.activityStore.compactionFunction);
    const events = { 'Fn::Join': ['', [arnOf(logicalId(stack.activityStore.indexBucket)), '/events/*']] };
    expect(actionsOn(statements, events).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(actionsOn(statements, { 'Fn::Join': ['', [arnOf(logicalId(stack.logSource.bucket)), '/AWSLogs/*']] })).toEqual(['s3:GetObject']);
    const s3Resources = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:'))).flatMap(resourcesOf);
    expect(s3Resources).toHaveLength(4);
  });

  it('tells the function its tables, bucket and queue', () => {
    const { stack } = synthesized;
    const variables = functionResource(synthesized, stack.activityStore.compactionFunction).Properties.Environment.Variables;
    expect(variables).toMatchObject({
      [HOUR_OBJECTS_TABLE.envVar]: { Ref: logicalId(stack.table(HOUR_OBJECTS_TABLE)) },
      [ACTIVITY_TABLE.envVar]: { Ref: logicalId(stack.table(ACTIVITY_TABLE)) },
      [SESSIONS_TABLE.envVar]: { Ref: logicalId(stack.table(SESSIONS_TABLE)) },
      INDEX_BUCKET: { Ref: logicalId(stack.activityStore.indexBucket) },
      COMPACTION_QUEUE_URL: { Ref: logicalId(stack.activityStore.queue) },
    });
    // One settle delay for the compactor and for the investigations that wait for it: the default.
    expect(variables).not.toHaveProperty('COMPACTION_SETTLE_MINUTES');
  });
});

import { Match } from 'aws-cdk-lib/assertions';
import { INGEST_TIMEOUT } from '../../lib/ingest-function';
import { actionsOf, arnOf, logicalId, resourcesOf, roleStatements, synth, type Statement, type Synthesized } from './synth';

type Resource = { Properties: Record<string, unknown> };

/** Resources of the log source and the ingest path: the activity store's own bucket and queues are tested in activity-store.test.ts. */
function ofLogSource(synthesized: Synthesized, type: string, props?: Record<string, unknown>): Resource[] {
  const found = synthesized.template.findResources(type, props ? { Properties: props } : undefined);
  return Object.entries(found)
    .filter(([id]) => !id.startsWith('ActivityStore'))
    .map(([, resource]) => resource as Resource);
}

function countOf(synthesized: Synthesized, type: string): number {
  return ofLogSource(synthesized, type).length;
}

/** The statements of the log bucket's policy (the access-log bucket has its own, see operations.test.ts). */
function bucketPolicyStatements(synthesized: Synthesized): Statement[] {
  const bucket = { Ref: logicalId(synthesized.stack.logSource.bucket) };
  const policies = Object.values(synthesized.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: bucket } })) as Resource[];
  expect(policies).toHaveLength(1);
  return (policies[0].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

function onlyResource(synthesized: Synthesized, type: string, props: Record<string, unknown> = {}): Resource {
  const found = ofLogSource(synthesized, type, props);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('log bucket created by the stack', () => {
  let synthesized: Synthesized;
  let bucketId: string;
  beforeAll(() => {
    synthesized = synth();
    bucketId = logicalId(synthesized.stack.logSource.bucket);
  });

  it('is encrypted, versioned, private and retained', () => {
    // The log bucket and the bucket of its access logs (the index bucket is the activity store's).
    expect(countOf(synthesized, 'AWS::S3::Bucket')).toBe(2);
    expect(synthesized.template.findResources('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    })).toHaveProperty(bucketId);
    // Objects of a retained bucket are not deleted with the stack.
    expect(countOf(synthesized, 'Custom::S3AutoDeleteObjects')).toBe(0);
  });

  it('denies every request that does not use TLS', () => {
    const deny = bucketPolicyStatements(synthesized).find((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect(deny).toMatchObject({ Action: 's3:*', Principal: { AWS: '*' } });
    expect(resourcesOf(deny as Statement)).toEqual([arnOf(bucketId), { 'Fn::Join': ['', [arnOf(bucketId), '/*']] }]);
  });

  it.each([
    ['cloudtrail.amazonaws.com', 'AWSCloudTrail'],
    ['delivery.logs.amazonaws.com', 'AWSLogDelivery'],
  ])('lets %s check the ACL and write under AWSLogs/ with bucket-owner-full-control', (service, sidPrefix) => {
    const statements = bucketPolicyStatements(synthesized).filter((s) => s.Effect === 'Allow' && JSON.stringify(s).includes(service));
    const aclCheck = statements.find((s) => actionsOf(s).includes('s3:GetBucketAcl'));
    const write = statements.find((s) => actionsOf(s).includes('s3:PutObject'));
    expect(aclCheck).toMatchObject({ Sid: `${sidPrefix}AclCheck`, Principal: { Service: service }, Resource: arnOf(bucketId) });
    expect(write).toMatchObject({
      Sid: `${sidPrefix}Write`,
      Principal: { Service: service },
      Resource: { 'Fn::Join': ['', [arnOf(bucketId), '/AWSLogs/*']] },
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    });
    // Confused-deputy protection: only sources in this stack's account (or listed accounts).
    for (const statement of [aclCheck, write]) expect(JSON.stringify(statement?.Condition)).toContain('AWS::AccountId');
    expect(statements.flatMap(actionsOf).sort()).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
  });

  it('admits the trails and flow logs of extra accounts listed in logSourceAccounts', () => {
    const statements = bucketPolicyStatements(synth({ logSourceAccounts: '111122223333, 444455556666' })).filter((s) => s.Effect === 'Allow');
    for (const statement of statements) {
      const condition = JSON.stringify(statement.Condition);
      expect(condition).toContain('111122223333');
      expect(condition).toContain('444455556666');
    }
  });

  it('is emptied and deleted with the stack with removalPolicy=destroy', () => {
    const destroyed = synth({ removalPolicy: 'destroy' });
    destroyed.template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    // Both buckets: the log bucket and the bucket of its access logs.
    expect(countOf(destroyed, 'Custom::S3AutoDeleteObjects')).toBe(2);
  });

  it('outputs the bucket name and queue URL', () => {
    synthesized.template.hasOutput('LogBucketName', { Value: { Ref: bucketId } });
    synthesized.template.hasOutput('IngestQueueUrl', { Value: { Ref: logicalId(synthesized.stack.logSource.queue) } });
  });
});

describe('notifications → SQS → ingest function', () => {
  let synthesized: Synthesized;
  let queueId: string;
  let dlqId: string;
  beforeAll(() => {
    synthesized = synth();
    queueId = logicalId(synthesized.stack.logSource.queue);
    dlqId = logicalId(synthesized.stack.logSource.deadLetterQueue);
  });

  it('announces ObjectCreated under AWSLogs/ to the queue', () => {
    const notifications = onlyResource(synthesized, 'Custom::S3BucketNotifications');
    expect(notifications.Properties).toMatchObject({
      BucketName: { Ref: logicalId(synthesized.stack.logSource.bucket) },
      Managed: true,
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'AWSLogs/' }] } }, QueueArn: arnOf(queueId) },
        ],
      },
    });
  });

  it('lets only this bucket send to the queue', () => {
    const policy = onlyResource(synthesized, 'AWS::SQS::QueuePolicy', { Queues: [{ Ref: queueId }] });
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const send = statements.find((s) => s.Effect === 'Allow');
    expect(send).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { ArnLike: { 'aws:SourceArn': arnOf(logicalId(synthesized.stack.logSource.bucket)) } },
    });
    expect(actionsOf(send as Statement)).toContain('sqs:SendMessage');
  });

  it('uses an encrypted, TLS-only queue with a dead-letter queue after 5 receives', () => {
    const queue = onlyResource(synthesized, 'AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 5 } });
    const dlq = synthesized.template.toJSON().Resources[dlqId] as Resource;
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    for (const id of [queueId, dlqId]) {
      const policy = onlyResource(synthesized, 'AWS::SQS::QueuePolicy', { Queues: [{ Ref: id }] });
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('keeps messages invisible for at least 6 times the function timeout', () => {
    const queue = synthesized.template.toJSON().Resources[queueId] as Resource;
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * INGEST_TIMEOUT.toSeconds());
    synthesized.template.hasResourceProperties('AWS::Lambda::Function', { Timeout: INGEST_TIMEOUT.toSeconds(), Runtime: 'nodejs22.x' });
  });

  it('feeds the ingest function in small batches, reporting partial failures', () => {
    expect(countOf(synthesized, 'AWS::Lambda::EventSourceMapping')).toBe(1);
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(queueId),
      FunctionName: { Ref: logicalId(synthesized.stack.ingest.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: Match.anyValue(),
      MaximumBatchingWindowInSeconds: Match.anyValue(),
    });
    const mapping = onlyResource(synthesized, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties.BatchSize).toBeLessThanOrEqual(10);
    expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeGreaterThan(0);
  });

  it('filters on a custom logPrefix, or on nothing for logPrefix=""', () => {
    const custom = onlyResource(synth({ logPrefix: 'org/AWSLogs/' }), 'Custom::S3BucketNotifications');
    expect(JSON.stringify(custom.Properties.NotificationConfiguration)).toContain('"Value":"org/AWSLogs/"');
    const whole = onlyResource(synth({ logPrefix: '' }), 'Custom::S3BucketNotifications');
    expect((whole.Properties.NotificationConfiguration as { QueueConfigurations: object[] }).QueueConfigurations[0]).not.toHaveProperty('Filter');
  });
});

describe('existing log bucket (logBucketName)', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synth({ logBucketName: 'acme-cloudtrail-logs' });
  });

  it('creates no bucket and no bucket policy', () => {
    expect(countOf(synthesized, 'AWS::S3::Bucket')).toBe(0);
    expect(countOf(synthesized, 'AWS::S3::BucketPolicy')).toBe(0);
    expect(synthesized.stack.logSource.bucketCreated).toBe(false);
  });

  it('adds its notification through the custom resource, keeping the bucket\'s other notifications', () => {
    const notifications = onlyResource(synthesized, 'Custom::S3BucketNotifications');
    expect(notifications.Properties).toMatchObject({ BucketName: 'acme-cloudtrail-logs', Managed: false });
    // The custom resource handler may touch the notifications of this bucket only.
    const handlerRole = Object.keys(synthesized.template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('BucketNotificationsHandler'));
    const statements = roleStatements(synthesized.template, handlerRole as string);
    expect(statements.flatMap(actionsOf).sort()).toEqual(['s3:GetBucketNotification', 's3:PutBucketNotification']);
    for (const statement of statements) expect(JSON.stringify(statement.Resource)).toContain(':s3:::acme-cloudtrail-logs');
  });

  it('outputs the imported bucket name', () => {
    synthesized.template.hasOutput('LogBucketName', { Value: 'acme-cloudtrail-logs' });
  });
});

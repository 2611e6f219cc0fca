import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Email addresses to subscribe; each receives a confirmation email from AWS first. @default none */
  readonly emails?: readonly string[];
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
}

/**
 * The SNS topic the alarms notify, encrypted and TLS-only. Alarm notifications name queues, functions and the
 * state machine of the deployment: encrypted at rest like everything else it stores.
 *
 * The key is a customer managed key: CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key,
 * whose key policy cannot grant the cloudwatch.amazonaws.com principal. The topic policy replaces SNS's default
 * one, so it lets CloudWatch alarms of this account publish explicitly, and refuses any request without TLS.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const ourAlarms = { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } };

    this.key = new kms.Key(this, 'Key', {
      description: `${stack.stackName}: encrypts alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch encrypts the message it publishes with the topic's key, and SNS decrypts it to deliver.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [cloudWatch], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions: ourAlarms }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarmsPublish', principals: [cloudWatch], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions: ourAlarms }),
    );
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}

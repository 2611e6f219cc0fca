import * as path from 'node:path';
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ActivityStore } from './activity-store';
import type { DataTables } from './data-tables';
import { INGEST_TABLE_ACCESS } from './ingest-function';
import type { LogSource } from './log-source';
import { acknowledgeNag } from './nag';
import { PROJECT_ROOT, trailhoundFunction } from './node-function';
import { grantTableAccess } from './table-grants';

export const BACKFILL_DEFINITION = 'statemachines/backfill.asl.json';

export interface BackfillProps {
  readonly logSource: LogSource;
  readonly tables: DataTables;
  readonly activityStore: ActivityStore;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
}

/**
 * Ingests the logs already in the bucket (CloudTrail Lake closed to new customers; Detective starts empty):
 * a Step Functions Distributed Map over the bucket's listing under a prefix, whose batches run the backfill
 * function, which ingests each object of the chosen days exactly as a new one. Started by `npm run backfill`.
 */
export class Backfill extends Construct {
  readonly function: NodejsFunction;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { logSource, tables, activityStore } = props;

    this.function = trailhoundFunction(this, {
      description: 'Trailhound: ingests a batch of log objects listed by a backfill',
      entry: path.join('lambdas', 'backfill', 'handler.ts'),
      memorySize: 512,
      // A batch is 25 objects read one after another.
      timeout: Duration.minutes(15),
      removalPolicy: props.removalPolicy,
      environment: tables.environmentFor(INGEST_TABLE_ACCESS.map((access) => access.design)),
    });
    for (const [name, value] of Object.entries(activityStore.grantRequestCompaction(this.function))) this.function.addEnvironment(name, value);
    logSource.grantReadLogs(this.function);
    if (this.function.role) logSource.acknowledgeReadLogsWildcard(this.function.role);
    grantTableAccess(this.function, tables, INGEST_TABLE_ACCESS);

    // A fixed name: the role must name the state machine itself (child executions), which a generated name
    // would make a circular reference.
    const stateMachineName = `${stack.stackName}-backfill`;
    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(PROJECT_ROOT, BACKFILL_DEFINITION)),
      definitionSubstitutions: { LogBucketName: logSource.bucket.bucketName, BackfillFunctionArn: this.function.functionArn },
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
    const ownArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));
    // The Distributed Map lists the log bucket and runs its batches as child executions of this state machine.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [logSource.bucket.bucketArn] }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [ownArn] }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] }));
    acknowledgeNag(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery supports no resource-level permissions: AWS requires Resource "*" for logs:*LogDelivery*, logs:PutResourcePolicy and logs:Describe*.',
    );
    acknowledgeNag(
      this.stateMachine.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName}/*]`,
      "A Distributed Map's child executions are named at run time; the grant is limited to this state machine's own executions.",
    );
    acknowledgeNag(this.stateMachine, 'AwsSolutions-SF1', 'ERROR level: a STANDARD workflow keeps every event of every execution for 90 days in its history; the log group holds the failures.');
    acknowledgeNag(this.stateMachine, 'AwsSolutions-SF2', 'No X-Ray: each batch is one Lambda invocation whose duration, errors and logs are in CloudWatch; traces would add IAM actions on "*" for little more.');
  }
}

import * as path from 'node:path';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeNag } from './nag';

/** The repository root: esbuild resolves the handlers' imports from here, with the root package-lock.json. */
export const PROJECT_ROOT = path.join(__dirname, '..');

/** Where Lambda unpacks a function's bundle; files copied into the bundle are found under it at run time. */
export const LAMBDA_TASK_ROOT = '/var/task';

export interface TrailhoundFunctionProps {
  readonly description: string;
  /** Handler file, relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  readonly reservedConcurrentExecutions?: number;
  /** Commands run around esbuild, e.g. to copy data files into the bundle. */
  readonly commandHooks?: ICommandHooks;
}

/**
 * A Trailhound Lambda function: Node.js 22 on ARM64, bundled by the local esbuild (no Docker, so `cdk synth`
 * works offline), with its own log group. Every function shares these settings, so they live in one place.
 * The construct ids inside `scope` are `Logs`, `Role` and `Function`.
 *
 * The role is created here rather than by CDK, which would attach AWSLambdaBasicExecutionRole: that managed
 * policy lets a function create any log group and write to every one in the account. Here a function may
 * only write to its own log group; every other permission is granted by the construct that owns the function.
 */
export function trailhoundFunction(scope: Construct, props: TrailhoundFunctionProps): NodejsFunction {
  // An explicit log group, so that retention is bounded and test deployments delete it with the stack.
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
  // CreateLogStream and PutLogEvents on this log group (and its streams) only.
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, 'Function', {
    role,
    description: props.description,
    entry: path.join(PROJECT_ROOT, props.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    logGroup,
    ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    bundling: {
      // The esbuild from devDependencies: synth needs neither Docker nor a network.
      forceDockerBundling: false,
      target: 'node22',
      minify: true,
      sourceMap: true,
      // The runtime ships the AWS SDK v3; its @smithy packages must come from the same place to match it.
      externalModules: ['@aws-sdk/*', '@smithy/*'],
      ...(props.commandHooks ? { commandHooks: props.commandHooks } : {}),
    },
  });
  acknowledgeNag(
    fn,
    'AwsSolutions-L1',
    'Node.js 22 is pinned on purpose: bundling targets node22 and the tests run the handlers on it; a runtime upgrade is a deliberate change, not a side effect of a CDK upgrade.',
  );
  return fn;
}

import * as path from 'node:path';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

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
 * The construct ids inside `scope` are `Logs` and `Function`.
 */
export function trailhoundFunction(scope: Construct, props: TrailhoundFunctionProps): NodejsFunction {
  // An explicit log group, so that retention is bounded and test deployments delete it with the stack.
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
  return new NodejsFunction(scope, 'Function', {
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
}

#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, contextOf, readStackName } from '../lib/config';
import { TrailhoundStack } from '../lib/trailhound-stack';

// No `env`: the stack is account- and region-agnostic, so `cdk synth` needs no credentials and no lookups;
// `cdk deploy` deploys into the account and region of the caller's credentials.
const app = new App();
try {
  // The stack name doubles as the construct id, so `cdk deploy <name>` selects it.
  const stackName = readStackName(contextOf(app.node));
  new TrailhoundStack(app, stackName, {
    stackName,
    description: 'Trailhound: investigation of IAM role sessions from CloudTrail logs',
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A bad -c value is a user error: say which one, without a stack trace. Exit at once, so that the App does
  // not synthesize a half-built stack when the process winds down.
  console.error(`trailhound: ${error.message}`);
  process.exit(1);
}

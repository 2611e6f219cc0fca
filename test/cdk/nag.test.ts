import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TrailhoundStack } from '../../lib/trailhound-stack';
import { CDK_JSON_CONTEXT } from './synth';

/**
 * The AwsSolutions findings (errors and warnings alike) that no acknowledgement covers, for the stack
 * synthesized with `context`. Acknowledgements live next to the resources they concern (lib/nag.ts).
 */
function nagFindings(context: Record<string, unknown> = {}): string[] {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...context } });
  const stack = new TrailhoundStack(app, 'Trailhound');
  // Synthesize first: aspects and feature flags may still add or change resources.
  Template.fromStack(stack);
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.severity ?? 'finding'} ${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}`),
  );
}

// Each mode turns on what the defaults leave off, so every optional resource is checked at least once.
const MODES: Array<[string, Record<string, unknown>]> = [
  ['defaults', {}],
  ['an existing bucket with a KMS key and a custom prefix', { logBucketName: 'acme-cloudtrail-logs', logPrefix: 'org/AWSLogs/', logBucketKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
  [
    'a test deployment: destroy, whole bucket, no trigger, no account log role, no web ACL',
    { removalPolicy: 'destroy', logPrefix: '', guardDutyTrigger: 'false', apiGatewayCloudWatchRole: 'false', apiWebAcl: 'false', ingestReservedConcurrency: '4' },
  ],
  ['alarm emails, full state machine logs and X-Ray', { alarmEmail: 'secops@example.com,oncall@example.com', stateMachineLogLevel: 'ALL', stateMachineTracing: 'true', threatIntelS3Uris: 's3://acme-intel/list.txt' }],
];

describe('cdk-nag AwsSolutions', () => {
  it.each(MODES)('finds nothing unacknowledged with %s', (_mode, context) => {
    expect(nagFindings(context)).toEqual([]);
  });

  it('needs no acknowledgement of APIG3 (a stage without WAF) while the web ACL is on, and one with apiWebAcl=false', () => {
    const acknowledged = (context: Record<string, unknown>): string[] => {
      const app = new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...context } });
      const stack = new TrailhoundStack(app, 'Trailhound');
      return stack.investigationApi.api.deploymentStage.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        // Each entry maps `Annotation::<rule id>` to the reason.
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
        .map((key) => key.replace(/^Annotation::/, ''));
    };
    expect(acknowledged({})).not.toContain('AwsSolutions-APIG3');
    expect(acknowledged({ apiWebAcl: 'false' })).toContain('AwsSolutions-APIG3');
  });

  it('can fail: a resource nobody acknowledged is reported', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [] } });
    const stack = new TrailhoundStack(app, 'Trailhound');
    // A queue without TLS enforcement or a dead-letter queue, which no acknowledgement in lib/ covers.
    new sqs.Queue(stack, 'Unchecked');
    Template.fromStack(stack);
    const findings = new AwsSolutionsChecks().validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    expect(findings).toEqual(expect.arrayContaining(['AwsSolutions-SQS3 Trailhound/Unchecked/Resource', 'AwsSolutions-SQS4 Trailhound/Unchecked/Resource']));
  });
});

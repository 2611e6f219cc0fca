import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on one construct (and what it contains), with the reason it is accepted.
 * cdk-nag v3 reads CDK's own acknowledgements (Validations), so the stack does not depend on cdk-nag; the
 * check itself runs in test/cdk/nag.test.ts. Findings are named exactly, including the resource or policy in
 * brackets (`AwsSolutions-IAM5[Resource::*]`), so that an acknowledgement never covers a finding added later.
 */
export function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag names the AWS managed policy AWSLambdaBasicExecutionRole in IAM4 findings. */
export const LAMBDA_BASIC_EXECUTION_POLICY = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, type IResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { TrailhoundStack } from '../../lib/trailhound-stack';

/**
 * Synthesizes the stack the way `cdk synth` does: with the feature flags and settings from cdk.json, plus the
 * test's own context. Asset bundling is skipped (`aws:cdk:bundling-stacks: []`): CDK then stages the Lambda
 * code under a placeholder hash without running esbuild, which keeps a synth well under a second.
 * bundling.test.ts covers the real bundle.
 */
export const CDK_JSON_CONTEXT = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export interface Synthesized {
  readonly stack: TrailhoundStack;
  readonly template: Template;
}

export function synth(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, [BUNDLING_STACKS]: [], ...context } });
  const stack = new TrailhoundStack(app, 'Trailhound');
  return { stack, template: Template.fromStack(stack) };
}

/** The CloudFormation logical id of an L2 construct's main resource. */
export function logicalId(resource: IResource): string {
  return resource.stack.getLogicalId(resource.node.defaultChild as CfnElement);
}

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The statements of every AWS::IAM::Policy attached to a role. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

/** Allow statements of every identity policy in the template (inline policies and AWS::IAM::Policy). */
export function allIdentityStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument,
  );
  const inline = Object.values(template.findResources('AWS::IAM::Role')).flatMap(
    (role) => ((role as { Properties: { Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> } }).Properties.Policies ?? []).map((p) => p.PolicyDocument),
  );
  return [...policies, ...inline].flatMap((document) => document.Statement);
}

/** `{ 'Fn::GetAtt': [id, 'Arn'] }`, how a template refers to a resource's ARN. */
export function arnOf(id: string): { 'Fn::GetAtt': [string, 'Arn'] } {
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

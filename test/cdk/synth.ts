import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, type IResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS, type CloudAssembly } from 'aws-cdk-lib/cx-api';
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

/** The cloud assembly of a synthesized stack (the one Template.fromStack wrote; App.synth() returns it again). */
export function assemblyOf(synthesized: Synthesized): CloudAssembly {
  return (synthesized.stack.node.root as App).synth();
}

/** The staged content of a file asset (`{ Key: '<hash>.<ext>' }` in the template), read from the cloud assembly. */
export function fileAssetText(synthesized: Synthesized, objectKey: string): string {
  const assembly = assemblyOf(synthesized);
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${synthesized.stack.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const asset = Object.values(manifest.files).find((file) => Object.values(file.destinations).some((destination) => destination.objectKey === objectKey));
  if (!asset || asset.source.packaging === 'zip') throw new Error(`no file asset with object key ${objectKey}`);
  return fs.readFileSync(path.join(assembly.directory, asset.source.path), 'utf8');
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

/** Actions allowed on a resource (matched on its CloudFormation form, e.g. `{ 'Fn::GetAtt': [id, 'Arn'] }`), sorted. */
/** The statements limited to the network report's baseline digests (`dynamodb:LeadingKeys` `flow-eni-day#*`). */
export function isBaselineDigestStatement(statement: Statement): boolean {
  return JSON.stringify(statement.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['flow-eni-day#*'] } });
}

export function actionsOn(statements: Statement[], resource: unknown): string[] {
  const wanted = JSON.stringify(resource);
  return statements.filter((s) => s.Effect === 'Allow' && resourcesOf(s).some((r) => JSON.stringify(r) === wanted)).flatMap(actionsOf).sort();
}

/** `{ 'Fn::Join': ['', [<table arn>, '/index/<name>']] }`, how a grant names one index of a table. */
export function indexArnOf(tableId: string, indexName: string): object {
  return { 'Fn::Join': ['', [arnOf(tableId), `/index/${indexName}`]] };
}

export interface FunctionResource {
  readonly Properties: {
    readonly Role: { 'Fn::GetAtt': [string, string] };
    readonly Environment: { readonly Variables: Record<string, unknown> };
  } & Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** The AWS::Lambda::Function resource of a function construct. */
export function functionResource(synthesized: Synthesized, fn: IResource): FunctionResource {
  const resource = synthesized.template.toJSON().Resources[logicalId(fn)] as FunctionResource | undefined;
  if (!resource) throw new Error(`no resource ${logicalId(fn)} in the template`);
  return resource;
}

/** Every identity-policy statement of a function's execution role. */
export function allFunctionStatements(synthesized: Synthesized, fn: IResource): Statement[] {
  return roleStatements(synthesized.template, functionResource(synthesized, fn).Properties.Role['Fn::GetAtt'][0]);
}

/** The statement every function has, writing to its own log group (least-privilege.test.ts checks it for all). */
export function isOwnLogWrite(statement: Statement, fn: { readonly logGroup: IResource }): boolean {
  return (
    JSON.stringify(actionsOf(statement).sort()) === JSON.stringify(['logs:CreateLogStream', 'logs:PutLogEvents']) &&
    JSON.stringify(resourcesOf(statement)) === JSON.stringify([arnOf(logicalId(fn.logGroup))])
  );
}

/** The identity-policy statements of a function's execution role, but for the write to its own log group. */
export function functionStatements(synthesized: Synthesized, fn: IResource & { readonly logGroup: IResource }): Statement[] {
  return allFunctionStatements(synthesized, fn).filter((statement) => !isOwnLogWrite(statement, fn));
}

/**
 * What Step Functions logging needs (CDK grants it to the state machine's role): CloudWatch Logs' vended log
 * delivery actions, which AWS documents as supporting no resource-level permission (Resource `*`).
 */
export const LOG_DELIVERY_ACTIONS: readonly string[] = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

/** What X-Ray tracing needs (stateMachineTracing=true); X-Ray offers no resource-level permission either. */
export const XRAY_ACTIONS: readonly string[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

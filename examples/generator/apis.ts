import { instanceId, s3ExtendedRequestId } from './ids';
import { EU_DEFAULT_SECURITY_GROUP, EU_DEFAULT_SUBNET, primaryInterface, runInstancesInterfaceSet } from './network-interfaces';
import type { Prng } from './prng';
import { buildRecord } from './record';
import { credentialExpiration } from './time';
import type { CloudTrailEvent, JsonObject, ResourceRef, UserIdentity } from './types';

/**
 * A catalogue of the API calls the sample principals make, with request parameters, response elements and
 * resources shaped like the records those services write to CloudTrail. Only what the scenario needs is
 * here; it is not a complete model of any service.
 */

/** The resources of one account that API calls refer to. */
export interface AccountEnv {
  accountId: string;
  buckets: readonly string[];
  instances: readonly { id: string; region: string }[];
  securityGroups: readonly { id: string; region: string; name: string }[];
  secrets: readonly { name: string; arn: string; region: string }[];
  roleNames: readonly string[];
  userNames: readonly string[];
  trail: { name: string; arn: string };
  functions: readonly { name: string; region: string }[];
  clusters: readonly { name: string; region: string }[];
  parameters: readonly string[];
  kmsKeys: readonly { arn: string; region: string }[];
  logGroups: readonly string[];
  stacks: readonly { name: string; region: string }[];
}

/** What varies per call; the record builder adds who, when and from where. */
export interface ApiCall {
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  requestParameters: JsonObject | null;
  responseElements: JsonObject | null;
  resources?: ResourceRef[];
  additionalEventData?: JsonObject;
  eventCategory?: 'Management' | 'Data';
  apiVersion?: string;
  host?: string;
}

export interface ApiContext {
  prng: Prng;
  env: AccountEnv;
  region: string;
}

function inRegion<T extends { region: string }>(items: readonly T[], region: string): readonly T[] {
  const local = items.filter((item) => item.region === region);
  return local.length > 0 ? local : items;
}

function bucketResource(accountId: string, bucket: string): ResourceRef {
  return { accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` };
}

function bucketHost(bucket: string, region: string): string {
  return region === 'us-east-1' ? `${bucket}.s3.amazonaws.com` : `${bucket}.s3.${region}.amazonaws.com`;
}

/** S3 adds transfer and signing details to every record as additionalEventData. */
function s3Extra(prng: Prng, bytesOut: number): JsonObject {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: 0,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': s3ExtendedRequestId(prng),
    bytesTransferredOut: bytesOut,
  };
}

function ec2Call(eventName: string, requestParameters: JsonObject | null, readOnly = true): ApiCall {
  return { eventSource: 'ec2.amazonaws.com', eventName, readOnly, requestParameters, responseElements: null };
}

function simple(eventSource: string, eventName: string, requestParameters: JsonObject | null = null, readOnly = true): ApiCall {
  return { eventSource, eventName, readOnly, requestParameters, responseElements: null };
}

export type ApiTemplate = (ctx: ApiContext) => ApiCall;

/** Read-only calls, the bulk of any quiet trail. */
export const READ_APIS = {
  'ec2:DescribeInstances': () => ec2Call('DescribeInstances', { instancesSet: {}, filterSet: {} }),
  'ec2:DescribeSecurityGroups': () => ec2Call('DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }),
  'ec2:DescribeVpcs': () => ec2Call('DescribeVpcs', { vpcSet: {}, filterSet: {} }),
  'ec2:DescribeVolumes': () => ec2Call('DescribeVolumes', { volumeSet: {}, filterSet: {} }),
  'ec2:DescribeInstanceStatus': () => ec2Call('DescribeInstanceStatus', { instancesSet: {}, filterSet: {}, includeAllInstances: false }),
  'ec2:DescribeRegions': () => ec2Call('DescribeRegions', { regionSet: {}, allRegions: false }),
  'iam:ListUsers': () => simple('iam.amazonaws.com', 'ListUsers'),
  'iam:ListRoles': () => simple('iam.amazonaws.com', 'ListRoles'),
  'iam:GetAccountSummary': () => simple('iam.amazonaws.com', 'GetAccountSummary'),
  'iam:GetRole': ({ prng, env }) => simple('iam.amazonaws.com', 'GetRole', { roleName: prng.pick(env.roleNames) }),
  'iam:ListAttachedRolePolicies': ({ prng, env }) => simple('iam.amazonaws.com', 'ListAttachedRolePolicies', { roleName: prng.pick(env.roleNames) }),
  'iam:ListAccessKeys': ({ prng, env }) => simple('iam.amazonaws.com', 'ListAccessKeys', { userName: prng.pick(env.userNames) }),
  's3:ListBuckets': ({ prng }) => ({
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    readOnly: true,
    requestParameters: { Host: 's3.amazonaws.com' },
    responseElements: null,
    additionalEventData: s3Extra(prng, prng.int(1200, 2400)),
  }),
  's3:GetBucketPolicy': (ctx) => bucketRead(ctx, 'GetBucketPolicy', 'policy'),
  's3:GetBucketLocation': (ctx) => bucketRead(ctx, 'GetBucketLocation', 'location'),
  's3:GetBucketAcl': (ctx) => bucketRead(ctx, 'GetBucketAcl', 'acl'),
  's3:GetBucketEncryption': (ctx) => bucketRead(ctx, 'GetBucketEncryption', 'encryption'),
  'cloudtrail:DescribeTrails': () => simple('cloudtrail.amazonaws.com', 'DescribeTrails', { trailNameList: [], includeShadowTrails: true }),
  'cloudtrail:GetTrailStatus': ({ env }) => simple('cloudtrail.amazonaws.com', 'GetTrailStatus', { name: env.trail.arn }),
  'cloudtrail:LookupEvents': () => simple('cloudtrail.amazonaws.com', 'LookupEvents', { maxResults: 50 }),
  'sts:GetCallerIdentity': () => simple('sts.amazonaws.com', 'GetCallerIdentity'),
  'monitoring:DescribeAlarms': () => simple('monitoring.amazonaws.com', 'DescribeAlarms', { maxRecords: 100 }),
  'logs:DescribeLogGroups': () => simple('logs.amazonaws.com', 'DescribeLogGroups', { limit: 50 }),
  'logs:FilterLogEvents': ({ prng, env }) =>
    simple('logs.amazonaws.com', 'FilterLogEvents', { logGroupName: prng.pick(env.logGroups), limit: 1000, interleaved: true }),
  'kms:ListKeys': () => simple('kms.amazonaws.com', 'ListKeys'),
  'kms:Decrypt': ({ prng, env, region }) => {
    const key = prng.pick(inRegion(env.kmsKeys, region));
    return {
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      readOnly: true,
      requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      responseElements: null,
      resources: [{ accountId: env.accountId, type: 'AWS::KMS::Key', ARN: key.arn }],
    };
  },
  'secretsmanager:ListSecrets': () => simple('secretsmanager.amazonaws.com', 'ListSecrets'),
  'secretsmanager:GetSecretValue': ({ prng, env, region }) =>
    simple('secretsmanager.amazonaws.com', 'GetSecretValue', { secretId: prng.pick(inRegion(env.secrets, region)).arn }),
  'ssm:GetParameter': ({ prng, env }) => simple('ssm.amazonaws.com', 'GetParameter', { name: prng.pick(env.parameters), withDecryption: true }),
  'ssm:DescribeInstanceInformation': () => simple('ssm.amazonaws.com', 'DescribeInstanceInformation', { maxResults: 50 }),
  'lambda:ListFunctions': () => ({ ...simple('lambda.amazonaws.com', 'ListFunctions20150331'), apiVersion: '2015-03-31' }),
  'lambda:GetFunction': ({ prng, env, region }) => ({
    ...simple('lambda.amazonaws.com', 'GetFunction20150331v2', { functionName: prng.pick(inRegion(env.functions, region)).name }),
    apiVersion: '2015-03-31',
  }),
  'eks:ListClusters': () => simple('eks.amazonaws.com', 'ListClusters'),
  'eks:DescribeCluster': ({ prng, env, region }) => simple('eks.amazonaws.com', 'DescribeCluster', { name: prng.pick(inRegion(env.clusters, region)).name }),
  'ecr:DescribeRepositories': () => simple('ecr.amazonaws.com', 'DescribeRepositories'),
  'ecr:GetAuthorizationToken': () => simple('ecr.amazonaws.com', 'GetAuthorizationToken'),
  'cloudformation:DescribeStacks': ({ prng, env, region }) =>
    simple('cloudformation.amazonaws.com', 'DescribeStacks', { stackName: prng.pick(inRegion(env.stacks, region)).name }),
  'organizations:DescribeOrganization': () => simple('organizations.amazonaws.com', 'DescribeOrganization'),
  'organizations:ListAccounts': () => simple('organizations.amazonaws.com', 'ListAccounts'),
} satisfies Record<string, ApiTemplate>;

export type ReadApiName = keyof typeof READ_APIS;

function bucketRead({ prng, env }: ApiContext, eventName: string, subresource: string): ApiCall {
  const bucket = prng.pick(env.buckets);
  return {
    eventSource: 's3.amazonaws.com',
    eventName,
    readOnly: true,
    requestParameters: { bucketName: bucket, Host: bucketHost(bucket, 'us-east-1'), [subresource]: '' },
    responseElements: null,
    additionalEventData: s3Extra(prng, prng.int(200, 900)),
    resources: [bucketResource(env.accountId, bucket)],
    host: bucketHost(bucket, 'us-east-1'),
  };
}

/** S3 object reads are data events; the trail logs them for the sensitive buckets only. */
export function s3GetObject(ctx: ApiContext, bucket: string, key: string, bytes: number): ApiCall {
  return {
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    readOnly: true,
    requestParameters: { bucketName: bucket, Host: bucketHost(bucket, ctx.region), key },
    responseElements: null,
    additionalEventData: s3Extra(ctx.prng, bytes),
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      bucketResource(ctx.env.accountId, bucket),
    ],
    eventCategory: 'Data',
    host: bucketHost(bucket, ctx.region),
  };
}

export function s3ListObjects(ctx: ApiContext, bucket: string, prefix: string): ApiCall {
  return {
    eventSource: 's3.amazonaws.com',
    eventName: 'ListObjects',
    readOnly: true,
    requestParameters: { bucketName: bucket, Host: bucketHost(bucket, ctx.region), 'list-type': '2', prefix, 'max-keys': '1000' },
    responseElements: null,
    additionalEventData: s3Extra(ctx.prng, ctx.prng.int(8000, 30000)),
    resources: [bucketResource(ctx.env.accountId, bucket)],
    eventCategory: 'Data',
    host: bucketHost(bucket, ctx.region),
  };
}

export function s3PutBucketPolicy(ctx: ApiContext, bucket: string, policy: JsonObject): ApiCall {
  return {
    eventSource: 's3.amazonaws.com',
    eventName: 'PutBucketPolicy',
    readOnly: false,
    requestParameters: { bucketPolicy: policy, bucketName: bucket, Host: bucketHost(bucket, 'us-east-1'), policy: '' },
    responseElements: null,
    additionalEventData: s3Extra(ctx.prng, 0),
    resources: [bucketResource(ctx.env.accountId, bucket)],
    host: bucketHost(bucket, 'us-east-1'),
  };
}

export function iamCreateAccessKey(userName: string, newKeyId: string, time: number): ApiCall {
  return {
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    readOnly: false,
    requestParameters: { userName },
    responseElements: { accessKey: { userName, accessKeyId: newKeyId, status: 'Active', createDate: credentialExpiration(time) } },
  };
}

export function cloudTrailCall(eventName: 'StopLogging' | 'DeleteTrail', trailArn: string): ApiCall {
  return { eventSource: 'cloudtrail.amazonaws.com', eventName, readOnly: false, requestParameters: { name: trailArn }, responseElements: null };
}

export function ec2AuthorizeIngress(ctx: ApiContext, groupId: string, port: number, cidr: string): ApiCall {
  const permission = { ipProtocol: 'tcp', fromPort: port, toPort: port, groups: {}, ipRanges: { items: [{ cidrIp: cidr }] }, ipv6Ranges: {}, prefixListIds: {} };
  return {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    readOnly: false,
    requestParameters: { groupId, ipPermissions: { items: [permission] } },
    responseElements: {
      requestId: ctx.prng.uuid(),
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: ctx.env.accountId,
            groupId,
            securityGroupRuleId: `sgr-0${ctx.prng.hex(16)}`,
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
            cidrIpv4: cidr,
          },
        ],
      },
    },
  };
}

export function ec2RunInstances(ctx: ApiContext, imageId: string, instanceType: string, count: number): ApiCall {
  const instances = Array.from({ length: count }, () => {
    const id = instanceId(ctx.prng);
    // No random draw here: ENIs are derived from the instance id (network-interfaces.ts), so the rest of the
    // scenario is what it was before they were added.
    const eni = primaryInterface(id, EU_DEFAULT_SUBNET);
    return {
      instanceId: id,
      imageId,
      instanceState: { code: 0, name: 'pending' },
      instanceType,
      subnetId: eni.subnet.subnetId,
      vpcId: eni.subnet.vpcId,
      privateIpAddress: eni.privateIp,
      networkInterfaceSet: runInstancesInterfaceSet(eni, ctx.env.accountId, EU_DEFAULT_SECURITY_GROUP),
    };
  });
  return {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    readOnly: false,
    requestParameters: {
      instancesSet: { items: [{ imageId, minCount: count, maxCount: count }] },
      instanceType,
      blockDeviceMapping: {},
      monitoring: { enabled: false },
      disableApiTermination: false,
      disableApiStop: false,
      clientToken: ctx.prng.uuid(),
    },
    responseElements: {
      requestId: ctx.prng.uuid(),
      reservationId: `r-0${ctx.prng.hex(16)}`,
      ownerId: ctx.env.accountId,
      groupSet: {},
      instancesSet: { items: instances },
    },
  };
}

export function ec2CreateTags(ctx: ApiContext, resourceId: string, key: string, value: string): ApiCall {
  return {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTags',
    readOnly: false,
    requestParameters: { resourcesSet: { items: [{ resourceId }] }, tagSet: { items: [{ key, value }] } },
    responseElements: { requestId: ctx.prng.uuid(), _return: true },
  };
}

export function ssmUpdateInstanceInformation(instance: string, region: string, privateIpTail: string): ApiCall {
  return {
    eventSource: 'ssm.amazonaws.com',
    eventName: 'UpdateInstanceInformation',
    readOnly: false,
    requestParameters: {
      instanceId: instance,
      agentVersion: '3.3.859.0',
      agentStatus: 'Active',
      platformType: 'Linux',
      platformName: 'Amazon Linux',
      platformVersion: '2023',
      iPAddress: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      computerName: `ip-10-20-${privateIpTail}.ec2.internal`,
      agentName: 'amazon-ssm-agent',
      availabilityZone: `${region}a`,
      sSMConnectionChannel: 'ssmmessages',
    },
    responseElements: null,
  };
}

export function ssmListInstanceAssociations(instance: string): ApiCall {
  return simple('ssm.amazonaws.com', 'ListInstanceAssociations', { instanceId: instance, maxResults: 20 });
}

export function ceGetCostAndUsage(start: string, end: string): ApiCall {
  return simple('ce.amazonaws.com', 'GetCostAndUsage', {
    timePeriod: { start, end },
    granularity: 'DAILY',
    metrics: ['UnblendedCost'],
    groupBy: [{ type: 'DIMENSION', key: 'SERVICE' }],
  });
}

export function cloudFormationChangeSet(
  ctx: ApiContext,
  eventName: 'CreateChangeSet' | 'ExecuteChangeSet' | 'DescribeChangeSet',
  stack: string,
  changeSet: string,
): ApiCall {
  const stackId = `arn:aws:cloudformation:${ctx.region}:${ctx.env.accountId}:stack/${stack}/${ctx.prng.uuid()}`;
  const write = eventName !== 'DescribeChangeSet';
  const requestParameters: JsonObject =
    eventName === 'CreateChangeSet'
      ? {
          stackName: stack,
          changeSetName: changeSet,
          changeSetType: 'UPDATE',
          capabilities: ['CAPABILITY_IAM'],
          templateURL: `https://acme-deploy-artifacts-${ctx.env.accountId}.s3.amazonaws.com/${stack}/${changeSet}.yaml`,
        }
      : { changeSetName: changeSet, stackName: stack };
  const responseElements: JsonObject | null =
    eventName === 'CreateChangeSet'
      ? { id: `arn:aws:cloudformation:${ctx.region}:${ctx.env.accountId}:changeSet/${changeSet}/${ctx.prng.uuid()}`, stackId }
      : null;
  return { eventSource: 'cloudformation.amazonaws.com', eventName, readOnly: !write, requestParameters, responseElements };
}

export function lambdaUpdateFunctionCode(functionName: string, bucket: string, key: string): ApiCall {
  return {
    eventSource: 'lambda.amazonaws.com',
    eventName: 'UpdateFunctionCode20150331v2',
    readOnly: false,
    requestParameters: { functionName, s3Bucket: bucket, s3Key: key, publish: true, dryRun: false },
    responseElements: null,
    apiVersion: '2015-03-31',
  };
}

/** The access-denied error a service returns, with CloudTrail's message wording for the two usual causes. */
export function accessDenied(
  call: Pick<ApiCall, 'eventSource' | 'eventName'>,
  principalArn: string,
  resourceArn: string | undefined,
  cause: 'no-policy' | 'scp',
): { code: string; message: string } {
  const service = call.eventSource.replace(/\.amazonaws\.com$/, '');
  const action = `${service === 'monitoring' ? 'cloudwatch' : service}:${call.eventName.replace(/\d{8}(v\d)?$/, '')}`;
  const on = resourceArn ? ` on resource: ${resourceArn}` : '';
  const because = cause === 'scp' ? 'with an explicit deny in a service control policy' : `because no identity-based policy allows the ${action} action`;
  const message = `User: ${principalArn} is not authorized to perform: ${action}${on} ${because}`;
  if (service === 'ec2') return { code: 'Client.UnauthorizedOperation', message: `You are not authorized to perform this operation. ${message}` };
  return { code: 'AccessDenied', message };
}

/** Who makes a call and from where: a principal's credentials plus its network location and client. */
export interface Caller {
  identity: UserIdentity;
  accountId: string;
  sourceIPAddress: string;
  userAgent: string;
  fromConsole?: boolean;
  tls12?: boolean;
  /** For programs whose user agent names the service client (see network.ts). */
  userAgentFor?: (eventSource: string) => string;
}

export function apiRecord(
  prng: Prng,
  time: number,
  region: string,
  caller: Caller,
  call: ApiCall,
  error?: { code: string; message: string },
): CloudTrailEvent {
  return buildRecord(prng, {
    time,
    region,
    recipientAccountId: caller.accountId,
    identity: caller.identity,
    sourceIPAddress: caller.sourceIPAddress,
    userAgent: caller.userAgentFor ? caller.userAgentFor(call.eventSource) : caller.userAgent,
    eventSource: call.eventSource,
    eventName: call.eventName,
    readOnly: call.readOnly,
    requestParameters: call.requestParameters,
    // A failed request has no response.
    responseElements: error ? null : call.responseElements,
    ...(call.additionalEventData ? { additionalEventData: call.additionalEventData } : {}),
    ...(error ? { error } : {}),
    ...(call.resources ? { resources: call.resources } : {}),
    ...(call.eventCategory ? { eventCategory: call.eventCategory } : {}),
    ...(call.apiVersion ? { apiVersion: call.apiVersion } : {}),
    ...(call.host ? { host: call.host } : {}),
    ...(caller.fromConsole ? { fromConsole: true } : {}),
    ...(caller.tls12 ? { tls12: true } : {}),
  });
}

import {
  ceGetCostAndUsage,
  cloudFormationChangeSet,
  lambdaUpdateFunctionCode,
  READ_APIS,
  ssmListInstanceAssociations,
  ssmUpdateInstanceInformation,
} from './apis';
import { dayStream, type ScenarioContext } from './context';
import { iamUserIdentity, roleSessionIdentity } from './identities';
import { accessKeyId } from './ids';
import { awsServicePrincipal, eksWorkloadUserAgent, IP, lambdaNodeUserAgent, USER_AGENT } from './network';
import type { Instance, Org } from './org';
import type { Prng } from './prng';
import { buildRecord } from './record';
import { assumeRole, assumeRoleWithWebIdentity, getFederationToken, type Session } from './sts';
import { clock, sessionCaller } from './timeline';
import { DAY, HOUR, isoSeconds, isWeekend, MINUTE, SECOND } from './time';

/** Workloads and automation: they run around the clock, weekends included. */

/** The orders API on EKS: IAM roles for service accounts, a web identity session every four hours. */
export function ordersApiDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'orders-api', day);
  const { org, timeline } = ctx;
  for (let slot = 0; slot < 6; slot++) {
    const t = day + slot * 4 * HOUR + 10 * MINUTE + prng.int(0, 300) * SECOND;
    const session = timeline.sts(
      assumeRoleWithWebIdentity(prng, {
        time: t,
        region: 'us-east-1',
        sourceIPAddress: IP.eksNatGateway,
        userAgent: eksWorkloadUserAgent('sts.amazonaws.com'),
        role: org.roles.ordersApi,
        provider: org.eks.providerArn,
        audience: org.eks.audience,
        subject: org.eks.subject,
        // The AWS SDK for Go names web identity sessions after the current time in nanoseconds.
        sessionName: `aws-go-sdk-${t}${prng.int(100000, 999999)}`,
        durationSeconds: 3600,
        label: 'orders-api EKS IRSA session',
      }),
    );
    ordersApiActivity(prng, ctx, session, t);
  }
}

function ordersApiActivity(prng: Prng, ctx: ScenarioContext, session: Session, start: number): void {
  const caller = sessionCaller(session, IP.eksNatGateway, eksWorkloadUserAgent);
  const secret = ctx.org.workload.secrets.find((s) => s.name === 'orders-api/db');
  if (!secret) throw new Error('orders-api secret missing');
  ctx.timeline.call(prng, start + prng.int(1, 5) * SECOND, 'us-east-1', caller, {
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'GetSecretValue',
    readOnly: true,
    requestParameters: { secretId: secret.arn },
    responseElements: null,
  });
  if (prng.chance(0.5)) {
    const region = 'us-east-1';
    ctx.timeline.call(prng, start + prng.int(60, 1800) * SECOND, region, caller, READ_APIS['kms:Decrypt']({ prng, env: ctx.org.workload, region }));
  }
}

/** The first orders-api session of the data was created the evening before it starts. */
export function ordersApiCarryOver(ctx: ScenarioContext, firstDay: number): void {
  const prng = ctx.seed.fork('orders-api/carry-over');
  const createdAt = firstDay - 50 * MINUTE;
  const key = accessKeyId(prng, 'ASIA');
  const sessionName = `aws-go-sdk-${createdAt}${prng.int(100000, 999999)}`;
  const session = ctx.timeline.sessionWithoutCreation({
    accessKeyId: key,
    identity: roleIdentity(ctx, 'ordersApi', sessionName, key, createdAt, { federatedProvider: ctx.org.eks.providerArn }),
    accountId: ctx.org.workload.accountId,
    createdAt,
    expiresAt: createdAt + HOUR,
    label: 'orders-api EKS IRSA session created before the first day',
    missingCreationReason: 'created on 2026-09-30, before the first day of the sample data',
  });
  const caller = sessionCaller(session, IP.eksNatGateway, eksWorkloadUserAgent);
  ctx.timeline.call(prng, firstDay + 2 * MINUTE, 'us-east-1', caller, READ_APIS['kms:Decrypt']({ prng, env: ctx.org.workload, region: 'us-east-1' }));
}

function roleIdentity(
  ctx: ScenarioContext,
  role: keyof Org['roles'],
  sessionName: string,
  key: string,
  createdAt: number,
  extra: { federatedProvider?: string; ec2RoleDelivery?: '2.0' },
): Session['identity'] {
  return roleSessionIdentity(ctx.org.roles[role], sessionName, key, { createdAt, mfa: false, ...extra });
}

/**
 * The web servers' instance profile. EC2 assumes the role for each instance and hands the credentials to
 * the instance through IMDSv2. (EC2 refreshes them about hourly; every six hours keeps the sample small.)
 */
export function webServerDay(ctx: ScenarioContext, day: number, instance: Instance, offset: number): void {
  const prng = dayStream(ctx, `web/${instance.id}`, day);
  for (let slot = 0; slot < 4; slot++) {
    const t = day + offset + slot * 6 * HOUR + prng.int(0, 240) * SECOND;
    const session = ctx.timeline.sts(
      assumeRole(prng, {
        time: t,
        region: instance.region,
        sourceIPAddress: awsServicePrincipal('ec2'),
        userAgent: awsServicePrincipal('ec2'),
        caller: { kind: 'service', service: 'ec2.amazonaws.com' },
        role: ctx.org.roles.webServer,
        sessionName: instance.id,
        durationSeconds: 6 * 3600 + prng.int(0, 900),
        ec2RoleDelivery: '2.0',
        label: `web-server-role instance profile session of ${instance.id}`,
      }),
    );
    rememberInstanceSession(ctx, instance.id, session);
    webServerActivity(prng, ctx, session, instance, t, t + 6 * HOUR);
  }
}

function rememberInstanceSession(ctx: ScenarioContext, id: string, session: Session): void {
  const list = ctx.instanceSessions.get(id) ?? [];
  list.push(session);
  ctx.instanceSessions.set(id, list);
}

function webServerActivity(prng: Prng, ctx: ScenarioContext, session: Session, instance: Instance, from: number, to: number): void {
  const agent = sessionCaller(session, instance.publicIp, USER_AGENT.ssmAgent);
  const app = sessionCaller(session, instance.publicIp, USER_AGENT.webApp);
  const end = Math.min(to, session.expiresAt);
  // The SSM agent reports in every few hours and asks for associations.
  for (let t = from + prng.int(2, 20) * MINUTE; t < end; t += 3 * HOUR + prng.int(-600, 600) * SECOND) {
    ctx.timeline.call(prng, t, instance.region, agent, ssmUpdateInstanceInformation(instance.id, instance.region, instance.privateTail));
    if (prng.chance(0.6)) ctx.timeline.call(prng, t + prng.int(1, 20) * SECOND, instance.region, agent, ssmListInstanceAssociations(instance.id));
  }
  // The web application reads its feature flags now and then.
  if (prng.chance(0.5)) {
    const t = from + prng.int(10, 300) * MINUTE;
    if (t < end) ctx.timeline.call(prng, t, instance.region, app, READ_APIS['ssm:GetParameter']({ prng, env: ctx.org.workload, region: instance.region }));
  }
}

/** The instance-profile sessions that were issued before the first day and are still in use on it. */
export function webServerCarryOver(ctx: ScenarioContext, firstDay: number, instance: Instance, offset: number): void {
  const prng = ctx.seed.fork(`web/${instance.id}/carry-over`);
  const createdAt = firstDay + offset - 6 * HOUR + prng.int(0, 240) * SECOND;
  const key = accessKeyId(prng, 'ASIA');
  const session = ctx.timeline.sessionWithoutCreation({
    accessKeyId: key,
    identity: roleIdentity(ctx, 'webServer', instance.id, key, createdAt, { ec2RoleDelivery: '2.0' }),
    accountId: ctx.org.workload.accountId,
    createdAt,
    expiresAt: createdAt + 6 * HOUR + 600 * SECOND,
    label: `web-server-role session of ${instance.id} created before the first day`,
    missingCreationReason: 'instance-profile credentials issued on 2026-09-30, before the first day of the sample data',
  });
  rememberInstanceSession(ctx, instance.id, session);
  webServerActivity(prng, ctx, session, instance, firstDay, firstDay + offset);
}

/** The invoice-processor Lambda function in eu-west-1: a session per new execution environment. */
export function lambdaDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'lambda', day);
  const environments = prng.int(3, 5);
  for (let i = 0; i < environments; i++) {
    const t = day + prng.int(0, 23 * 60) * MINUTE + prng.int(0, 59) * SECOND;
    const session = ctx.timeline.sts(
      assumeRole(prng, {
        time: t,
        region: 'eu-west-1',
        sourceIPAddress: awsServicePrincipal('lambda'),
        userAgent: awsServicePrincipal('lambda'),
        caller: { kind: 'service', service: 'lambda.amazonaws.com' },
        role: ctx.org.roles.invoiceLambda,
        sessionName: 'invoice-processor',
        durationSeconds: 6 * 3600,
        label: 'invoice-processor Lambda execution role session',
      }),
    );
    lambdaActivity(prng, ctx, session, t + prng.int(1, 3) * SECOND, true);
  }
}

function lambdaActivity(prng: Prng, ctx: ScenarioContext, session: Session, start: number, coldStart: boolean): void {
  const region = 'eu-west-1';
  const caller = sessionCaller(session, prng.pick(IP.lambdaEuWest1), lambdaNodeUserAgent);
  const env = ctx.org.workload;
  let t = start;
  if (coldStart) {
    ctx.timeline.call(prng, t, region, caller, READ_APIS['secretsmanager:GetSecretValue']({ prng, env, region }));
    ctx.timeline.call(prng, t + SECOND, region, caller, READ_APIS['ssm:GetParameter']({ prng, env, region }));
  }
  const invocations = prng.int(1, 3);
  for (let i = 0; i < invocations; i++) {
    t += prng.int(2, 90) * MINUTE;
    if (t >= session.expiresAt) break;
    ctx.timeline.call(prng, t, region, caller, READ_APIS['kms:Decrypt']({ prng, env, region }));
  }
}

export function lambdaCarryOver(ctx: ScenarioContext, firstDay: number): void {
  const prng = ctx.seed.fork('lambda/carry-over');
  const createdAt = firstDay - 80 * MINUTE;
  const key = accessKeyId(prng, 'ASIA');
  const session = ctx.timeline.sessionWithoutCreation({
    accessKeyId: key,
    identity: roleIdentity(ctx, 'invoiceLambda', 'invoice-processor', key, createdAt, {}),
    accountId: ctx.org.workload.accountId,
    createdAt,
    expiresAt: createdAt + 6 * HOUR,
    label: 'invoice-processor Lambda session created before the first day',
    missingCreationReason: 'Lambda execution environment started on 2026-09-30, before the first day of the sample data',
  });
  lambdaActivity(prng, ctx, session, firstDay + 15 * MINUTE, false);
}

/** The deploy pipeline: an IAM user with a long-term access key, running from hosted CI runners. */
export function ciDeployerDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'ci-deployer', day);
  const { org, timeline } = ctx;
  if (isWeekend(day)) return;
  const caller = { identity: iamUserIdentity(org.users.ciDeployer, org.keys.ciDeployer), accountId: org.workload.accountId, userAgent: USER_AGENT.ciDeployer };
  const runs = prng.int(1, 3);
  for (let run = 0; run < runs; run++) {
    const ip = prng.pick(IP.ciRunners);
    const who = { ...caller, sourceIPAddress: ip };
    const after = clock(day + prng.int(10 * 60, 20 * 60) * MINUTE);
    const env = org.workload;
    timeline.call(prng, after(0), 'us-east-1', who, READ_APIS['sts:GetCallerIdentity']());
    if (prng.chance(0.6)) {
      const region = 'us-east-1';
      const ctxApi = { prng, env, region };
      const changeSet = `deploy-${isoSeconds(after(0)).slice(0, 10).replace(/-/g, '')}-${prng.hex(7)}`;
      timeline.call(prng, after(20), region, who, READ_APIS['ecr:GetAuthorizationToken']());
      timeline.call(prng, after(90), region, who, READ_APIS['cloudformation:DescribeStacks'](ctxApi));
      timeline.call(prng, after(3), region, who, cloudFormationChangeSet(ctxApi, 'CreateChangeSet', 'web-prod', changeSet));
      for (let i = 0; i < 2; i++) timeline.call(prng, after(15), region, who, cloudFormationChangeSet(ctxApi, 'DescribeChangeSet', 'web-prod', changeSet));
      timeline.call(prng, after(5), region, who, cloudFormationChangeSet(ctxApi, 'ExecuteChangeSet', 'web-prod', changeSet));
      for (let i = 0; i < 3; i++) timeline.call(prng, after(30), region, who, READ_APIS['cloudformation:DescribeStacks'](ctxApi));
    } else {
      const region = 'eu-west-1';
      const build = prng.hex(12);
      timeline.call(prng, after(40), region, who, lambdaUpdateFunctionCode('invoice-processor', `acme-deploy-artifacts-${env.accountId}`, `invoice-processor/${build}.zip`));
      timeline.call(prng, after(10), region, who, READ_APIS['lambda:GetFunction']({ prng, env, region }));
    }
  }
}

/** A reporting server issues a federated user for the finance reports every morning. */
export function reportingDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'reporting', day);
  const { org, timeline } = ctx;
  const t = day + 6 * HOUR + prng.int(0, 600) * SECOND;
  const session = timeline.sts(
    getFederationToken(prng, {
      time: t,
      region: 'us-east-1',
      sourceIPAddress: IP.reportingServer,
      userAgent: USER_AGENT.reportingTool,
      user: org.users.reportingProxy,
      longTermKey: org.keys.reportingProxy,
      name: 'finance-reports',
      durationSeconds: 3600,
      policyArn: 'arn:aws:iam::aws:policy/job-function/Billing',
      label: 'finance-reports federated user session',
    }),
  );
  const caller = sessionCaller(session, IP.reportingServer, USER_AGENT.reportingTool);
  const end = isoSeconds(day).slice(0, 10);
  const start = isoSeconds(day - 7 * DAY).slice(0, 10);
  const calls = prng.int(2, 4);
  for (let i = 0; i < calls; i++) timeline.call(prng, t + (i + 1) * prng.int(5, 30) * SECOND, 'us-east-1', caller, ceGetCostAndUsage(start, end));
}

/** Mobile app users get Cognito identity pool credentials; they only use data-plane APIs the trail does not log. */
export function cognitoDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'cognito', day);
  const count = prng.int(3, 6);
  for (let i = 0; i < count; i++) {
    const t = day + prng.int(7 * 60, 22 * 60) * MINUTE + prng.int(0, 59) * SECOND;
    ctx.timeline.sts(
      assumeRoleWithWebIdentity(prng, {
        time: t,
        region: 'eu-west-1',
        sourceIPAddress: prng.pick(IP.appUsers),
        userAgent: USER_AGENT.cognitoApp,
        role: ctx.org.roles.cognitoAuth,
        provider: 'cognito-identity.amazonaws.com',
        audience: ctx.org.cognito.identityPoolId,
        subject: prng.pick(ctx.org.cognito.identityIds),
        sessionName: 'CognitoIdentityCredentials',
        durationSeconds: 3600,
        label: 'photo-app Cognito identity session',
      }),
    );
  }
}

/** KMS rotates a customer managed key on its anniversary: an AWS service event, not an API call. */
export function kmsRotation(ctx: ScenarioContext, time: number): void {
  const prng = ctx.seed.fork('kms-rotation');
  const key = ctx.org.workload.kmsKeys[0];
  if (!key) throw new Error('no KMS key');
  ctx.timeline.push(
    buildRecord(prng, {
      time,
      region: key.region,
      recipientAccountId: ctx.org.workload.accountId,
      identity: { accountId: ctx.org.workload.accountId, invokedBy: 'kms.amazonaws.com' },
      sourceIPAddress: 'kms.amazonaws.com',
      userAgent: 'kms.amazonaws.com',
      eventSource: 'kms.amazonaws.com',
      eventName: 'RotateKey',
      readOnly: false,
      requestParameters: null,
      responseElements: null,
      resources: [{ accountId: ctx.org.workload.accountId, type: 'AWS::KMS::Key', ARN: key.arn }],
      eventType: 'AwsServiceEvent',
      serviceEventDetails: { keyId: key.arn.split('/').pop() ?? '' },
    }),
  );
}

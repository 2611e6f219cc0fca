import { type AccountEnv, READ_APIS, type ReadApiName, s3GetObject, ssmListInstanceAssociations, ssmUpdateInstanceInformation, accessDenied, type Caller, type ApiCall } from './apis';
import { gzip, logFileJson, logFileKey, type TrailLayout } from './delivery';
import { type IamRole, iamUserIdentity, iamUserSessionIdentity, makeRole, makeUser, samlNameQualifier } from './identities';
import { accessKeyId, instanceId, secretArn } from './ids';
import { eksWorkloadUserAgent, IP, lambdaNodeUserAgent, USER_AGENT } from './network';
import { Prng } from './prng';
import { assumeRole, assumeRoleWithSaml, assumeRoleWithWebIdentity, type Session, type StsResult } from './sts';
import { sessionCaller, Timeline } from './timeline';
import { HOUR, MINUTE, SECOND, utc } from './time';
import type { CloudTrailEvent } from './types';

/**
 * One large CloudTrail log file for benchmarks: `records` records of a busy account in one hour, with the
 * mix a real trail has (instance profiles, Lambda functions, EKS workloads, SSO and SAML users, CI keys,
 * console sessions), session-creating events before the activity that uses their credentials, S3 data
 * events and a few access-denied errors. About 1 KB per record, so 100k records are ~100 MB uncompressed.
 */

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const WINDOW_START = utc(2026, 10, 22, 14, 0, 0);

interface Actor {
  name: string;
  weight: number;
  /** Issues new credentials; undefined for actors whose sessions have no creating event. */
  refresh?: (prng: Prng, time: number) => StsResult;
  /** For console users: a session that is never created by an STS call. */
  fixedSession?: Session;
  /** For long-term keys. */
  fixedCaller?: Caller;
  ip: string;
  userAgent: string | ((eventSource: string) => string);
  fromConsole?: boolean;
  apis: readonly (readonly [ReadApiName | 'custom', number])[];
  custom?: (prng: Prng, env: AccountEnv) => ApiCall;
  /** Credentials are refreshed after this long. */
  lifetime: number;
}

function bulkEnv(prng: Prng): AccountEnv {
  return {
    accountId: ACCOUNT,
    buckets: Array.from({ length: 12 }, (_, i) => `bulk-data-${i}-${ACCOUNT}`),
    instances: Array.from({ length: 40 }, () => ({ id: instanceId(prng), region: REGION })),
    securityGroups: [],
    secrets: Array.from({ length: 10 }, (_, i) => {
      const name = `service-${i}/credentials`;
      return { name, arn: secretArn(prng, REGION, ACCOUNT, name), region: REGION };
    }),
    roleNames: ['web-server-role', 'orders-api-irsa', 'etl-lambda-role', 'OktaDevelopers', 'DataPlatform'],
    userNames: ['ci-deployer', 'ci-terraform'],
    trail: { name: 'management-trail', arn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management-trail` },
    functions: Array.from({ length: 8 }, (_, i) => ({ name: `etl-step-${i}`, region: REGION })),
    clusters: [{ name: 'platform', region: REGION }],
    parameters: ['/platform/feature-flags', '/platform/db-endpoint', '/etl/batch-size'],
    kmsKeys: [{ arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${prng.uuid()}`, region: REGION }],
    logGroups: ['/aws/lambda/etl-step-0', '/platform/app'],
    stacks: [{ name: 'platform', region: REGION }],
  };
}

function objectRead(prng: Prng, env: AccountEnv): ApiCall {
  const bucket = prng.pick(env.buckets);
  return s3GetObject({ prng, env, region: REGION }, bucket, `data/${prng.hex(2)}/${prng.hex(16)}.parquet`, prng.int(10_000, 50_000_000));
}

function actors(prng: Prng, env: AccountEnv): Actor[] {
  const role = (name: string, path?: string): IamRole => makeRole(prng, ACCOUNT, name, path);
  const web = role('web-server-role');
  const etl = role('etl-lambda-role', '/service-role/');
  const irsa = role('orders-api-irsa');
  const okta = role('OktaDevelopers');
  const sso = role(`AWSReservedSSO_PowerUser_${prng.hex(16)}`, '/aws-reserved/sso.amazonaws.com/');
  const oidc = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/${prng.chars('0123456789ABCDEF', 32)}`;
  const ssoName = `AWSSSO_${prng.hex(16)}_DO_NOT_DELETE`;
  const ssoIssuer = `https://portal.sso.${REGION}.amazonaws.com/saml/assertion/${Buffer.from(`${ACCOUNT}_ins-${prng.hex(16)}`).toString('base64')}`;
  const ssoProvider = { arn: `arn:aws:iam::${ACCOUNT}:saml-provider/${ssoName}`, issuer: ssoIssuer, nameQualifier: samlNameQualifier(ssoIssuer, ACCOUNT, ssoName) };
  const oktaIssuer = `http://www.okta.com/exk${prng.hex(17)}`;
  const oktaProvider = { arn: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`, issuer: oktaIssuer, nameQualifier: samlNameQualifier(oktaIssuer, ACCOUNT, 'Okta') };
  const list: Actor[] = [];

  env.instances.forEach((instance, i) => {
    const ip = `3.${80 + (i % 20)}.${(i * 37) % 250}.${10 + i}`;
    list.push({
      name: instance.id,
      weight: 35 / env.instances.length,
      refresh: (p, time) =>
        assumeRole(p, {
          time,
          region: REGION,
          sourceIPAddress: 'ec2.amazonaws.com',
          userAgent: 'ec2.amazonaws.com',
          caller: { kind: 'service', service: 'ec2.amazonaws.com' },
          role: web,
          sessionName: instance.id,
          durationSeconds: 6 * 3600,
          ec2RoleDelivery: '2.0',
          label: `instance ${instance.id}`,
        }),
      ip,
      userAgent: i % 3 === 0 ? USER_AGENT.ssmAgent : USER_AGENT.webApp,
      apis: [
        ['custom', 4],
        ['ssm:GetParameter', 2],
        ['kms:Decrypt', 2],
        ['ec2:DescribeInstances', 1],
      ],
      custom: (p) =>
        p.chance(0.5)
          ? ssmUpdateInstanceInformation(instance.id, REGION, `${i}-${10 + i}`)
          : p.chance(0.5)
            ? ssmListInstanceAssociations(instance.id)
            : objectRead(p, env),
      lifetime: 20 * MINUTE,
    });
  });
  env.functions.forEach((fn) =>
    list.push({
      name: fn.name,
      weight: 20 / env.functions.length,
      refresh: (p, time) =>
        assumeRole(p, {
          time,
          region: REGION,
          sourceIPAddress: 'lambda.amazonaws.com',
          userAgent: 'lambda.amazonaws.com',
          caller: { kind: 'service', service: 'lambda.amazonaws.com' },
          role: etl,
          sessionName: fn.name,
          durationSeconds: 6 * 3600,
          label: fn.name,
        }),
      ip: '3.238.177.5',
      userAgent: lambdaNodeUserAgent,
      apis: [
        ['custom', 5],
        ['secretsmanager:GetSecretValue', 1],
        ['kms:Decrypt', 2],
        ['ssm:GetParameter', 1],
      ],
      custom: objectRead,
      lifetime: 30 * MINUTE,
    }),
  );
  for (let pod = 0; pod < 6; pod++) {
    list.push({
      name: `pod-${pod}`,
      weight: 15 / 6,
      refresh: (p, time) =>
        assumeRoleWithWebIdentity(p, {
          time,
          region: REGION,
          sourceIPAddress: IP.eksNatGateway,
          userAgent: eksWorkloadUserAgent('sts.amazonaws.com'),
          role: irsa,
          provider: oidc,
          audience: 'sts.amazonaws.com',
          subject: `system:serviceaccount:orders:orders-api-${pod}`,
          sessionName: `aws-go-sdk-${time}${p.int(100000, 999999)}`,
          durationSeconds: 3600,
          label: `pod ${pod}`,
        }),
      ip: IP.eksNatGateway,
      userAgent: eksWorkloadUserAgent,
      apis: [
        ['custom', 3],
        ['secretsmanager:GetSecretValue', 1],
        ['kms:Decrypt', 2],
      ],
      custom: objectRead,
      lifetime: 15 * MINUTE,
    });
  }
  for (let person = 0; person < 6; person++) {
    const email = `user${person}@example.com`;
    list.push({
      name: email,
      weight: 10 / 6,
      refresh: (p, time) =>
        assumeRoleWithSaml(p, {
          time,
          region: REGION,
          sourceIPAddress: IP.bobHome,
          userAgent: USER_AGENT.browserWindows,
          role: sso,
          provider: ssoProvider,
          subject: email,
          subjectType: 'persistent',
          sessionName: email,
          durationSeconds: 3600,
          label: email,
        }),
      ip: IP.bobHome,
      userAgent: USER_AGENT.browserWindows,
      fromConsole: true,
      apis: [
        ['ec2:DescribeInstances', 3],
        ['ec2:DescribeInstanceStatus', 2],
        ['monitoring:DescribeAlarms', 2],
        ['logs:FilterLogEvents', 2],
        ['s3:ListBuckets', 1],
        ['s3:GetBucketPolicy', 1],
        ['lambda:ListFunctions', 1],
        ['cloudformation:DescribeStacks', 1],
      ],
      lifetime: 40 * MINUTE,
    });
  }
  for (let dev = 0; dev < 4; dev++) {
    const email = `dev${dev}@example.com`;
    list.push({
      name: email,
      weight: 8 / 4,
      refresh: (p, time) =>
        assumeRoleWithSaml(p, {
          time,
          region: REGION,
          sourceIPAddress: IP.daveMobile,
          userAgent: USER_AGENT.saml2aws,
          role: okta,
          provider: oktaProvider,
          subject: email,
          subjectType: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
          sessionName: email,
          durationSeconds: 3600,
          label: email,
        }),
      ip: IP.daveMobile,
      userAgent: USER_AGENT.terraform,
      apis: [
        ['ec2:DescribeInstances', 2],
        ['ec2:DescribeSecurityGroups', 2],
        ['ec2:DescribeVpcs', 1],
        ['iam:GetRole', 2],
        ['eks:DescribeCluster', 1],
        ['s3:GetBucketEncryption', 1],
        ['lambda:GetFunction', 1],
      ],
      lifetime: 50 * MINUTE,
    });
  }
  for (const name of ['ci-deployer', 'ci-terraform']) {
    const user = makeUser(prng, ACCOUNT, name);
    list.push({
      name,
      weight: 7 / 2,
      fixedCaller: { identity: iamUserIdentity(user, accessKeyId(prng, 'AKIA')), accountId: ACCOUNT, sourceIPAddress: IP.ciRunners[0], userAgent: USER_AGENT.ciDeployer },
      ip: IP.ciRunners[0],
      userAgent: USER_AGENT.ciDeployer,
      apis: [
        ['sts:GetCallerIdentity', 1],
        ['cloudformation:DescribeStacks', 3],
        ['ecr:GetAuthorizationToken', 1],
        ['lambda:GetFunction', 1],
      ],
      lifetime: HOUR,
    });
  }
  for (const name of ['alice', 'carol']) {
    const user = makeUser(prng, ACCOUNT, name);
    const key = accessKeyId(prng, 'ASIA');
    const createdAt = WINDOW_START - 40 * MINUTE;
    list.push({
      name,
      weight: 5 / 2,
      fixedSession: {
        accessKeyId: key,
        identity: iamUserSessionIdentity(user, key, createdAt, true),
        accountId: ACCOUNT,
        createdAt,
        expiresAt: createdAt + 12 * HOUR,
        label: `${name} console session`,
        missingCreationReason: 'console session',
      },
      ip: IP.officeUs,
      userAgent: USER_AGENT.browserMac,
      fromConsole: true,
      apis: [
        ['iam:ListRoles', 1],
        ['cloudtrail:LookupEvents', 2],
        ['ec2:DescribeInstances', 2],
        ['s3:ListBuckets', 1],
      ],
      lifetime: HOUR,
    });
  }
  return list;
}

/** The records of the bulk file, in the loose time order of a real log file. */
export function generateBulkRecords(records: number, seed: number): CloudTrailEvent[] {
  const prng = new Prng(`trailhound-bulk/${seed}`);
  const env = bulkEnv(prng.fork('env'));
  const cast = actors(prng.fork('actors'), env);
  const weights = cast.map((actor) => [actor, actor.weight] as const);
  const timeline = new Timeline([env]);
  const current = new Map<string, Session>();
  const step = HOUR / Math.max(records, 1);
  let time = WINDOW_START;
  while (timeline.records.length < records) {
    time += step;
    const actor = prng.weighted(weights);
    let caller: Caller;
    if (actor.fixedCaller) caller = actor.fixedCaller;
    else {
      let session = actor.fixedSession ?? current.get(actor.name);
      if (!session || (actor.refresh && time - session.createdAt > actor.lifetime)) {
        if (!actor.refresh) throw new Error(`actor ${actor.name} cannot refresh`);
        session = timeline.sts(actor.refresh(prng, time));
        current.set(actor.name, session);
        time += SECOND;
      }
      caller = sessionCaller(session, actor.ip, actor.userAgent, actor.fromConsole ? { fromConsole: true } : {});
    }
    const choice = prng.weighted(actor.apis);
    const call = choice === 'custom' && actor.custom ? actor.custom(prng, env) : READ_APIS[choice === 'custom' ? 'sts:GetCallerIdentity' : choice]({ prng, env, region: REGION });
    // About 2% of calls are refused, as in any real account.
    const error = prng.chance(0.02) ? accessDenied(call, caller.identity.arn ?? '', undefined, 'no-policy') : undefined;
    timeline.call(prng, time, REGION, caller, call, error);
  }
  const out = timeline.records.slice(0, records);
  // Real files are only roughly time-ordered: swap neighbours now and then.
  for (let i = 0; i + 1 < out.length; i += 2) {
    if (prng.chance(0.15)) [out[i], out[i + 1]] = [out[i + 1] as CloudTrailEvent, out[i] as CloudTrailEvent];
  }
  return out;
}

/** One gzipped CloudTrail log file of `records` records; the same seed always gives the same bytes. */
export function generateBulkLogFile(records: number, seed: number): Buffer {
  return gzip(logFileJson(generateBulkRecords(records, seed)));
}

/** Where CloudTrail would put the bulk file in the bucket. */
export function bulkLogFileKey(seed: number): string {
  const layout: TrailLayout = { accountId: ACCOUNT, prefix: `AWSLogs/${ACCOUNT}`, trailName: 'management-trail', homeRegion: REGION, bucket: 'bench' };
  return logFileKey(layout, REGION, WINDOW_START + HOUR + 5 * MINUTE, new Prng(`trailhound-bulk-key/${seed}`).chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16));
}

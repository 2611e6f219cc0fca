import {
  accessDenied,
  type ApiCall,
  type ApiContext,
  cloudTrailCall,
  ec2AuthorizeIngress,
  ec2RunInstances,
  iamCreateAccessKey,
  READ_APIS,
  type ReadApiName,
  s3GetObject,
  s3ListObjects,
  s3PutBucketPolicy,
} from './apis';
import type { ScenarioContext } from './context';
import { iamUserIdentity } from './identities';
import { accessKeyId } from './ids';
import { IP, USER_AGENT } from './network';
import { EXTERNAL_ACCOUNT, SENSITIVE_BUCKET } from './org';
import { assumeRole, type Session } from './sts';
import { sessionCaller } from './timeline';
import { HOUR, MINUTE, SECOND } from './time';

/**
 * The incident of 2026-10-22. Alice's MFA session credentials (from GetSessionToken, cached on her laptop)
 * are stolen and replayed from a server abroad with a hand-rolled Python client. The attacker chains roles
 * into the workload account, takes secrets and customer exports, tries to blind the organisation trail,
 * opens SSH to the world, starts instances and plants an access key. Separately, the instance-profile
 * credentials of one web server are replayed from outside AWS.
 */

export interface IncidentFacts {
  /** The stolen GetSessionToken session (legitimately created by Alice that morning). */
  stolenMfaSession: string;
  adminSession: string;
  orgAccessSession: string;
  dataAccessSession: string;
  /** The AKIA key the attacker created for ci-deployer. */
  plantedAccessKey: string;
  /** The web server credentials replayed from outside AWS. */
  replayedInstanceSession: string;
  replayedInstanceId: string;
  objectsRead: number;
}

function stepper(start: number): (minSeconds: number, maxSeconds: number, rand: (a: number, b: number) => number) => number {
  let t = start;
  return (minSeconds, maxSeconds, rand) => {
    t += rand(minSeconds, maxSeconds) * SECOND;
    return t;
  };
}

export function incident(ctx: ScenarioContext, day: number, stolen: Session): IncidentFacts {
  const prng = ctx.seed.fork('incident');
  const { org, timeline } = ctx;
  const rand = (a: number, b: number): number => prng.int(a, b);
  const next = stepper(day + 18 * HOUR + 4 * MINUTE);
  const ip = IP.attackerVps;
  const ua = USER_AGENT.attacker;
  // A hand-rolled client negotiates TLS 1.2, unlike the SDKs and the CLI.
  const tls = { tls12: true };
  const mgmtCtx = (region: string): ApiContext => ({ prng, env: org.mgmt, region });
  const workCtx = (region: string): ApiContext => ({ prng, env: org.workload, region });
  const read = (name: ReadApiName, c: ApiContext): ApiCall => READ_APIS[name](c);

  // 1. Discovery with the stolen MFA session: who am I, what can I reach.
  const stolenCaller = sessionCaller(stolen, ip, ua, tls);
  timeline.call(prng, next(0, 5, rand), 'us-east-1', stolenCaller, read('sts:GetCallerIdentity', mgmtCtx('us-east-1')));
  timeline.call(prng, next(20, 40, rand), 'us-east-1', stolenCaller, read('iam:ListRoles', mgmtCtx('us-east-1')));
  timeline.call(prng, next(10, 30, rand), 'us-east-1', stolenCaller, {
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListAttachedUserPolicies',
    readOnly: true,
    requestParameters: { userName: 'alice' },
    responseElements: null,
  });

  // 2. Into Admin, as Alice always does (the trust policy wants her name as source identity).
  const admin = timeline.sts(
    assumeRole(prng, {
      time: next(40, 90, rand),
      region: 'us-east-1',
      sourceIPAddress: ip,
      userAgent: ua,
      tls12: true,
      caller: { kind: 'principal', identity: stolen.identity, accountId: org.mgmt.accountId, mfa: true },
      role: org.roles.admin,
      sessionName: 'alice',
      durationSeconds: 3600,
      sourceIdentity: 'alice',
      label: 'INCIDENT: Admin session from the stolen MFA session',
    }),
  );
  const adminCaller = sessionCaller(admin, ip, ua, tls);
  for (const name of ['organizations:DescribeOrganization', 'organizations:ListAccounts', 'iam:ListRoles', 'cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus'] as const) {
    timeline.call(prng, next(8, 40, rand), 'us-east-1', adminCaller, read(name, mgmtCtx('us-east-1')));
  }

  // 3. Cross-account into the workload account; the source identity "alice" is carried along the chain.
  const orgAccess = timeline.sts(
    assumeRole(prng, {
      time: next(30, 70, rand),
      region: 'us-east-1',
      sourceIPAddress: ip,
      userAgent: ua,
      tls12: true,
      caller: { kind: 'principal', identity: admin.identity, accountId: org.mgmt.accountId, mfa: true, sourceIdentity: 'alice' },
      role: org.roles.orgAccess,
      sessionName: 'alice',
      durationSeconds: 3600,
      label: 'INCIDENT: OrganizationAccountAccessRole session (cross-account, chained)',
    }),
  );
  const orgCaller = sessionCaller(orgAccess, ip, ua, tls);
  for (const [name, region] of [
    ['iam:ListRoles', 'us-east-1'],
    ['iam:ListUsers', 'us-east-1'],
    ['iam:ListAccessKeys', 'us-east-1'],
    ['ec2:DescribeInstances', 'us-east-1'],
    ['ec2:DescribeInstances', 'eu-west-1'],
    ['ec2:DescribeSecurityGroups', 'us-east-1'],
    ['s3:ListBuckets', 'us-east-1'],
    ['secretsmanager:ListSecrets', 'us-east-1'],
  ] as const) {
    timeline.call(prng, next(6, 30, rand), region, orgCaller, read(name, workCtx(region)));
  }

  // 4. One more hop, into the role that can read the data.
  const dataAccess = timeline.sts(
    assumeRole(prng, {
      time: next(40, 80, rand),
      region: 'us-east-1',
      sourceIPAddress: ip,
      userAgent: ua,
      tls12: true,
      caller: { kind: 'principal', identity: orgAccess.identity, accountId: org.workload.accountId, mfa: true, sourceIdentity: 'alice' },
      role: org.roles.dataAccess,
      sessionName: 'alice',
      durationSeconds: 3600,
      label: 'INCIDENT: DataAccess session (chained)',
    }),
  );
  const dataCaller = sessionCaller(dataAccess, ip, ua, tls);
  const us = workCtx('us-east-1');
  for (const name of ['prod/db/credentials', 'prod/stripe/api-key']) {
    const secret = org.workload.secrets.find((s) => s.name === name);
    if (!secret) throw new Error(`missing secret ${name}`);
    timeline.call(prng, next(10, 40, rand), 'us-east-1', dataCaller, {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      readOnly: true,
      requestParameters: { secretId: secret.arn },
      responseElements: null,
    });
  }
  timeline.call(prng, next(10, 30, rand), 'us-east-1', dataCaller, read('s3:ListBuckets', us));
  timeline.call(prng, next(5, 20, rand), 'us-east-1', dataCaller, s3ListObjects(us, SENSITIVE_BUCKET, 'exports/2026/'));
  // 5. Exfiltration: customer exports, one object after the other.
  const objects = 60;
  for (let i = 0; i < objects; i++) {
    const month = i < 30 ? '09' : '10';
    const key = `exports/2026/${month}/customers-${String((i % 30) + 1).padStart(2, '0')}.csv.gz`;
    timeline.call(prng, next(2, 9, rand), 'us-east-1', dataCaller, s3GetObject(us, SENSITIVE_BUCKET, key, prng.int(2_000_000, 24_000_000)));
  }
  // ...and a bucket policy that lets an outside account read the bucket later.
  timeline.call(
    prng,
    next(30, 90, rand),
    'us-east-1',
    dataCaller,
    s3PutBucketPolicy(us, SENSITIVE_BUCKET, {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReplicationPartner',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root` },
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: [`arn:aws:s3:::${SENSITIVE_BUCKET}`, `arn:aws:s3:::${SENSITIVE_BUCKET}/*`],
        },
      ],
    }),
  );

  // 6. Persistence and defense evasion with the organisation access role.
  const plantedKey = accessKeyId(prng, 'AKIA');
  const createKeyTime = next(40, 120, rand);
  timeline.call(prng, createKeyTime, 'us-east-1', orgCaller, iamCreateAccessKey('ci-deployer', plantedKey, createKeyTime));
  for (const name of ['StopLogging', 'DeleteTrail'] as const) {
    const call = cloudTrailCall(name, org.workload.trail.arn);
    timeline.call(prng, next(15, 45, rand), 'us-east-1', orgCaller, call, accessDenied(call, orgAccess.identity.arn ?? '', org.workload.trail.arn, 'scp'));
  }
  timeline.call(prng, next(20, 60, rand), 'us-east-1', orgCaller, ec2AuthorizeIngress(us, org.webSecurityGroup, 22, '0.0.0.0/0'));
  const eu = workCtx('eu-west-1');
  timeline.call(prng, next(30, 90, rand), 'eu-west-1', orgCaller, read('ec2:DescribeRegions', eu));
  timeline.call(prng, next(10, 40, rand), 'eu-west-1', orgCaller, ec2RunInstances(eu, 'ami-0c1b4d7e5a9f3e2d1', 'c5.4xlarge', 4));
  timeline.call(prng, next(20, 60, rand), 'eu-west-1', orgCaller, read('ec2:DescribeInstances', eu));

  // 7. The planted key works: a long-term key of ci-deployer, used from the attacker's server.
  const planted = { identity: iamUserIdentity(org.users.ciDeployer, plantedKey), accountId: org.workload.accountId, sourceIPAddress: ip, userAgent: ua, tls12: true };
  next(5 * 60, 8 * 60, rand);
  timeline.call(prng, next(0, 10, rand), 'us-east-1', planted, read('sts:GetCallerIdentity', us));
  timeline.call(prng, next(10, 30, rand), 'us-east-1', planted, read('s3:ListBuckets', us));

  // 8. Meanwhile the web server's instance-profile credentials show up outside AWS.
  const instance = org.instances.web1;
  const replayAt = day + 16 * HOUR + 50 * MINUTE;
  const sessions = ctx.instanceSessions.get(instance.id) ?? [];
  const replayed = [...sessions].reverse().find((s) => s.createdAt <= replayAt && s.expiresAt > replayAt + 20 * MINUTE);
  if (!replayed) throw new Error('no instance-profile session to replay');
  const replayCaller = sessionCaller(replayed, IP.credentialReplayVps, USER_AGENT.credentialReplay, tls);
  const replay = stepper(replayAt);
  timeline.call(prng, replay(0, 5, rand), 'us-east-1', replayCaller, read('sts:GetCallerIdentity', us));
  timeline.call(prng, replay(20, 60, rand), 'us-east-1', replayCaller, read('s3:ListBuckets', us));
  timeline.call(prng, replay(10, 30, rand), 'us-east-1', replayCaller, read('ec2:DescribeInstances', us));
  const listRoles = read('iam:ListRoles', us);
  timeline.call(prng, replay(10, 30, rand), 'us-east-1', replayCaller, listRoles, accessDenied(listRoles, replayed.identity.arn ?? '', undefined, 'no-policy'));
  const listSecrets = read('secretsmanager:ListSecrets', us);
  timeline.call(prng, replay(10, 30, rand), 'us-east-1', replayCaller, listSecrets, accessDenied(listSecrets, replayed.identity.arn ?? '', undefined, 'no-policy'));
  timeline.call(prng, replay(10, 30, rand), 'us-east-1', replayCaller, {
    eventSource: 'ssm.amazonaws.com',
    eventName: 'GetParameter',
    readOnly: true,
    requestParameters: { name: '/web/prod/db-endpoint', withDecryption: true },
    responseElements: null,
  });

  return {
    stolenMfaSession: stolen.accessKeyId,
    adminSession: admin.accessKeyId,
    orgAccessSession: orgAccess.accessKeyId,
    dataAccessSession: dataAccess.accessKeyId,
    plantedAccessKey: plantedKey,
    replayedInstanceSession: replayed.accessKeyId,
    replayedInstanceId: instance.id,
    objectsRead: objects,
  };
}

import { ceGetCostAndUsage, READ_APIS, type ReadApiName } from './apis';
import { dayStream, type ScenarioContext } from './context';
import { iamUserSessionIdentity, iamUserSignInIdentity, rootSessionIdentity, rootSignInIdentity } from './identities';
import { accessKeyId } from './ids';
import { IP, USER_AGENT } from './network';
import { consoleLogin } from './signin';
import { assumeRole, assumeRoleWithSaml, getSessionToken, type Session } from './sts';
import { burst, clock, sessionCaller } from './timeline';
import { HOUR, isoSeconds, isWeekend, MINUTE, weekday } from './time';

/** The people of the organisation: they work on weekdays, from their usual places, with their usual tools. */

const US_MOSTLY = [
  ['us-east-1', 7],
  ['eu-west-1', 3],
] as const;
const EU_MOSTLY = [
  ['eu-west-1', 6],
  ['us-east-1', 4],
] as const;
const US_ONLY = [['us-east-1', 1]] as const;

const ADMIN_APIS: readonly (readonly [ReadApiName, number])[] = [
  ['iam:ListRoles', 3],
  ['iam:GetRole', 3],
  ['iam:ListAttachedRolePolicies', 2],
  ['iam:ListUsers', 2],
  ['iam:ListAccessKeys', 1],
  ['organizations:DescribeOrganization', 1],
  ['organizations:ListAccounts', 2],
  ['cloudtrail:DescribeTrails', 1],
  ['cloudtrail:GetTrailStatus', 2],
  ['cloudtrail:LookupEvents', 2],
  ['s3:ListBuckets', 2],
  ['s3:GetBucketPolicy', 1],
  ['s3:GetBucketEncryption', 1],
  ['kms:ListKeys', 1],
  ['monitoring:DescribeAlarms', 2],
  ['logs:DescribeLogGroups', 1],
  ['cloudformation:DescribeStacks', 1],
  ['ec2:DescribeRegions', 1],
  ['sts:GetCallerIdentity', 1],
];

const CONSOLE_APIS: readonly (readonly [ReadApiName, number])[] = [
  ['ec2:DescribeInstances', 3],
  ['ec2:DescribeInstanceStatus', 2],
  ['ec2:DescribeSecurityGroups', 2],
  ['ec2:DescribeVolumes', 1],
  ['ec2:DescribeVpcs', 1],
  ['monitoring:DescribeAlarms', 2],
  ['logs:DescribeLogGroups', 2],
  ['logs:FilterLogEvents', 2],
  ['lambda:ListFunctions', 1],
  ['lambda:GetFunction', 1],
  ['s3:ListBuckets', 2],
  ['s3:GetBucketLocation', 1],
  ['s3:GetBucketAcl', 1],
  ['cloudformation:DescribeStacks', 1],
  ['eks:ListClusters', 1],
  ['iam:ListRoles', 1],
];

const DEVELOPER_APIS: readonly (readonly [ReadApiName, number])[] = [
  ['ec2:DescribeInstances', 3],
  ['ec2:DescribeSecurityGroups', 2],
  ['ec2:DescribeVpcs', 2],
  ['eks:DescribeCluster', 3],
  ['ecr:DescribeRepositories', 2],
  ['ecr:GetAuthorizationToken', 1],
  ['logs:FilterLogEvents', 2],
  ['iam:GetRole', 2],
  ['s3:GetBucketPolicy', 1],
  ['s3:GetBucketEncryption', 1],
  ['lambda:GetFunction', 1],
  ['cloudformation:DescribeStacks', 1],
  ['sts:GetCallerIdentity', 1],
];

/** Alice: IAM user with MFA. GetSessionToken, then Admin role sessions; console some days; cross-account on Tuesdays. */
export function aliceDay(ctx: ScenarioContext, day: number): { mfaSession?: Session } {
  const prng = dayStream(ctx, 'alice', day);
  const { org, timeline } = ctx;
  if (isWeekend(day)) return {};
  const ip = prng.chance(0.8) ? IP.officeUs : IP.aliceHome;
  const ua = USER_AGENT.cliAlice;
  // 12:30-13:20 UTC is the start of the working day in Virginia.
  let t = day + 12 * HOUR + 30 * MINUTE + prng.int(0, 50) * MINUTE;
  const mfaSession = timeline.sts(
    getSessionToken(prng, {
      time: t,
      region: 'us-east-1',
      sourceIPAddress: ip,
      userAgent: ua,
      user: org.users.alice,
      longTermKey: org.keys.alice,
      durationSeconds: 43200,
      serialNumber: org.aliceMfaSerial,
      label: `alice MFA session (GetSessionToken) ${isoSeconds(day).slice(0, 10)}`,
    }),
  );
  const mfaCaller = sessionCaller(mfaSession, ip, ua);
  t = burst(prng, timeline, {
    start: t,
    count: prng.int(2, 4),
    gap: [20, 90],
    caller: mfaCaller,
    env: org.mgmt,
    regions: US_ONLY,
    apis: [
      ['iam:GetAccountSummary', 1],
      ['iam:ListUsers', 1],
      ['sts:GetCallerIdentity', 1],
    ],
  });

  const adminSessions = prng.int(1, 3);
  for (let i = 0; i < adminSessions; i++) {
    t += prng.int(5, 40) * MINUTE;
    const admin = timeline.sts(
      assumeRole(prng, {
        time: t,
        region: 'us-east-1',
        sourceIPAddress: ip,
        userAgent: ua,
        caller: { kind: 'principal', identity: mfaSession.identity, accountId: org.mgmt.accountId, mfa: true },
        role: org.roles.admin,
        sessionName: 'alice',
        durationSeconds: 3600,
        // The Admin trust policy requires callers to set their user name as source identity.
        sourceIdentity: 'alice',
        label: 'alice Admin session',
      }),
    );
    const adminCaller = sessionCaller(admin, ip, ua);
    t = burst(prng, timeline, { start: t, count: prng.int(8, 18), gap: [15, 150], caller: adminCaller, env: org.mgmt, regions: US_MOSTLY, apis: ADMIN_APIS, until: admin.expiresAt });

    // On Tuesdays Alice checks the workload account through the organisation access role.
    if (i === 0 && weekday(day) === 2) {
      t += prng.int(1, 5) * MINUTE;
      const cross = timeline.sts(
        assumeRole(prng, {
          time: t,
          region: 'us-east-1',
          sourceIPAddress: ip,
          userAgent: ua,
          caller: { kind: 'principal', identity: admin.identity, accountId: org.mgmt.accountId, mfa: true, sourceIdentity: 'alice' },
          role: org.roles.orgAccess,
          sessionName: 'alice',
          durationSeconds: 3600,
          label: 'alice OrganizationAccountAccessRole session',
        }),
      );
      t = burst(prng, timeline, {
        start: t,
        count: prng.int(4, 8),
        gap: [20, 120],
        caller: sessionCaller(cross, ip, ua),
        env: org.workload,
        regions: US_MOSTLY,
        apis: [
          ['ec2:DescribeInstances', 3],
          ['ec2:DescribeSecurityGroups', 2],
          ['s3:ListBuckets', 1],
          ['cloudformation:DescribeStacks', 2],
          ['iam:ListRoles', 1],
        ],
        until: cross.expiresAt,
      });
    }
  }

  // Mondays and Thursdays Alice also uses the console: its sessions have no STS creating event.
  if (weekday(day) === 1 || weekday(day) === 4) {
    const login = day + 15 * HOUR + prng.int(0, 120) * MINUTE;
    timeline.push(consoleLogin(prng, { time: login, identity: iamUserSignInIdentity(org.users.alice), accountId: org.mgmt.accountId, sourceIPAddress: ip, userAgent: USER_AGENT.browserMac, mfaSerial: org.aliceMfaSerial }));
    const key = accessKeyId(prng, 'ASIA');
    const consoleSession = timeline.sessionWithoutCreation({
      accessKeyId: key,
      identity: iamUserSessionIdentity(org.users.alice, key, login, true),
      accountId: org.mgmt.accountId,
      createdAt: login,
      expiresAt: login + 12 * HOUR,
      label: `alice console session ${isoSeconds(login)}`,
      missingCreationReason: 'AWS Management Console session of an IAM user: CloudTrail records the ConsoleLogin, no STS call creates the credentials',
    });
    burst(prng, timeline, {
      start: login,
      count: prng.int(5, 10),
      gap: [10, 120],
      caller: sessionCaller(consoleSession, ip, USER_AGENT.browserMac, { fromConsole: true }),
      env: org.mgmt,
      regions: US_MOSTLY,
      apis: [
        ['iam:GetAccountSummary', 1],
        ['iam:ListUsers', 1],
        ['iam:ListRoles', 1],
        ['cloudtrail:LookupEvents', 2],
        ['s3:ListBuckets', 1],
        ['monitoring:DescribeAlarms', 1],
      ],
      until: consoleSession.expiresAt,
    });
  }
  return { mfaSession };
}

/** Bob: IAM Identity Center user with the ReadOnly permission set, mostly through the console. */
export function bobDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'bob', day);
  const { org, timeline } = ctx;
  if (isWeekend(day)) return;
  const sessions = prng.int(1, 2);
  let t = day + 8 * HOUR + prng.int(0, 90) * MINUTE;
  for (let i = 0; i < sessions; i++) {
    const session = timeline.sts(
      assumeRoleWithSaml(prng, {
        time: t,
        region: 'us-east-1',
        sourceIPAddress: IP.bobHome,
        userAgent: USER_AGENT.browserWindows,
        role: org.roles.ssoReadOnlyWorkload,
        provider: org.saml.ssoWorkload,
        subject: 'bob@example.com',
        subjectType: 'persistent',
        sessionName: 'bob@example.com',
        durationSeconds: 3600,
        label: 'bob SSO ReadOnly session (workload)',
      }),
    );
    burst(prng, timeline, {
      start: t,
      count: prng.int(6, 14),
      gap: [10, 200],
      caller: sessionCaller(session, IP.bobHome, USER_AGENT.browserWindows, { fromConsole: true }),
      env: org.workload,
      regions: EU_MOSTLY,
      apis: CONSOLE_APIS,
      until: session.expiresAt,
    });
    t += prng.int(3, 5) * HOUR;
  }
  // Tuesdays and Thursdays: a CLI session in the management account.
  if (weekday(day) === 2 || weekday(day) === 4) {
    const start = day + 14 * HOUR + prng.int(0, 60) * MINUTE;
    const session = timeline.sts(
      assumeRoleWithSaml(prng, {
        time: start,
        region: 'us-east-1',
        sourceIPAddress: IP.bobHome,
        userAgent: USER_AGENT.cliBob,
        role: org.roles.ssoReadOnlyMgmt,
        provider: org.saml.ssoMgmt,
        subject: 'bob@example.com',
        subjectType: 'persistent',
        sessionName: 'bob@example.com',
        durationSeconds: 3600,
        label: 'bob SSO ReadOnly session (management)',
      }),
    );
    burst(prng, timeline, {
      start,
      count: prng.int(4, 8),
      gap: [5, 60],
      caller: sessionCaller(session, IP.bobHome, USER_AGENT.cliBob),
      env: org.mgmt,
      regions: US_ONLY,
      apis: [
        ['organizations:ListAccounts', 1],
        ['iam:ListRoles', 1],
        ['cloudtrail:GetTrailStatus', 1],
        ['s3:ListBuckets', 1],
        ['sts:GetCallerIdentity', 1],
      ],
      until: session.expiresAt,
    });
  }
}

/** Dave: a developer signing in through Okta SAML (saml2aws) into OktaDevelopers, running Terraform plans. */
export function daveDay(ctx: ScenarioContext, day: number): void {
  const prng = dayStream(ctx, 'dave', day);
  const { org, timeline } = ctx;
  if (isWeekend(day)) return;
  const sessions = prng.int(1, 2);
  let t = day + 9 * HOUR + prng.int(0, 120) * MINUTE;
  for (let i = 0; i < sessions; i++) {
    const session = timeline.sts(
      assumeRoleWithSaml(prng, {
        time: t,
        region: 'us-east-1',
        sourceIPAddress: IP.daveMobile,
        userAgent: USER_AGENT.saml2aws,
        role: org.roles.oktaDevelopers,
        provider: org.saml.okta,
        subject: 'dave@example.com',
        subjectType: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        sessionName: 'dave@example.com',
        durationSeconds: 3600,
        label: 'dave Okta OktaDevelopers session',
      }),
    );
    burst(prng, timeline, {
      start: t,
      count: prng.int(6, 12),
      gap: [2, 40],
      caller: sessionCaller(session, IP.daveMobile, USER_AGENT.terraform),
      env: org.workload,
      regions: US_MOSTLY,
      apis: DEVELOPER_APIS,
      until: session.expiresAt,
    });
    t += prng.int(2, 4) * HOUR;
  }
}

/** The root user signs in once, to look at the bill. The root console session has no creating event. */
export function rootSignIn(ctx: ScenarioContext, time: number): void {
  const prng = ctx.seed.fork('root');
  const { org, timeline } = ctx;
  const account = org.mgmt.accountId;
  timeline.push(consoleLogin(prng, { time, identity: rootSignInIdentity(account), accountId: account, sourceIPAddress: IP.aliceHome, userAgent: USER_AGENT.browserMac }));
  const key = accessKeyId(prng, 'ASIA');
  const session = timeline.sessionWithoutCreation({
    accessKeyId: key,
    identity: rootSessionIdentity(account, key, time),
    accountId: account,
    createdAt: time,
    expiresAt: time + HOUR,
    label: 'root console session',
    missingCreationReason: 'AWS Management Console session of the root user: only the ConsoleLogin is recorded',
  });
  const caller = sessionCaller(session, IP.aliceHome, USER_AGENT.browserMac, { fromConsole: true });
  const after = clock(time);
  timeline.call(prng, after(40), 'us-east-1', caller, READ_APIS['iam:GetAccountSummary']());
  timeline.call(prng, after(25), 'us-east-1', caller, ceGetCostAndUsage('2026-09-01', '2026-10-01'));
  timeline.call(prng, after(70), 'us-east-1', caller, READ_APIS['organizations:DescribeOrganization']());
  timeline.call(prng, after(30), 'us-east-1', caller, READ_APIS['iam:ListUsers']());
}


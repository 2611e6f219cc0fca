import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateBulkRecords, gzip, logFileJson, logFileKey, Prng, type CloudTrailEvent, type TrailLayout } from '../examples/generator';
import { type IamRole, makeRole, samlNameQualifier } from '../examples/generator/identities';
import { assumeRole, assumeRoleWithSaml, type Session } from '../examples/generator/sts';
import { type AccountEnv, READ_APIS, type ReadApiName } from '../examples/generator/apis';
import { sessionCaller, Timeline } from '../examples/generator/timeline';
import { HOUR, MINUTE, SECOND, utc } from '../examples/generator/time';
import type { LogFile } from '../local/log-files';

/**
 * An organization-shaped CloudTrail bucket for the benchmark: member accounts in several regions, each with
 * the busy-account mix of examples/generator/bulk.ts (instance profiles, Lambda functions, EKS pods, SSO and
 * SAML users, CI keys, console sessions; ~1.2 KB per record), re-homed per account and region, with
 * per-account source addresses, plus a role chain per account-region: an SSO administrator of the security
 * account assumes `OrganizationAccountAccessRole` in the member account (logged in both accounts) and from
 * that session the member's `DeployRole` (a chained session), and both sessions make calls.
 *
 * Files are cut as CloudTrail cuts them: one per account and region every five minutes, so an account-hour
 * of a region holds 12 files and `recordsPerFile` sets how busy the account is (12 × recordsPerFile records
 * per account, region and hour). About 3% of records arrive in the next file, as late records do.
 */
export const ORGANIZATION = 'o-benchorg0001';
export const SECURITY_ACCOUNT = '300000000001';
export const BENCH_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
export const HOUR_START = utc(2026, 10, 22, 14, 0, 0);
const BULK_ACCOUNT = '111122223333';
const BULK_REGION = 'us-east-1';
const FILE_WINDOW = 5 * MINUTE;

export function memberAccount(index: number): string {
  return String(400_000_000_000 + index).padStart(12, '0');
}

export interface CorpusOptions {
  recordsPerFile: number;
  /** Member accounts `memberAccount(first)` … `memberAccount(first + accounts - 1)`. */
  accounts: number;
  firstAccount?: number;
  regions: number;
  seed?: number;
}

export interface Corpus {
  files: LogFile[];
  records: number;
  /** Uncompressed JSON bytes of the log files. */
  rawBytes: number;
  gzipBytes: number;
}

const CHAIN_APIS: readonly (readonly [ReadApiName, number])[] = [
  ['iam:ListRoles', 2],
  ['iam:GetRole', 2],
  ['ec2:DescribeInstances', 3],
  ['s3:ListBuckets', 1],
  ['cloudformation:DescribeStacks', 3],
  ['lambda:GetFunction', 2],
  ['secretsmanager:GetSecretValue', 1],
];

/** Re-homes the bulk generator's records into another account and region, with that account's addresses. */
function rehome(records: readonly CloudTrailEvent[], accountId: string, region: string, accountIndex: number): CloudTrailEvent[] {
  const text = JSON.stringify(records)
    .replaceAll(BULK_ACCOUNT, accountId)
    .replaceAll(BULK_REGION, region)
    // Each account runs behind its own addresses: the second and third octets depend on the account.
    .replace(/"sourceIPAddress":"(\d+)\.(\d+)\.(\d+)\.(\d+)"/g, (_m, a: string, b: string, c: string, d: string) => `"sourceIPAddress":"${a}.${(Number(b) + accountIndex * 7) % 256}.${(Number(c) + accountIndex * 13) % 256}.${d}"`);
  return JSON.parse(text) as CloudTrailEvent[];
}

/** The security account's SSO administrator, chaining into a member account's roles. */
function roleChain(prng: Prng, accountId: string, region: string, recordCount: number): CloudTrailEvent[] {
  const env: AccountEnv = {
    accountId,
    buckets: [`deploy-artifacts-${accountId}`],
    instances: [],
    securityGroups: [],
    secrets: [{ name: 'deploy/token', arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:deploy/token-AbCdEf`, region }],
    roleNames: ['DeployRole', 'OrganizationAccountAccessRole'],
    userNames: ['ci-deployer'],
    trail: { name: 'org-trail', arn: `arn:aws:cloudtrail:us-east-1:${SECURITY_ACCOUNT}:trail/org-trail` },
    functions: [{ name: 'deployer', region }],
    clusters: [{ name: 'platform', region }],
    parameters: ['/deploy/version'],
    kmsKeys: [{ arn: `arn:aws:kms:${region}:${accountId}:key/${prng.uuid()}`, region }],
    logGroups: ['/deploy'],
    stacks: [{ name: 'platform', region }],
  };
  const timeline = new Timeline([env]);
  const ssoRole: IamRole = makeRole(prng, SECURITY_ACCOUNT, 'AWSReservedSSO_AdministratorAccess_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/');
  const orgRole = makeRole(prng, accountId, 'OrganizationAccountAccessRole');
  const deployRole = makeRole(prng, accountId, 'DeployRole');
  const issuer = 'https://portal.sso.us-east-1.amazonaws.com/saml/assertion/YmVuY2gtb3Jn';
  const providerName = 'AWSSSO_0123456789abcdef_DO_NOT_DELETE';
  const provider = { arn: `arn:aws:iam::${SECURITY_ACCOUNT}:saml-provider/${providerName}`, issuer, nameQualifier: samlNameQualifier(issuer, SECURITY_ACCOUNT, providerName) };
  const admin = `admin${prng.int(0, 3)}@example.com`;
  const ip = `198.51.100.${prng.int(1, 254)}`;
  let time = HOUR_START + prng.int(1, 20) * MINUTE;
  const sso: Session = timeline.sts(
    assumeRoleWithSaml(prng, { time, region: 'us-east-1', sourceIPAddress: ip, userAgent: 'aws-cli/2.17.0', role: ssoRole, provider, subject: admin, subjectType: 'persistent', sessionName: admin, durationSeconds: 3600, label: admin }),
  );
  time += 20 * SECOND;
  const principal = (session: Session) => ({ kind: 'principal' as const, identity: session.identity, accountId: session.accountId, mfa: false, sourceIdentity: admin });
  const org = timeline.sts(
    assumeRole(prng, { time, region, sourceIPAddress: ip, userAgent: 'aws-cli/2.17.0', caller: principal(sso), role: orgRole, sessionName: admin, durationSeconds: 3600, sourceIdentity: admin, label: 'org access' }),
  );
  time += 30 * SECOND;
  const deploy = timeline.sts(
    assumeRole(prng, { time, region, sourceIPAddress: ip, userAgent: 'aws-cli/2.17.0', caller: principal(org), role: deployRole, sessionName: `deploy-${admin}`, durationSeconds: 3600, label: 'deploy' }),
  );
  while (timeline.records.length < recordCount) {
    time += prng.int(2, 40) * SECOND;
    if (time >= HOUR_START + HOUR) time = HOUR_START + HOUR - SECOND;
    const session = prng.chance(0.3) ? org : deploy;
    const api = READ_APIS[prng.weighted(CHAIN_APIS)];
    timeline.call(prng, time, region, sessionCaller(session, ip, 'aws-cli/2.17.0'), api({ prng, env, region }));
  }
  return timeline.records;
}

function layoutOf(accountId: string): TrailLayout {
  return { accountId, prefix: `AWSLogs/${ORGANIZATION}/${accountId}`, trailName: 'org-trail', homeRegion: 'us-east-1', bucket: 'bench' };
}

/** Cuts one account-region's records into five-minute files; a few records are late by one file. */
function cutFiles(prng: Prng, records: readonly CloudTrailEvent[]): CloudTrailEvent[][] {
  const windows = new Map<number, CloudTrailEvent[]>();
  for (const record of records) {
    const window = Math.floor(Date.parse(record.eventTime) / FILE_WINDOW) + (prng.chance(0.03) ? 1 : 0);
    const list = windows.get(window) ?? [];
    list.push(record);
    windows.set(window, list);
  }
  return [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
}

/** Writes the corpus under `dir` (AWSLogs/…), one gzip file per account, region and five minutes. */
export function writeOrgCorpus(dir: string, options: CorpusOptions): Corpus {
  const seed = options.seed ?? 1;
  const first = options.firstAccount ?? 0;
  const byAccountRegion = new Map<string, CloudTrailEvent[]>();
  const push = (record: CloudTrailEvent) => {
    const key = `${record.recipientAccountId}|${record.awsRegion}`;
    const list = byAccountRegion.get(key) ?? [];
    list.push(record);
    byAccountRegion.set(key, list);
  };
  const perAccountRegion = 12 * options.recordsPerFile;
  const chainRecords = Math.max(8, Math.round(perAccountRegion * 0.02));
  for (let a = first; a < first + options.accounts; a++) {
    const accountId = memberAccount(a);
    for (const region of BENCH_REGIONS.slice(0, options.regions)) {
      const prng = new Prng(`trailhound-bench/${seed}/${accountId}/${region}`);
      for (const record of rehome(generateBulkRecords(perAccountRegion - chainRecords, seed * 1_000_003 + a * 7 + BENCH_REGIONS.indexOf(region)), accountId, region, a)) push(record);
      for (const record of roleChain(prng, accountId, region, chainRecords)) push(record);
    }
  }
  const files: LogFile[] = [];
  let records = 0;
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const [key, list] of [...byAccountRegion.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [accountId, region] = key.split('|') as [string, string];
    const prng = new Prng(`trailhound-bench-files/${seed}/${key}/${first}`);
    list.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
    for (const fileRecords of cutFiles(prng, list)) {
      const last = Math.max(...fileRecords.map((r) => Date.parse(r.eventTime)));
      const deliveredAt = Math.floor(last / FILE_WINDOW) * FILE_WINDOW + FILE_WINDOW + prng.int(2, 9) * MINUTE;
      const objectKey = logFileKey(layoutOf(accountId), region, deliveredAt, prng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 16));
      const json = logFileJson(fileRecords);
      const body = gzip(json);
      const path = join(dir, ...objectKey.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, body);
      files.push({ path, key: objectKey, size: body.length });
      records += fileRecords.length;
      rawBytes += Buffer.byteLength(json);
      gzipBytes += body.length;
    }
  }
  return { files, records, rawBytes, gzipBytes };
}

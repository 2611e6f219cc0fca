import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/run-cli';

/**
 * `npm start -- permissions …` as a user runs it, in a child process, on a log whose attacker-written strings
 * (the caller's name, the trust policy) try to drive the terminal; and `--iam-snapshot` for an entity older
 * than the logs.
 */
jest.setTimeout(180_000);

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CRAFTED = 'mallory\x1b[2J\x1b]0;pwned\x07\u202etxt.exe';
const ACCOUNT = '111122223333';

const dir = mkdtempSync(join(tmpdir(), 'trailhound-permissions-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::444455556666:user/${CRAFTED}` }, Action: 'sts:AssumeRole' }] });
function iamRecord(i: number, eventName: string, requestParameters: Record<string, unknown>) {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLEMALLORY', arn: `arn:aws:iam::${ACCOUNT}:user/${CRAFTED}`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLEMALLORY', userName: CRAFTED },
    eventTime: `2026-10-22T10:0${i}:00Z`,
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'curl',
    requestParameters,
    responseElements: null,
    eventID: `00000000-0000-0000-0000-00000000000${i}`,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
  };
}

beforeAll(() => {
  const logs = join(dir, 'logs', 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2026', '10', '22');
  mkdirSync(logs, { recursive: true });
  const records = [
    iamRecord(1, 'AttachRolePolicy', { roleName: 'victim', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    iamRecord(2, 'UpdateAssumeRolePolicy', { roleName: 'victim', policyDocument: trust }),
  ];
  writeFileSync(join(logs, `${ACCOUNT}_CloudTrail_us-east-1_20261022T1005Z_permissions.json.gz`), gzipSync(JSON.stringify({ Records: records })));
  writeFileSync(join(dir, 'details.json'), JSON.stringify({ RoleDetailList: [{ RoleName: 'victim', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/victim`, AssumeRolePolicyDocument: '{}', RolePolicyList: [], AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }] }));
});

describe('npm start -- permissions', () => {
  it('prints the state and the timeline with crafted strings shown, not obeyed; the snapshot fills in what predates the logs', async () => {
    const run = await runCli(['permissions', 'IAM_ROLE', 'victim', '--at', '2026-10-22T10:05:00Z', '--logs', join(dir, 'logs'), '--data', join(dir, 'data'), '--iam-snapshot', join(dir, 'details.json'), '--snapshot-time', '2026-10-22T09:00:00Z']);
    expect(run.stderr.split('\n').filter((line) => UNSAFE.test(line))).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((line) => UNSAFE.test(line))).toEqual([]);
    expect(run.stdout).toContain(`IAM snapshot of account ${ACCOUNT} at 2026-10-22T09:00:00Z stored (1 item): 1 role`);
    expect(run.stdout).toContain('Coverage: FULL');
    expect(run.stdout).toContain('Attached policies: arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/AdministratorAccess');
    expect(run.stdout).toContain('! arn:aws:iam::444455556666:user/mallory\\x1b[2J\\x1b]0;pwned\\x07\\u202etxt.exe (account 444455556666): OUTSIDE_ACCOUNT');
    expect(run.stdout).toMatch(/2026-10-22T10:01:00Z {2}✓ {2}AttachRolePolicy {2}by arn:aws:iam::111122223333:user\/mallory\\x1b\[2J/);
  });

  it('needs --at', async () => {
    const run = await runCli(['permissions', 'IAM_ROLE', 'victim', '--data', join(dir, 'data2')]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('permissions needs IAM_ROLE|IAM_USER, NAME|ARN and --at');
  });
});

import type { Indicator, TTPsObservedDetail } from '@aws-sdk/client-detective';
import { CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE, INSTANCE_CREDENTIALS_TECHNIQUE } from '../../lambdas/core/analysis';
import type { ApiActivitySummary } from '../../lambdas/investigation-stages/api-activity';
import { setLogSink } from '../../lambdas/shared/log';
import { CorpusPipeline, type InvestigationRun } from './corpus-pipeline';
import { looksLikeIp, rawApi, rawRecords, rawUserActivity, type RawRecord } from './raw-corpus';

/**
 * Investigations of the real corpus (Stratus Red Team detonations by IAM user bert-jan) through the local
 * pipeline. Every expected number is counted from the raw records (raw-corpus.ts), never from the pipeline.
 */
jest.setTimeout(180_000);

const ACCOUNT = '123837392027';
const BERT_JAN = `arn:aws:iam::${ACCOUNT}:user/bert-jan`;
const STEAL_ROLE = 'stratus-red-team-ec2-steal-credentials-role';
const CONSOLE_USER = 'stratus-red-team-nmfalu-gfjyeaypjt';

const records = rawRecords();
const bertJan = rawUserActivity('bert-jan');
const bertJanAll: RawRecord[] = [...bertJan.own, ...bertJan.chained.map((c) => c.record)];

let pipeline: CorpusPipeline;
const runs = new Map<string, InvestigationRun>();

async function run(entityArn: string): Promise<InvestigationRun> {
  let result = runs.get(entityArn);
  if (!result) runs.set(entityArn, (result = await pipeline.investigate(entityArn)));
  return result;
}

function ttps(investigation: InvestigationRun): TTPsObservedDetail[] {
  return investigation.indicators.filter((i: Indicator) => i.IndicatorType === 'TTP_OBSERVED').map((i) => i.IndicatorDetail?.TTPsObservedDetail ?? {});
}

/** The catalog's indicators of one API, for one tactic/technique (an API may map to several), summed. */
function catalogCounts(details: readonly TTPsObservedDetail[], api: string): { ok: number; failed: number } | undefined {
  const catalog = details.filter((d) => d.APIName === api && d.Procedure !== CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE && d.Technique !== INSTANCE_CREDENTIALS_TECHNIQUE);
  if (catalog.length === 0) return undefined;
  const first = catalog.filter((d) => d.Tactic === catalog[0].Tactic && d.Technique === catalog[0].Technique);
  return { ok: first.reduce((s, d) => s + (d.APISuccessCount ?? 0), 0), failed: first.reduce((s, d) => s + (d.APIFailureCount ?? 0), 0) };
}

function rawCounts(list: readonly RawRecord[], api: string): { ok: number; failed: number } {
  const calls = list.filter((r) => rawApi(r) === api);
  const failed = calls.filter((r) => r.errorCode).length;
  return { ok: calls.length - failed, failed };
}

beforeAll(async () => {
  setLogSink(() => undefined);
  pipeline = await CorpusPipeline.start();
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('the investigation of bert-jan', () => {
  it('counts his own calls and every call made through the role sessions he started', async () => {
    expect(bertJan.chained.length).toBeGreaterThan(0);
    const { outcome } = await run(BERT_JAN);
    expect(outcome.status).toBe('SUCCEEDED');
    const activity = (outcome.output as { analysis: ApiActivitySummary[] }).analysis.find((a) => a.stage === 'ApiActivity') as ApiActivitySummary;
    expect(activity.totalCalls).toBe(bertJanAll.length);
    expect(activity.failedCalls).toBe(bertJanAll.filter((r) => r.errorCode).length);
    expect(activity.distinctSourceIps).toBe(new Set(bertJanAll.map((r) => r.sourceIPAddress).filter(looksLikeIp)).size);
    expect(activity.awsServiceCalls).toBe(bertJanAll.filter((r) => !looksLikeIp(r.sourceIPAddress)).length);
  });

  it('reports per API the same successes and failures as the raw records', async () => {
    const details = ttps(await run(BERT_JAN));
    const apis = new Set(details.map((d) => d.APIName as string));
    expect(apis.size).toBeGreaterThan(20);
    for (const api of apis) expect({ api, ...catalogCounts(details, api) }).toEqual({ api, ...rawCounts(bertJanAll, api) });
  });

  it('names the role session each chained call came through', async () => {
    const details = ttps(await run(BERT_JAN));
    const chainedApis = new Set(bertJan.chained.map((c) => rawApi(c.record)));
    for (const api of chainedApis) {
      const viaRecords = bertJan.chained.filter((c) => rawApi(c.record) === api);
      for (const role of new Set(viaRecords.map((c) => c.role))) {
        const expected = rawCounts(viaRecords.filter((c) => c.role === role).map((c) => c.record), api);
        const through = details.filter((d) => d.APIName === api && d.Procedure?.includes(`through role ${role} `));
        if (through.length === 0 && !catalogCounts(details, api)) continue; // not a TTP in the catalog
        const first = through.filter((d) => d.Tactic === through[0]?.Tactic && d.Technique === through[0]?.Technique);
        expect({ api, role, ok: first.reduce((s, d) => s + (d.APISuccessCount ?? 0), 0), failed: first.reduce((s, d) => s + (d.APIFailureCount ?? 0), 0) }).toEqual({ api, role, ...expected });
      }
    }
    // The calls the brief names: GetPasswordData ×29, DescribeInstanceAttribute ×15, LeaveOrganization, RunInstances.
    for (const api of ['ec2:GetPasswordData', 'ec2:DescribeInstanceAttribute', 'organizations:LeaveOrganization', 'ec2:RunInstances']) expect(chainedApis).toContain(api);
  });

  it('gives an IP address only where one was used, and gives it wherever the calls can be attributed', async () => {
    const details = ttps(await run(BERT_JAN));
    for (const detail of details.filter((d) => d.IpAddress !== undefined)) {
      expect(looksLikeIp(detail.IpAddress)).toBe(true);
      const sources = new Set(bertJanAll.filter((r) => rawApi(r) === detail.APIName).map((r) => r.sourceIPAddress));
      expect(sources).toContain(detail.IpAddress);
    }
    // Calls of APIs that were only ever called from one address: nearly all attributed (some share an
    // hour's aggregate with a keyless call such as ConsoleLogin from elsewhere, and cannot be).
    let single = 0;
    let attributed = 0;
    for (const detail of details) {
      const sources = new Set(bertJanAll.filter((r) => rawApi(r) === detail.APIName).map((r) => r.sourceIPAddress));
      if (sources.size !== 1 || !looksLikeIp([...sources][0])) continue;
      single++;
      if (detail.IpAddress === [...sources][0]) attributed++;
    }
    expect(single).toBeGreaterThan(40);
    expect(attributed / single).toBeGreaterThan(0.9);
  });

  it('is CRITICAL without a baseline: trail tampering, a backdoor user and sharing with outside accounts', async () => {
    const succeeded = (api: string) => bertJanAll.some((r) => rawApi(r) === api && !r.errorCode);
    expect(succeeded('cloudtrail:DeleteTrail') && succeeded('iam:CreateUser') && succeeded('ec2:ModifySnapshotAttribute')).toBe(true);
    const { investigation, outcome } = await run(BERT_JAN);
    expect(investigation.Severity).toBe('CRITICAL');
    const rules = (outcome.output as { result: { matchedRules: { id: string }[] } }).result.matchedRules.map((r) => r.id);
    expect(rules).toEqual(expect.arrayContaining(['C4', 'H6', 'H7']));
  });
});

/**
 * Each Stratus Red Team technique detonated in the corpus (its calls carry `stratus-red-team_<uuid>`) and
 * the indicator it must produce. The raw records confirm the detonation; counts come from them too.
 */
const DETONATIONS: { technique: string; api: string; entity?: string }[] = [
  { technique: 'aws.defense-evasion.cloudtrail-stop', api: 'cloudtrail:StopLogging' },
  { technique: 'aws.defense-evasion.cloudtrail-delete', api: 'cloudtrail:DeleteTrail' },
  { technique: 'aws.defense-evasion.cloudtrail-event-selectors', api: 'cloudtrail:PutEventSelectors' },
  { technique: 'aws.defense-evasion.cloudtrail-lifecycle-rule', api: 's3:PutBucketLifecycle' },
  { technique: 'aws.defense-evasion.vpc-remove-flow-logs', api: 'ec2:DeleteFlowLogs' },
  { technique: 'aws.defense-evasion.organizations-leave', api: 'organizations:LeaveOrganization' },
  { technique: 'aws.credential-access.ec2-get-password-data', api: 'ec2:GetPasswordData' },
  { technique: 'aws.credential-access.secretsmanager-retrieve-secrets', api: 'secretsmanager:GetSecretValue' },
  { technique: 'aws.credential-access.ssm-retrieve-securestring-parameters', api: 'ssm:GetParameters' },
  { technique: 'aws.discovery.ec2-download-user-data', api: 'ec2:DescribeInstanceAttribute' },
  { technique: 'aws.execution.ec2-launch-unusual-instances', api: 'ec2:RunInstances' },
  { technique: 'aws.execution.ssm-send-command (ec2-steal-instance-credentials warm-up)', api: 'ssm:SendCommand' },
  { technique: 'aws.exfiltration.ec2-share-ami', api: 'ec2:ModifyImageAttribute' },
  { technique: 'aws.exfiltration.ec2-share-ebs-snapshot', api: 'ec2:ModifySnapshotAttribute' },
  { technique: 'aws.exfiltration.rds-share-snapshot', api: 'rds:ModifyDBSnapshotAttribute' },
  { technique: 'aws.exfiltration.s3-backdoor-bucket-policy', api: 's3:PutBucketPolicy' },
  { technique: 'aws.exfiltration.ec2-security-group-open-port-22-ingress', api: 'ec2:AuthorizeSecurityGroupIngress' },
  { technique: 'aws.persistence.iam-backdoor-role', api: 'iam:UpdateAssumeRolePolicy' },
  { technique: 'aws.persistence.iam-backdoor-user', api: 'iam:CreateAccessKey' },
  { technique: 'aws.persistence.iam-create-admin-user', api: 'iam:AttachUserPolicy' },
  { technique: 'aws.persistence.iam-create-user-login-profile', api: 'iam:CreateLoginProfile' },
  { technique: 'aws.persistence.lambda-backdoor-function', api: 'lambda:AddPermission20150331v2' },
  { technique: 'aws.persistence.lambda-overwrite-code', api: 'lambda:UpdateFunctionCode20150331v2' },
  { technique: 'aws.persistence.rolesanywhere-create-trust-anchor', api: 'rolesanywhere:CreateTrustAnchor' },
];

describe('each detonated Stratus Red Team technique produces its indicator', () => {
  it.each(DETONATIONS.map((d) => [d.technique, d] as const))('%s', async (_technique, { api }) => {
    const detonated = records.filter((r) => rawApi(r) === api && /stratus-red-team_[0-9a-f-]{36}/.test(r.userAgent ?? ''));
    expect(detonated.length).toBeGreaterThan(0);
    const details = ttps(await run(BERT_JAN));
    expect(catalogCounts(details, api)).toEqual(rawCounts(bertJanAll, api));
  });

  it('aws.initial-access.console-login-without-mfa: a console sign-in without MFA', async () => {
    const logins = records.filter((r) => r.userIdentity.userName === CONSOLE_USER && r.eventName === 'ConsoleLogin' && !r.errorCode && r.additionalEventData?.MFAUsed === 'No');
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => /stratus-red-team_/.test(r.userAgent ?? ''))).toBe(true);
    const run_ = await run(`arn:aws:iam::${ACCOUNT}:user/${CONSOLE_USER}`);
    const noMfa = ttps(run_).filter((d) => d.Procedure === CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE);
    expect(noMfa.reduce((s, d) => s + (d.APISuccessCount ?? 0), 0)).toBe(logins.length);
    expect(noMfa.map((d) => d.IpAddress)).toEqual([...new Set(logins.map((r) => r.sourceIPAddress))]);
    expect(['MEDIUM', 'HIGH', 'CRITICAL']).toContain(run_.investigation.Severity);
  });

  it('aws.credential-access.ec2-steal-instance-credentials: instance credentials used away from the instance', async () => {
    // Raw: the instance's sessions (AssumeRole by ec2.amazonaws.com, session named after the instance) and where each was used.
    const instanceKeys = new Map<string, string>();
    for (const r of records) {
      const key = (r.responseElements?.credentials as { accessKeyId?: string } | undefined)?.accessKeyId;
      const session = r.requestParameters?.roleSessionName;
      if (r.eventName === 'AssumeRole' && r.userIdentity.invokedBy === 'ec2.amazonaws.com' && String(r.requestParameters?.roleArn).endsWith(`/${STEAL_ROLE}`) && key) instanceKeys.set(key, String(session));
    }
    const calls = records.filter((r) => instanceKeys.has(r.userIdentity.accessKeyId ?? ''));
    const bySource = new Map<string, number>();
    for (const r of calls) bySource.set(r.sourceIPAddress, (bySource.get(r.sourceIPAddress) ?? 0) + 1);
    const [home] = [...bySource].sort((a, b) => b[1] - a[1])[0];
    const stolen = calls.filter((r) => r.sourceIPAddress !== home);
    expect(stolen.length).toBeGreaterThan(0);

    const found = ttps(await run(`arn:aws:iam::${ACCOUNT}:role/${STEAL_ROLE}`)).filter((d) => d.Technique === INSTANCE_CREDENTIALS_TECHNIQUE);
    expect(new Set(found.map((d) => d.IpAddress))).toEqual(new Set(stolen.map((r) => r.sourceIPAddress)));
    expect(found.reduce((s, d) => s + (d.APISuccessCount ?? 0) + (d.APIFailureCount ?? 0), 0)).toBe(stolen.length);
    expect(new Set(found.map((d) => d.APIName))).toEqual(new Set(stolen.map(rawApi)));
    for (const detail of found) expect(detail.Procedure).toContain(home);
    expect(['HIGH', 'CRITICAL']).toContain(runs.get(`arn:aws:iam::${ACCOUNT}:role/${STEAL_ROLE}`)?.investigation.Severity);
  });
});

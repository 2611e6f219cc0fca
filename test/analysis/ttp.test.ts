import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeTtps, type TtpActivity } from '../../lambdas/core/analysis/ttp';
import { attackTechniqueUrl, DEFAULT_TTP_CATALOG, entryProblems, normalizeApiName, parseTtpCatalog } from '../../lambdas/core/analysis/ttp-catalog';

const item = (apis: Record<string, [number, number]>, sourceIps: Record<string, number>, overflow: Record<string, number> = {}): TtpActivity => ({
  apis: Object.fromEntries(Object.entries(apis).map(([api, [calls, failures]]) => [api, { calls, failures }])),
  sourceIps,
  overflow,
});

describe('the ATT&CK catalog (data/mitre-attack-cloudtrail.json)', () => {
  const { entries } = DEFAULT_TTP_CATALOG;

  it('covers at least 80 distinct security-relevant APIs', () => {
    expect(new Set(entries.map((e) => e.api)).size).toBeGreaterThanOrEqual(80);
  });

  it('every entry is valid and cites its ATT&CK technique page', () => {
    for (const entry of entries) {
      expect(entryProblems(entry)).toEqual([]);
      expect(entry.references).toContain(attackTechniqueUrl(entry.techniqueId));
      for (const url of entry.references) expect(url).toMatch(/^https:\/\/(attack\.mitre\.org\/techniques\/T\d{4}(\/\d{3})?\/|stratus-red-team\.cloud\/attack-techniques\/AWS\/aws\.[a-z-]+\.[a-z0-9-]+\/)$/);
    }
  });

  it('has no duplicate (API, tactic, technique) entries', () => {
    const keys = entries.map((e) => `${e.api}|${e.tactic}|${e.techniqueId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('covers the APIs the investigation brief names', () => {
    const apis = new Set(entries.map((e) => e.api));
    for (const api of [
      's3:ListBuckets', 'ec2:DescribeInstances', 'sts:GetCallerIdentity', 'iam:ListUsers', 'iam:ListRoles', 'iam:GetAccountAuthorizationDetails',
      'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'iam:CreateAccessKey', 'ec2:GetPasswordData',
      'iam:CreateUser', 'iam:CreateLoginProfile', 'iam:AttachUserPolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy',
      'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors', 'ec2:DeleteFlowLogs',
      'securityhub:DisableSecurityHub', 'guardduty:DeleteDetector', 's3:GetObject', 's3:PutBucketPolicy', 's3:PutBucketAcl',
      'ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute', 'ec2:CreateSnapshot', 's3:DeleteBucket', 'ec2:TerminateInstances',
      's3:PutBucketEncryption', 'kms:ScheduleKeyDeletion', 'signin:ConsoleLogin', 'sts:AssumeRole', 'ssm:SendCommand', 'ssm:StartSession',
    ]) {
      expect(apis).toContain(api);
    }
  });

  it('rejects malformed catalogs loudly', () => {
    expect(() => parseTtpCatalog({})).toThrow(/no entries/);
    expect(() => parseTtpCatalog({ entries: [{ api: 'StopLogging', tactic: 'x', tacticId: 'TA1', techniqueId: 'T1', technique: 'y', procedure: 'z', references: [] }] })).toThrow(/api must look like/);
  });

  it('is valid JSON on disk', () => {
    expect(() => JSON.parse(readFileSync(join(__dirname, '../../data/mitre-attack-cloudtrail.json'), 'utf8'))).not.toThrow();
  });
});

describe('analyzeTtps', () => {
  const ATTACKER = '198.51.100.20';
  const OFFICE = '203.0.113.10';

  it('reports one indicator per TTP, API and source IP, with success and failure counts', () => {
    const indicators = analyzeTtps({
      activity: [
        item({ 'cloudtrail:StopLogging': [1, 0], 'sts:GetCallerIdentity': [2, 0] }, { [ATTACKER]: 3 }),
        item({ 'cloudtrail:StopLogging': [3, 2] }, { [ATTACKER]: 3 }),
        item({ 'sts:GetCallerIdentity': [5, 0], 's3:PutObject': [9, 0] }, { [OFFICE]: 14 }),
      ],
    });
    expect(indicators).toEqual([
      {
        IndicatorType: 'TTP_OBSERVED',
        IndicatorDetail: {
          TTPsObservedDetail: {
            Tactic: 'Defense Evasion',
            Technique: 'T1562.008 - Impair Defenses: Disable or Modify Cloud Logs',
            Procedure: 'Stopped a CloudTrail trail from recording.',
            IpAddress: ATTACKER,
            APIName: 'cloudtrail:StopLogging',
            APISuccessCount: 2,
            APIFailureCount: 2,
          },
        },
      },
      expect.objectContaining({ IndicatorDetail: { TTPsObservedDetail: expect.objectContaining({ Tactic: 'Discovery', APIName: 'sts:GetCallerIdentity', IpAddress: ATTACKER, APISuccessCount: 2 }) } }),
      expect.objectContaining({ IndicatorDetail: { TTPsObservedDetail: expect.objectContaining({ Tactic: 'Discovery', APIName: 'sts:GetCallerIdentity', IpAddress: OFFICE, APISuccessCount: 5 }) } }),
    ]);
  });

  it('does not guess the IP of calls in an aggregate with several sources (or an overflowed source map)', () => {
    const indicators = analyzeTtps({
      activity: [
        item({ 'iam:CreateUser': [1, 0] }, { [ATTACKER]: 1, [OFFICE]: 4 }),
        item({ 'iam:CreateUser': [1, 0] }, { [OFFICE]: 1 }, { sourceIps: 3 }),
      ],
    });
    expect(indicators).toHaveLength(1);
    expect(indicators[0].IndicatorDetail.TTPsObservedDetail).not.toHaveProperty('IpAddress');
    expect(indicators[0].IndicatorDetail.TTPsObservedDetail.APISuccessCount).toBe(2);
  });

  it('reports every tactic an API maps to', () => {
    const tactics = analyzeTtps({ activity: [item({ 'iam:CreateAccessKey': [1, 0] }, { [ATTACKER]: 1 })] }).map((i) => i.IndicatorDetail.TTPsObservedDetail.Tactic);
    expect(tactics).toEqual(['Persistence', 'Privilege Escalation']);
  });

  it('applies volume thresholds to the whole scope, across IPs and hours', () => {
    const below = analyzeTtps({ activity: [item({ 's3:GetObject': [600, 0] }, { [ATTACKER]: 600 }), item({ 's3:GetObject': [399, 0] }, { [OFFICE]: 399 })] });
    expect(below).toEqual([]);
    const above = analyzeTtps({ activity: [item({ 's3:GetObject': [600, 0] }, { [ATTACKER]: 600 }), item({ 's3:GetObject': [400, 0] }, { [OFFICE]: 400 })] });
    expect(above.map((i) => [i.IndicatorDetail.TTPsObservedDetail.Tactic, i.IndicatorDetail.TTPsObservedDetail.IpAddress])).toEqual([
      ['Collection', ATTACKER],
      ['Collection', OFFICE],
    ]);
  });

  it('needs enough failures for password guessing, while a successful sign-in is initial access', () => {
    const one = analyzeTtps({ activity: [item({ 'signin:ConsoleLogin': [2, 1] }, { [ATTACKER]: 2 })] });
    expect(one.map((i) => i.IndicatorDetail.TTPsObservedDetail.Tactic)).toEqual(['Initial Access']);
    const many = analyzeTtps({ activity: [item({ 'signin:ConsoleLogin': [7, 6] }, { [ATTACKER]: 7 })] });
    expect(many.map((i) => i.IndicatorDetail.TTPsObservedDetail.Tactic)).toEqual(['Initial Access', 'Credential Access']);
  });

  it('says when a call is only suspicious with certain parameters', () => {
    const [indicator] = analyzeTtps({ activity: [item({ 'ec2:ModifySnapshotAttribute': [1, 0] }, { [ATTACKER]: 1 })] });
    expect(indicator.IndicatorDetail.TTPsObservedDetail.Procedure).toMatch(/^Changed who may create volumes.*Possible only: confirm in the CloudTrail event that createVolumePermission adds/);
  });

  it('matches Lambda event names that carry an API version', () => {
    expect(normalizeApiName('lambda:UpdateFunctionCode20150331v2')).toBe('lambda:UpdateFunctionCode');
    const [indicator] = analyzeTtps({ activity: [item({ 'lambda:UpdateFunctionCode20150331v2': [1, 0] }, { [ATTACKER]: 1 })] });
    expect(indicator.IndicatorDetail.TTPsObservedDetail).toMatchObject({ Tactic: 'Execution', APIName: 'lambda:UpdateFunctionCode20150331v2' });
  });

  it('reports nothing for activity the catalog does not name', () => {
    expect(analyzeTtps({ activity: [item({ 's3:PutObject': [10, 0], 'dynamodb:GetItem': [5, 1] }, { [OFFICE]: 15 })] })).toEqual([]);
    expect(analyzeTtps({ activity: [] })).toEqual([]);
  });
});

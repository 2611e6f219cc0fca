import { decideInvestigation, type TriggerSettings } from '../../lambdas/core/guardduty/decision';
import { mapFindingToEntity } from '../../lambdas/core/guardduty/entity';
import { InvalidFindingError, MAX_REMOTE_IPS, parseFinding } from '../../lambdas/core/guardduty/finding';
import { camelCaseKeys } from '../../lambdas/core/guardduty/json';
import { MAX_RAW_CHARS, recordFinding, toFindingSummary } from '../../lambdas/core/guardduty/recorded-finding';
import { investigationScope, SCOPE_PADDING_MS } from '../../lambdas/core/guardduty/scope';
import { ALICE, FINDING_IDS, fixtureFinding, ORG_ACCESS_ROLE, WEB_SERVER_ROLE, withAccessKey, withService } from './fixtures';

const SETTINGS: TriggerSettings = { maxScopeDays: 30, minSeverity: 0, nowMillis: Date.parse('2026-10-23T00:00:00Z') };

function entityOf(finding: unknown) {
  return mapFindingToEntity(parseFinding(finding));
}

describe('parseFinding', () => {
  it('reads the members Trailhound records, with times normalized to UTC milliseconds', () => {
    const record = parseFinding(fixtureFinding(FINDING_IDS.webServerExfiltration));
    expect(record).toEqual({
      id: FINDING_IDS.webServerExfiltration,
      arn: `arn:aws:guardduty:us-east-1:444455556666:detector/8ab4f2c6d1e9f3a7b5c8d2e6f1a4b7c9/finding/${FINDING_IDS.webServerExfiltration}`,
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      severity: 8,
      title: 'Credentials for instance role web-server-role used from external IP address.',
      accountId: '444455556666',
      region: 'us-east-1',
      partition: 'aws',
      createdAt: '2026-10-22T16:56:12.731Z',
      updatedAt: '2026-10-22T16:56:12.731Z',
      eventFirstSeen: '2026-10-22T16:50:02.000Z',
      eventLastSeen: '2026-10-22T16:50:47.000Z',
      count: 2,
      resourceType: 'AccessKey',
      accessKey: { accessKeyId: 'ASIA54F53WJHH2DQC2TX', principalId: 'AROAEHB7J4MSHUQ3LL6OV:i-02be3b22def5a73db', userName: 'web-server-role', userType: 'AssumedRole' },
      instance: { instanceId: 'i-02be3b22def5a73db', instanceProfileArn: 'arn:aws:iam::444455556666:instance-profile/web-server-profile', networkInterfaceIds: [] },
      remoteIps: ['139.180.133.61'],
      archived: false,
      sample: false,
    });
  });

  it('reads PascalCase findings (GetFindings through the CLI or an SDK) like camelCase ones', () => {
    const finding = fixtureFinding(FINDING_IDS.aliceCredentialAccess);
    const pascal = JSON.parse(JSON.stringify(finding).replace(/"([a-z])([A-Za-z0-9]*)":/g, (_, first: string, rest: string) => `"${first.toUpperCase()}${rest}":`));
    expect(pascal.Resource.AccessKeyDetails.UserName).toBe('alice');
    expect(parseFinding(pascal)).toEqual(parseFinding(finding));
    expect(camelCaseKeys(pascal)).toEqual(finding);
  });

  it('collects remote IPs of every action kind, canonical and de-duplicated, capped', () => {
    const probes = Array.from({ length: MAX_REMOTE_IPS + 5 }, (_, i) => ({ remoteIpDetails: { ipAddressV4: `198.51.100.${i}` } }));
    const probe = withService(fixtureFinding(FINDING_IDS.portProbe), { action: { actionType: 'PORT_PROBE', portProbeAction: { portProbeDetails: probes } } });
    const record = parseFinding(probe);
    expect(record.remoteIps).toHaveLength(MAX_REMOTE_IPS);
    expect(record.remoteIps[0]).toBe('198.51.100.0');

    const mixed = withService(fixtureFinding(FINDING_IDS.portProbe), {
      action: {
        networkConnectionAction: { remoteIpDetails: { ipAddressV4: '203.0.113.9', ipAddressV6: '2001:DB8:0:0::1' } },
        kubernetesApiCallAction: { remoteIpDetails: { ipAddressV4: '203.0.113.9' }, sourceIps: ['::ffff:203.0.113.10', 'not-an-ip'] },
        rdsLoginAttemptAction: { remoteIpDetails: { ipAddressV4: '192.0.2.1' } },
      },
    });
    expect(parseFinding(mixed).remoteIps).toEqual(['203.0.113.9', '2001:db8::1', '192.0.2.1', '203.0.113.10']);
  });

  it('takes the partition from the finding ARN', () => {
    const finding = fixtureFinding(FINDING_IDS.aliceCredentialAccess);
    finding.arn = String(finding.arn).replace('arn:aws:', 'arn:aws-us-gov:').replace('us-east-1', 'us-gov-west-1');
    delete finding.partition;
    const record = parseFinding(finding);
    expect(record.partition).toBe('aws-us-gov');
    expect(mapFindingToEntity(record)).toEqual({ kind: 'entity', entityArn: 'arn:aws-us-gov:iam::111122223333:user/alice', entityType: 'IAM_USER' });
  });

  it('recognizes sample findings and archived findings', () => {
    const sample = withAccessKey(fixtureFinding(FINDING_IDS.aliceCredentialAccess), {
      accessKeyId: 'GeneratedFindingAccessKeyId',
      principalId: 'GeneratedFindingPrincipalId',
      userName: 'GeneratedFindingUserName',
      userType: 'IAMUser',
    });
    expect(parseFinding(sample).sample).toBe(true);
    expect(parseFinding(withService(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { additionalInfo: { value: '{"sample":true}', type: 'default' } })).sample).toBe(true);
    expect(parseFinding(withService(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { archived: true })).archived).toBe(true);
  });

  it('rejects a finding without its identifying members, naming them', () => {
    const finding = fixtureFinding(FINDING_IDS.rootUsage);
    delete finding.id;
    finding.updatedAt = 'yesterday';
    expect(() => parseFinding(finding)).toThrow(new InvalidFindingError('the finding has no valid id, updatedAt'));
    expect(() => parseFinding([])).toThrow(InvalidFindingError);
  });
});

describe('mapFindingToEntity', () => {
  it('maps an AssumedRole key to the role named by userName', () => {
    expect(entityOf(fixtureFinding(FINDING_IDS.webServerExfiltration))).toEqual({ kind: 'entity', entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE' });
    expect(entityOf(fixtureFinding(FINDING_IDS.orgAccessDiscovery))).toEqual({ kind: 'entity', entityArn: ORG_ACCESS_ROLE, entityType: 'IAM_ROLE' });
  });

  it('maps an IAMUser key (long-term or GetSessionToken) to the user', () => {
    expect(entityOf(fixtureFinding(FINDING_IDS.aliceCredentialAccess))).toEqual({ kind: 'entity', entityArn: ALICE, entityType: 'IAM_USER' });
  });

  it('names no investigable entity for root, with the root ARN kept for grouping', () => {
    expect(entityOf(fixtureFinding(FINDING_IDS.rootUsage))).toEqual({ kind: 'none', reason: expect.stringContaining('root credentials'), principalArn: 'arn:aws:iam::111122223333:root' });
  });

  it('names no investigable entity for a federated user', () => {
    const federated = withAccessKey(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { accessKeyId: 'ASIAFEDERATED0000001', principalId: '111122223333:finance-reports', userName: 'finance-reports', userType: 'FederatedUser' });
    expect(entityOf(federated)).toEqual({ kind: 'none', reason: expect.stringContaining('federated user'), principalArn: 'arn:aws:sts::111122223333:federated-user/finance-reports' });
  });

  it('names no entity for findings without an access key (EC2, S3, EKS…) or with other user types', () => {
    expect(entityOf(fixtureFinding(FINDING_IDS.portProbe))).toEqual({ kind: 'none', reason: 'the finding names no IAM access key (resource type Instance)' });
    const s3 = withAccessKey(fixtureFinding(FINDING_IDS.portProbe), undefined);
    (s3.resource as Record<string, unknown>).resourceType = 'S3Bucket';
    expect(entityOf(s3)).toEqual({ kind: 'none', reason: 'the finding names no IAM access key (resource type S3Bucket)' });
    const service = withAccessKey(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { userType: 'AWSService', userName: 'ec2.amazonaws.com' });
    expect(entityOf(service)).toEqual({ kind: 'none', reason: 'user type AWSService names no IAM user or role' });
    const nameless = withAccessKey(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { userType: 'AssumedRole', principalId: 'AROAEXAMPLE:session' });
    expect(entityOf(nameless)).toMatchObject({ kind: 'none' });
  });
});

describe('investigationScope', () => {
  it('pads the activity window by an hour on each side', () => {
    expect(SCOPE_PADDING_MS).toBe(3_600_000);
    expect(investigationScope({ start: '2026-10-22T16:50:02Z', end: '2026-10-22T16:50:47.000Z' }, 30)).toEqual({
      scopeStartTime: '2026-10-22T15:50:02.000Z',
      scopeEndTime: '2026-10-22T17:50:47.000Z',
      clamped: false,
    });
  });

  it('keeps the most recent part when the padded window exceeds the longest scope', () => {
    const scope = investigationScope({ start: '2026-09-01T00:00:00Z', end: '2026-10-22T12:00:00Z' }, 30);
    expect(scope).toEqual({ scopeStartTime: '2026-09-22T13:00:00.000Z', scopeEndTime: '2026-10-22T13:00:00.000Z', clamped: true });
    // Exactly the longest scope is accepted as is.
    expect(investigationScope({ start: '2026-10-01T01:00:00Z', end: '2026-10-30T23:00:00Z' }, 30).clamped).toBe(false);
  });
});

describe('decideInvestigation', () => {
  const decide = (finding: unknown, settings: Partial<TriggerSettings> = {}) => {
    const record = parseFinding(finding);
    return decideInvestigation(record, mapFindingToEntity(record), { ...SETTINGS, ...settings });
  };

  it('starts an investigation of the entity over the padded scope, as the API would accept it', () => {
    expect(decide(fixtureFinding(FINDING_IDS.webServerExfiltration))).toEqual({
      kind: 'start',
      request: { graphArn: undefined, entityArn: WEB_SERVER_ROLE, entityType: 'IAM_ROLE', scopeStartTime: '2026-10-22T15:50:02.000Z', scopeEndTime: '2026-10-22T17:50:47.000Z' },
      scopeClamped: false,
    });
  });

  it('falls back to creation and update times without eventFirstSeen/eventLastSeen', () => {
    const finding = fixtureFinding(FINDING_IDS.aliceCredentialAccess);
    delete (finding.service as Record<string, unknown>).eventFirstSeen;
    delete (finding.service as Record<string, unknown>).eventLastSeen;
    expect(decide(finding)).toMatchObject({ kind: 'start', request: { scopeStartTime: '2026-10-22T17:12:05.377Z', scopeEndTime: '2026-10-22T19:12:05.377Z' } });
  });

  it('clamps the scope to the deployment maximum', () => {
    const finding = withService(fixtureFinding(FINDING_IDS.orgAccessDiscovery), { eventFirstSeen: '2026-10-01T00:00:00Z' });
    expect(decide(finding, { maxScopeDays: 7 })).toMatchObject({ kind: 'start', scopeClamped: true, request: { scopeStartTime: '2026-10-15T19:10:47.000Z', scopeEndTime: '2026-10-22T19:10:47.000Z' } });
  });

  it('skips with a reason: no entity, root, sample, archived, below the threshold, invalid for the API', () => {
    expect(decide(fixtureFinding(FINDING_IDS.portProbe))).toEqual({ kind: 'skip', reason: 'the finding names no IAM access key (resource type Instance)' });
    expect(decide(fixtureFinding(FINDING_IDS.rootUsage))).toMatchObject({ kind: 'skip', reason: expect.stringContaining('root credentials') });
    expect(decide(withService(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { additionalInfo: { sample: true } }))).toMatchObject({ kind: 'skip', reason: expect.stringContaining('sample') });
    expect(decide(withService(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { archived: true }))).toEqual({ kind: 'skip', reason: 'the finding is archived' });
    expect(decide(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { minSeverity: 7 })).toEqual({ kind: 'skip', reason: 'severity 5 is below the threshold 7' });
    // A scope starting after "now" (clock skew, or a finding from the future) fails the API's own validation.
    expect(decide(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { nowMillis: Date.parse('2026-10-01T00:00:00Z') })).toMatchObject({
      kind: 'skip',
      reason: expect.stringContaining('ScopeStartTime must not be in the future'),
    });
    const oddName = withAccessKey(fixtureFinding(FINDING_IDS.aliceCredentialAccess), { userType: 'IAMUser', userName: 'bad name' });
    expect(decide(oddName)).toMatchObject({ kind: 'skip', reason: expect.stringContaining('not a valid investigation') });
  });
});

describe('recorded findings', () => {
  it('keeps the raw JSON, cut at the limit, and summarizes for the RELATED_FINDING stage', () => {
    const finding = fixtureFinding(FINDING_IDS.webServerExfiltration);
    const record = parseFinding(finding);
    const recorded = recordFinding(record, mapFindingToEntity(record), finding);
    expect(JSON.parse(recorded.raw)).toEqual(finding);
    expect(recorded.rawTruncated).toBeUndefined();
    expect(toFindingSummary(recorded)).toEqual({
      id: record.id,
      arn: record.arn,
      type: record.type,
      severity: 8,
      createdAt: '2026-10-22T16:56:12.731Z',
      updatedAt: '2026-10-22T16:56:12.731Z',
      firstSeen: '2026-10-22T16:50:02.000Z',
      lastSeen: '2026-10-22T16:50:47.000Z',
      entityArns: [WEB_SERVER_ROLE],
      accessKeyIds: ['ASIA54F53WJHH2DQC2TX'],
      remoteIps: ['139.180.133.61'],
    });

    const big = withService(finding, { additionalInfo: { value: 'x'.repeat(MAX_RAW_CHARS), type: 'default' } });
    const truncated = recordFinding(parseFinding(big), mapFindingToEntity(record), big, 'why not');
    expect(truncated.raw).toHaveLength(MAX_RAW_CHARS);
    expect(truncated).toMatchObject({ rawTruncated: true, skipReason: 'why not' });
  });
});

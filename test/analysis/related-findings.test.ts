import { analyzeRelatedFindings, findingGroupId, normalizeEntityArn, summarizeGuardDutyFinding, type GuardDutyFindingSummary } from '../../lambdas/core/analysis/related-findings';

const ROLE = 'arn:aws:iam::111122223333:role/ops/DeployRole';
const finding = (id: string, extra: Partial<GuardDutyFindingSummary>): GuardDutyFindingSummary => ({
  id,
  arn: `arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/${id}`,
  type: 'Discovery:IAMUser/AnomalousBehavior',
  severity: 5,
  updatedAt: '2026-10-22T12:00:00Z',
  entityArns: [],
  remoteIps: [],
  ...extra,
});

describe('related findings', () => {
  const scope = { entityArn: ROLE, scopeStart: '2026-10-22T00:00:00Z', scopeEnd: '2026-10-23T00:00:00Z', scopeIps: ['198.51.100.20', '203.0.113.10'], scopeAccessKeyIds: ['ASIAEXAMPLE1'] };

  it('relates findings on the same entity (any ARN form), access key or a shared IP, inside the scope', () => {
    const result = analyzeRelatedFindings({
      ...scope,
      findings: [
        finding('same-entity', { entityArns: ['arn:aws:sts::111122223333:assumed-role/DeployRole/session-1'], severity: 8, type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', remoteIps: ['198.51.100.20'] }),
        finding('same-key', { accessKeyIds: ['ASIAEXAMPLE1'] }),
        finding('same-ip', { remoteIps: ['::ffff:203.0.113.10'], entityArns: ['arn:aws:iam::111122223333:user/mallory'], severity: 2 }),
        finding('other', { entityArns: ['arn:aws:iam::111122223333:role/Other'], remoteIps: ['192.0.2.1'] }),
        finding('too-old', { entityArns: [ROLE], updatedAt: '2026-10-20T00:00:00Z' }),
      ],
    });
    expect(result.related.map((r) => [r.finding.id, r.reasons])).toEqual([
      ['same-entity', ['entity', 'ip']],
      ['same-key', ['access-key']],
      ['same-ip', ['ip']],
    ]);
    expect(result.indicators.filter((i) => i.IndicatorType === 'RELATED_FINDING')).toEqual([
      {
        IndicatorType: 'RELATED_FINDING',
        IndicatorDetail: {
          RelatedFindingDetail: { Arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/same-entity', Type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', IpAddress: '198.51.100.20' },
        },
      },
      { IndicatorType: 'RELATED_FINDING', IndicatorDetail: { RelatedFindingDetail: { Arn: expect.stringMatching(/same-key$/), Type: 'Discovery:IAMUser/AnomalousBehavior' } } },
      { IndicatorType: 'RELATED_FINDING', IndicatorDetail: { RelatedFindingDetail: { Arn: expect.stringMatching(/same-ip$/), Type: 'Discovery:IAMUser/AnomalousBehavior', IpAddress: '203.0.113.10' } } },
    ]);
  });

  it('uses the activity window of the finding, not only its update time', () => {
    const result = analyzeRelatedFindings({ ...scope, findings: [finding('long-running', { entityArns: [ROLE], firstSeen: '2026-10-21T00:00:00Z', lastSeen: '2026-10-22T01:00:00Z', updatedAt: '2026-10-21T02:00:00Z' })] });
    expect(result.related).toHaveLength(1);
  });

  it('groups findings connected through entities, addresses or an upstream group id', () => {
    const findings = [
      finding('a', { entityArns: [ROLE], remoteIps: ['192.0.2.99'] }),
      finding('b', { entityArns: ['arn:aws:iam::111122223333:user/mallory'], remoteIps: ['192.0.2.99'] }),
      finding('c', { entityArns: ['arn:aws:iam::111122223333:user/mallory'] }),
      finding('d', { entityArns: ['arn:aws:iam::111122223333:role/Unrelated'] }),
      finding('e', { entityArns: ['arn:aws:iam::111122223333:role/Unrelated'] }),
    ];
    const result = analyzeRelatedFindings({ ...scope, findings });
    expect(result.groups).toEqual([{ id: findingGroupId(['a', 'b', 'c']), findingIds: ['a', 'b', 'c'] }]);
    expect(result.indicators.at(-1)).toEqual({ IndicatorType: 'RELATED_FINDING_GROUP', IndicatorDetail: { RelatedFindingGroupDetail: { Id: findingGroupId(['c', 'b', 'a']) } } });

    const explicit = analyzeRelatedFindings({ ...scope, findings: [finding('x', { entityArns: [ROLE], groupId: 'attack-sequence-1' }), finding('y', { groupId: 'attack-sequence-1' })] });
    expect(explicit.groups).toEqual([{ id: 'attack-sequence-1', findingIds: ['x', 'y'] }]);
  });

  it('normalizes entity ARNs', () => {
    expect(normalizeEntityArn('arn:aws:iam::111122223333:user/dev/alice')).toBe('arn:aws:iam::111122223333:user/alice');
    expect(normalizeEntityArn('arn:aws:sts::111122223333:assumed-role/DeployRole/x')).toBe('arn:aws:iam::111122223333:role/DeployRole');
    expect(normalizeEntityArn(ROLE)).toBe('arn:aws:iam::111122223333:role/DeployRole');
  });
});

describe('summarizeGuardDutyFinding', () => {
  it('reads the EventBridge detail of an IAM finding', () => {
    const detail = {
      schemaVersion: '2.0',
      accountId: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      id: 'f1',
      arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f1',
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'ASIAEXAMPLE1', principalId: 'AROAEXAMPLE:i-0abc', userName: 'WebServerRole', userType: 'AssumedRole' } },
      service: {
        action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'ListBuckets', serviceName: 's3.amazonaws.com', remoteIpDetails: { ipAddressV4: '198.51.100.20' } } },
        eventFirstSeen: '2026-10-22T10:00:00.000Z',
        eventLastSeen: '2026-10-22T11:00:00.000Z',
      },
      severity: 8,
      createdAt: '2026-10-22T10:05:00.000Z',
      updatedAt: '2026-10-22T11:05:00.000Z',
    };
    expect(summarizeGuardDutyFinding(detail)).toEqual({
      id: 'f1',
      arn: detail.arn,
      type: detail.type,
      severity: 8,
      createdAt: '2026-10-22T10:05:00.000Z',
      updatedAt: '2026-10-22T11:05:00.000Z',
      firstSeen: '2026-10-22T10:00:00.000Z',
      lastSeen: '2026-10-22T11:00:00.000Z',
      entityArns: ['arn:aws:iam::111122223333:role/WebServerRole'],
      accessKeyIds: ['ASIAEXAMPLE1'],
      remoteIps: ['198.51.100.20'],
    });
  });

  it('reads the API (PascalCase) shape and port probes; rejects incomplete findings', () => {
    const summary = summarizeGuardDutyFinding({
      Id: 'f2',
      Arn: 'arn:aws:guardduty:eu-west-1:444455556666:detector/d/finding/f2',
      Type: 'Recon:EC2/PortProbeUnprotectedPort',
      Severity: 2,
      UpdatedAt: '2026-10-22T11:05:00.000Z',
      AccountId: '444455556666',
      Resource: { AccessKeyDetails: { UserName: 'bob', UserType: 'IAMUser' } },
      Service: { Action: { PortProbeAction: { PortProbeDetails: [{ RemoteIpDetails: { IpAddressV4: '192.0.2.5' } }, { RemoteIpDetails: { IpAddressV4: '192.0.2.6' } }] } } },
    });
    expect(summary).toMatchObject({ id: 'f2', entityArns: ['arn:aws:iam::444455556666:user/bob'], remoteIps: ['192.0.2.5', '192.0.2.6'] });
    expect(summarizeGuardDutyFinding({ id: 'x' })).toBeUndefined();
    expect(summarizeGuardDutyFinding(null)).toBeUndefined();
  });
});

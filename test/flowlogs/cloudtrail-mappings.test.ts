import { interfaceMappingsOf } from '../../lambdas/core/flowlogs/cloudtrail-mappings';
import { compactHour } from '../../lambdas/compact-hour/compact-hour';
import type { EventsRef } from '../../lambdas/core/model/items';

const runInstances = {
  eventTime: '2026-03-01T10:05:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'RunInstances',
  responseElements: {
    instancesSet: {
      items: [
        { instanceId: 'i-0aaaaaaaaaaaaaaa1', networkInterfaceSet: { items: [{ networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb1' }, { networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb2' }] } },
        { instanceId: 'i-0aaaaaaaaaaaaaaa2', networkInterfaceSet: { items: [{ networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb3' }] } },
      ],
    },
  },
};

describe('ENI to instance mappings from CloudTrail', () => {
  it('reads RunInstances, AttachNetworkInterface and an attached CreateNetworkInterface', () => {
    expect(interfaceMappingsOf(runInstances)).toEqual([
      { instanceId: 'i-0aaaaaaaaaaaaaaa1', interfaceId: 'eni-0bbbbbbbbbbbbbbb1' },
      { instanceId: 'i-0aaaaaaaaaaaaaaa1', interfaceId: 'eni-0bbbbbbbbbbbbbbb2' },
      { instanceId: 'i-0aaaaaaaaaaaaaaa2', interfaceId: 'eni-0bbbbbbbbbbbbbbb3' },
    ]);
    expect(interfaceMappingsOf({ eventSource: 'ec2.amazonaws.com', eventName: 'AttachNetworkInterface', requestParameters: { networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb9', instanceId: 'i-0aaaaaaaaaaaaaaa9', deviceIndex: 1 } })).toEqual([
      { instanceId: 'i-0aaaaaaaaaaaaaaa9', interfaceId: 'eni-0bbbbbbbbbbbbbbb9' },
    ]);
    expect(interfaceMappingsOf({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateNetworkInterface', responseElements: { networkInterface: { networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb7' } } })).toEqual([]);
  });

  it('ignores failed calls, other services and hostile ids', () => {
    expect(interfaceMappingsOf({ ...runInstances, errorCode: 'UnauthorizedOperation' })).toEqual([]);
    expect(interfaceMappingsOf({ ...runInstances, eventSource: 'evil.example.com' })).toEqual([]);
    expect(interfaceMappingsOf({ eventSource: 'ec2.amazonaws.com', eventName: 'AttachNetworkInterface', requestParameters: { networkInterfaceId: 'eni-<script>', instanceId: 'i-0aaaaaaaaaaaaaaa9' } })).toEqual([]);
    expect(interfaceMappingsOf(null)).toEqual([]);
  });

  it("are written by the CloudTrail compaction of the event's hour", async () => {
    const written: object[] = [];
    const log = Buffer.from(JSON.stringify({ Records: [{ ...runInstances, eventVersion: '1.08', eventID: 'e1', recipientAccountId: '111122223333', userIdentity: { type: 'AssumedRole', accountId: '111122223333', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/s', principalId: 'AROA:s' } }] }));
    const key = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/01/111122223333_CloudTrail_eu-west-1_20260301T1005Z_abc.json';
    const none = async () => undefined;
    const outcome = await compactHour('111122223333#2026-03-01T10', {
      listHourObjects: async () => [{ hourKey: '111122223333#2026-03-01T10', objectId: 'o', objectKey: `s3://logs/${key}`, records: 1, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 }],
      clearCompactionPending: none,
      getAccountHour: none,
      openObject: async () => ({ body: (async function* () {
        yield log;
      })() }),
      readHeader: none,
      writeEvents: async (_header, segments) => new Map([...segments.map((s) => s.subject), ''].map((subject): [string, EventsRef] => [subject, { generation: 'g', offset: 0, length: 1 }])),
      writeHourItems: none,
      putAccountHour: none,
      removeGeneration: none,
      putInterfaceMappings: async (items) => void written.push(...items),
      retentionDays: 36500,
      settleMs: 0,
      now: () => new Date('2026-03-02T00:00:00Z'),
    });
    expect(outcome.status).toBe('compacted');
    expect(written.map((item) => [(item as { subject: string }).subject, (item as { slot: string }).slot])).toEqual([
      ['instance-enis#i-0aaaaaaaaaaaaaaa1', 'eni-0bbbbbbbbbbbbbbb1'],
      ['eni-instance#eni-0bbbbbbbbbbbbbbb1', 'instance'],
      ['instance-enis#i-0aaaaaaaaaaaaaaa1', 'eni-0bbbbbbbbbbbbbbb2'],
      ['eni-instance#eni-0bbbbbbbbbbbbbbb2', 'instance'],
      ['instance-enis#i-0aaaaaaaaaaaaaaa2', 'eni-0bbbbbbbbbbbbbbb3'],
      ['eni-instance#eni-0bbbbbbbbbbbbbbb3', 'instance'],
    ]);
  });
});

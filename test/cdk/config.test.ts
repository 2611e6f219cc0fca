import { RemovalPolicy } from 'aws-cdk-lib';
import { ConfigError, DEFAULT_LOG_PREFIX, readConfig, readStackName, type ContextLookup } from '../../lib/config';
import { synth } from './synth';

function context(values: Record<string, unknown>): ContextLookup {
  return (key) => values[key];
}

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('context settings', () => {
  it('defaults to a created bucket, AWSLogs/, 12 months, retained data, and the GuardDuty trigger from MEDIUM', () => {
    expect(readConfig(context({}))).toEqual({
      logPrefix: DEFAULT_LOG_PREFIX,
      logSourceAccounts: [],
      retentionDays: 365,
      removalPolicy: RemovalPolicy.RETAIN,
      threatIntelLists: [],
      guardDutyTrigger: true,
      guardDutyMinSeverity: 4,
      apiGatewayCloudWatchRole: true,
      alarmTopic: false,
      alarmEmails: [],
      stateMachineLogLevel: 'ERROR',
      stateMachineLogExecutionData: false,
      stateMachineTracing: false,
    });
    expect(readStackName(context({}))).toBe('Trailhound');
  });

  it('accepts well-formed values, as strings (-c) or JSON values (cdk.json)', () => {
    expect(
      readConfig(
        context({
          logBucketName: 'acme.cloudtrail-logs',
          logPrefix: 'org/AWSLogs/',
          logBucketKmsKeyArn: KEY_ARN,
          retentionDays: '90',
          removalPolicy: 'destroy',
          ingestReservedConcurrency: 5,
          investigationMaxScopeDays: '14',
          threatIntelS3Uris: 's3://acme-intel/lists/blocklist.txt, s3://acme.intel/feed with spaces.txt',
          guardDutyTrigger: 'false',
          guardDutyMinSeverity: '7.5',
          apiGatewayCloudWatchRole: false,
          apiWebAcl: 'false',
          alarmEmail: 'secops@example.com, oncall+trailhound@example.co.uk',
          stateMachineLogLevel: 'ALL',
          stateMachineLogExecutionData: 'true',
          stateMachineTracing: true,
        }),
      ),
    ).toEqual({
      logBucketName: 'acme.cloudtrail-logs',
      logPrefix: 'org/AWSLogs/',
      logBucketKmsKeyArn: KEY_ARN,
      logSourceAccounts: [],
      retentionDays: 90,
      removalPolicy: RemovalPolicy.DESTROY,
      ingestReservedConcurrency: 5,
      investigationMaxScopeDays: 14,
      threatIntelLists: [
        { bucket: 'acme-intel', key: 'lists/blocklist.txt' },
        { bucket: 'acme.intel', key: 'feed with spaces.txt' },
      ],
      guardDutyTrigger: false,
      guardDutyMinSeverity: 7.5,
      apiGatewayCloudWatchRole: false,
      apiWebAcl: false,
      alarmTopic: true,
      alarmEmails: ['secops@example.com', 'oncall+trailhound@example.co.uk'],
      stateMachineLogLevel: 'ALL',
      stateMachineLogExecutionData: true,
      stateMachineTracing: true,
    });
    expect(readConfig(context({ threatIntelS3Uris: ['s3://acme-intel/a.txt', 's3://acme-intel/a.txt'] })).threatIntelLists).toEqual([{ bucket: 'acme-intel', key: 'a.txt' }]);
    expect(readConfig(context({ guardDutyTrigger: true, guardDutyMinSeverity: 0 }))).toMatchObject({ guardDutyTrigger: true, guardDutyMinSeverity: 0 });
    expect(readConfig(context({ guardDutyMinSeverity: '10' })).guardDutyMinSeverity).toBe(10);
    expect(readConfig(context({ retentionDays: '30', investigationMaxScopeDays: 30 })).investigationMaxScopeDays).toBe(30);
    expect(readConfig(context({ logSourceAccounts: ['111122223333'] })).logSourceAccounts).toEqual(['111122223333']);
    expect(readConfig(context({ logSourceAccounts: '111122223333,444455556666,111122223333' })).logSourceAccounts).toEqual(['111122223333', '444455556666']);
    expect(readConfig(context({ logPrefix: '' })).logPrefix).toBe('');
    expect(readStackName(context({ stackName: 'Trailhound-test' }))).toBe('Trailhound-test');
    expect(readConfig(context({ alarmTopic: 'true' }))).toMatchObject({ alarmTopic: true, alarmEmails: [] });
    // Unset leaves the web ACL to InvestigationApi's default (on), declared there only.
    expect(readConfig(context({})).apiWebAcl).toBeUndefined();
    expect(readConfig(context({ apiWebAcl: true })).apiWebAcl).toBe(true);
    expect(readConfig(context({ alarmEmail: ['a@example.com', 'a@example.com'] })).alarmEmails).toEqual(['a@example.com']);
  });

  it.each([
    ['retentionDays', 'twelve'],
    ['retentionDays', '12m'],
    ['retentionDays', '1.5'],
    ['retentionDays', ''],
    ['retentionDays', '0'],
    ['retentionDays', -1],
    ['retentionDays', '100000'],
    ['removalPolicy', 'delete'],
    ['removalPolicy', true],
    ['logBucketName', ''],
    ['logBucketName', 'Not_A_Bucket'],
    ['logPrefix', '/AWSLogs/'],
    ['logPrefix', 'AWSLogs/*'],
    ['logPrefix', 42],
    ['logSourceAccounts', '1234'],
    ['logSourceAccounts', ''],
    ['ingestReservedConcurrency', '0'],
    ['ingestReservedConcurrency', 'many'],
    ['stackName', 'my stack'],
    ['investigationMaxScopeDays', '0'],
    ['investigationMaxScopeDays', '7d'],
    ['investigationMaxScopeDays', '366'],
    ['threatIntelS3Uris', ''],
    ['threatIntelS3Uris', 'https://acme-intel.s3.amazonaws.com/list.txt'],
    ['threatIntelS3Uris', 's3://acme-intel'],
    ['threatIntelS3Uris', 's3://acme-intel/'],
    ['threatIntelS3Uris', 's3://acme-intel/lists/'],
    ['threatIntelS3Uris', 's3://acme-intel/lists/*.txt'],
    ['threatIntelS3Uris', 's3://acme-intel/list?.txt'],
    ['threatIntelS3Uris', 's3://Acme_Intel/list.txt'],
    ['threatIntelS3Uris', 's3://acme-intel/a.txt,'],
    ['threatIntelS3Uris', 42],
    ['threatIntelS3Uris', ['s3://acme-intel/a,b.txt']],
    ['guardDutyTrigger', 'no'],
    ['guardDutyTrigger', '0'],
    ['guardDutyTrigger', 1],
    ['guardDutyMinSeverity', '11'],
    ['guardDutyMinSeverity', '10.5'],
    ['guardDutyMinSeverity', -1],
    ['guardDutyMinSeverity', 'HIGH'],
    ['guardDutyMinSeverity', ''],
    ['guardDutyMinSeverity', '1e1'],
    ['guardDutyMinSeverity', ' 4'],
    ['apiGatewayCloudWatchRole', 'yes'],
    ['apiWebAcl', 'off'],
    ['apiWebAcl', 0],
    ['alarmEmail', ''],
    ['alarmEmail', 'secops'],
    ['alarmEmail', 'secops@example.com;ops@example.com'],
    ['alarmEmail', 'sec ops@example.com'],
    ['alarmEmail', 'secops@example.com,'],
    ['alarmEmail', 42],
    ['alarmTopic', 'on'],
    ['stateMachineLogLevel', 'error'],
    ['stateMachineLogLevel', 'OFF'],
    ['stateMachineLogLevel', 'FATAL'],
    ['stateMachineLogExecutionData', 'yes'],
    ['stateMachineTracing', '1'],
  ])('rejects %s=%p, naming the key', (key, value) => {
    const read = () => (key === 'stackName' ? readStackName(context({ [key]: value })) : readConfig(context({ [key]: value })));
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`context "${key}"`);
  });

  it('rejects settings that do not apply to the chosen bucket mode', () => {
    expect(() => readConfig(context({ logBucketKmsKeyArn: KEY_ARN }))).toThrow(/logBucketKmsKeyArn.*logBucketName/);
    expect(() => readConfig(context({ logBucketName: 'acme-logs', logSourceAccounts: '111122223333' }))).toThrow(/logSourceAccounts.*logBucketName/);
    expect(() => readConfig(context({ logBucketName: 'acme-logs', logBucketKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/logs' }))).toThrow(
      /aliases are not accepted/,
    );
  });

  it('refuses alarm emails with the topic turned off: nobody would receive them', () => {
    expect(() => readConfig(context({ alarmTopic: 'false', alarmEmail: 'secops@example.com' }))).toThrow(/context "alarmTopic".*alarmEmail/);
  });

  it('bounds investigationMaxScopeDays by retentionDays: older data has expired', () => {
    expect(() => readConfig(context({ retentionDays: '30', investigationMaxScopeDays: '31' }))).toThrow('context "investigationMaxScopeDays" must be a whole number from 1 to 30');
  });

  it('fails the synth on a bad value', () => {
    expect(() => synth({ guardDutyMinSeverity: '12' })).toThrow('context "guardDutyMinSeverity" must be a number from 0 to 10, got "12"');
    expect(() => synth({ retentionDays: 'abc' })).toThrow('context "retentionDays" must be a whole number from 1 to 36500, got "abc"');
  });
});

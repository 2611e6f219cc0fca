import { RemovalPolicy } from 'aws-cdk-lib';
import { ConfigError, DEFAULT_LOG_PREFIX, readConfig, readStackName, type ContextLookup } from '../../lib/config';
import { synth } from './synth';

function context(values: Record<string, unknown>): ContextLookup {
  return (key) => values[key];
}

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('context settings', () => {
  it('defaults to a created bucket, AWSLogs/, 12 months and retained data', () => {
    expect(readConfig(context({}))).toEqual({
      logPrefix: DEFAULT_LOG_PREFIX,
      logSourceAccounts: [],
      retentionDays: 365,
      removalPolicy: RemovalPolicy.RETAIN,
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
    });
    expect(readConfig(context({ logSourceAccounts: ['111122223333'] })).logSourceAccounts).toEqual(['111122223333']);
    expect(readConfig(context({ logSourceAccounts: '111122223333,444455556666,111122223333' })).logSourceAccounts).toEqual(['111122223333', '444455556666']);
    expect(readConfig(context({ logPrefix: '' })).logPrefix).toBe('');
    expect(readStackName(context({ stackName: 'Trailhound-test' }))).toBe('Trailhound-test');
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

  it('fails the synth on a bad value', () => {
    expect(() => synth({ retentionDays: 'abc' })).toThrow('context "retentionDays" must be a whole number from 1 to 36500, got "abc"');
  });
});

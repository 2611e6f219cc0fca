import { parseFlowLogKey } from '../../lambdas/core/flowlogs/flow-key';
import { classifyLogKey } from '../../lambdas/core/cloudtrail/log-key';

const NAME = '123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz';

describe('flow log keys', () => {
  it.each([
    [`AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/${NAME}`, undefined],
    [`my-prefix/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/16/${NAME}`, undefined],
    [`org/AWSLogs/o-abcdefghij/123456789012/vpcflowlogs/us-east-1/2018/06/20/${NAME}`, 'o-abcdefghij'],
    [`AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2018/month=06/day=20/hour=16/${NAME}`, undefined],
    [NAME, undefined],
  ])('reads %s', (key, organizationId) => {
    expect(classifyLogKey(key).kind).toBe('vpc-flow-log');
    expect(parseFlowLogKey(key)).toEqual({
      accountId: '123456789012',
      region: 'us-east-1',
      flowLogId: 'fl-1234abcd',
      windowStart: '2018-06-20T16:20',
      fileFormat: 'text',
      compressed: true,
      fileName: NAME,
      ...(organizationId ? { organizationId } : {}),
    });
  });

  it('reads Parquet names and refuses impossible times and other files', () => {
    expect(parseFlowLogKey(`x/${NAME.replace('.log.gz', '.log.parquet')}`)).toMatchObject({ fileFormat: 'parquet' });
    expect(parseFlowLogKey(NAME.replace('20180620T1620Z', '20181340T2599Z'))).toBeUndefined();
    expect(parseFlowLogKey('AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/readme.txt')).toBeUndefined();
    expect(parseFlowLogKey('AWSLogs/123456789012/CloudTrail/us-east-1/2018/06/20/123456789012_CloudTrail_us-east-1_20180620T1620Z_abc.json.gz')).toBeUndefined();
  });
});

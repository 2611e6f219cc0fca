import { apiBehaviour, INCREASED_VOLUME_FACTOR, INCREASED_VOLUME_MIN_CALLS } from '../../lambdas/core/graph/api-behaviour';
import { isServiceLinkedRole } from '../../lambdas/core/graph/principals';

const calls = (n: number, failures = 0) => ({ calls: n, failures });

describe('newly observed API calls and API calls with increased volume', () => {
  it('reports APIs never called in the baseline as new, however few their calls', () => {
    const result = apiBehaviour({ scope: { 'iam:CreateUser': calls(1, 1), 's3:ListBuckets': calls(5) }, baseline: { 's3:ListBuckets': calls(40) }, scopeDays: 1 / 12, baselineDataDays: 20 });
    expect(result.NewApiCalls).toEqual([{ ApiName: 'iam:CreateUser', Calls: 1, FailedCalls: 1 }]);
    expect(result.IncreasedVolumeApiCalls).toEqual([]);
  });

  it('reports an increase at the threshold and not below it, a short scope compared with one whole day', () => {
    // Baseline daily mean 4 → expected 4 for a 2-hour scope; 3× is 12.
    const baseline = { 'ec2:DescribeInstances': calls(80) };
    const at = apiBehaviour({ scope: { 'ec2:DescribeInstances': calls(4 * INCREASED_VOLUME_FACTOR) }, baseline, scopeDays: 1 / 12, baselineDataDays: 20 });
    expect(at.IncreasedVolumeApiCalls).toEqual([{ ApiName: 'ec2:DescribeInstances', Calls: 12, FailedCalls: 0, BaselineCalls: 80, BaselineDailyMean: 4, Increase: 3 }]);
    const below = apiBehaviour({ scope: { 'ec2:DescribeInstances': calls(11) }, baseline, scopeDays: 1 / 12, baselineDataDays: 20 });
    expect(below.IncreasedVolumeApiCalls).toEqual([]);
  });

  it('needs a minimum count, and scales the expectation with scopes longer than a day', () => {
    const tiny = apiBehaviour({ scope: { 'sts:GetCallerIdentity': calls(INCREASED_VOLUME_MIN_CALLS - 1) }, baseline: { 'sts:GetCallerIdentity': calls(1) }, scopeDays: 1, baselineDataDays: 45 });
    expect(tiny.IncreasedVolumeApiCalls).toEqual([]);
    // Daily mean 10 over a 3-day scope expects 30: 60 calls is only twice that.
    const long = apiBehaviour({ scope: { 's3:GetObject': calls(60) }, baseline: { 's3:GetObject': calls(450) }, scopeDays: 3, baselineDataDays: 45 });
    expect(long.IncreasedVolumeApiCalls).toEqual([]);
  });
});

describe('service-linked roles', () => {
  it('are those under /aws-service-role/ or named AWSServiceRoleFor*', () => {
    expect(isServiceLinkedRole('arn:aws:iam::123837392027:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS')).toBe(true);
    expect(isServiceLinkedRole('AWSServiceRoleForSupport')).toBe(true);
    expect(isServiceLinkedRole('arn:aws:iam::123837392027:role/stratus-red-team-leave-org-role')).toBe(false);
  });
});

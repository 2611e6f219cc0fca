import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { bucketOfArn, buildHourIndex, decodeHourIndex, encodeHourIndex, HOUR_INDEX_MAX_BYTES } from '../../lambdas/core/storage/hour-index';
import { ACCOUNT, assumedRole, iamUser, record } from '../helpers/records';

/** The reverse index of an account-hour: values → principals, from the compacted hour, and its size bound. */
const HOUR = '2026-10-22T10';

it('maps addresses, agents, buckets, sessions and instances to principals, leaving service names out of addresses', () => {
  const compactor = new HourCompactor(ACCOUNT, HOUR);
  const alice = iamUser('alice');
  const web = assumedRole('Web', 'i-0abc1234def567890', 'ASIAINSTANCE00000001', { ec2: true, creationDate: `${HOUR}:00:00Z` });
  compactor.add(record({ userIdentity: alice, eventTime: `${HOUR}:01:00Z`, sourceIPAddress: '203.0.113.7', userAgent: 'curl/8', eventSource: 's3.amazonaws.com', eventName: 'GetObject', requestParameters: { bucketName: 'payroll' } }), 0, 0);
  compactor.add(record({ userIdentity: web, eventTime: `${HOUR}:02:00Z`, sourceIPAddress: '203.0.113.7' }), 0, 1);
  compactor.add(record({ userIdentity: web, eventTime: `${HOUR}:03:00Z`, sourceIPAddress: 'secretsmanager.amazonaws.com' }), 0, 2);
  const index = decodeHourIndex(encodeHourIndex(buildHourIndex(compactor.finish())));
  const names = index.principals.map((p) => p[2]);
  const who = (positions: number[] | undefined) => (positions ?? []).map((p) => names[p]).sort();
  expect(who(index.ips['203.0.113.7'])).toEqual(['Web', 'alice']);
  expect(index.ips['secretsmanager.amazonaws.com']).toBeUndefined();
  expect(who(index.agents['curl/8'])).toEqual(['alice']);
  expect(who(index.buckets.payroll)).toEqual(['alice']);
  // The role's principal id (before the colon of the calls' userIdentity.principalId) makes Detective's session id.
  expect(index.sessions.ASIAINSTANCE00000001).toEqual([names.indexOf('Web'), 'i-0abc1234def567890', web.principalId?.split(':')[0]]);
  expect(web.principalId?.split(':')[0]).toBe('AROAWEB');
  expect(index.instances['i-0abc1234def567890']).toEqual([`arn:aws:iam::${ACCOUNT}:role/Web`]);
  expect(index.principals.find((p) => p[2] === 'Web')?.slice(4)).toEqual([2, 0]);
});

it('drops whole maps, then the least busy principals, to stay under the size bound', () => {
  const compactor = new HourCompactor(ACCOUNT, HOUR);
  // Random agents and addresses do not compress: enough of them overflow the bound.
  for (let i = 0; i < 40_000; i++) {
    compactor.add(record({ userIdentity: iamUser(`u${i % 5000}`), eventTime: `${HOUR}:${String(i % 60).padStart(2, '0')}:00Z`, sourceIPAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: `agent-${Math.random().toString(36).slice(2)}` }), 0, i);
  }
  const encoded = encodeHourIndex(buildHourIndex(compactor.finish()));
  expect(encoded.byteLength).toBeLessThanOrEqual(HOUR_INDEX_MAX_BYTES);
  const index = decodeHourIndex(encoded);
  expect(index.truncated).toContain('agents');
  expect(index.principals.length).toBeGreaterThan(0);
});

it('reads the bucket of an S3 ARN in any partition', () => {
  expect(bucketOfArn('arn:aws:s3:::payroll/2026/x.csv')).toBe('payroll');
  expect(bucketOfArn('arn:aws-cn:s3:::logs')).toBe('logs');
  expect(bucketOfArn('arn:aws:iam::123456789012:role/x')).toBeUndefined();
});

it('keeps one role principal id per session whatever the order of the records, and none for other keys', () => {
  const session = assumedRole('Web', 'deploy', 'ASIAWEBDEPLOY0000001');
  // A forged record of the same key with another role id: the smaller id is kept, in either order.
  const forged = { ...session, principalId: 'AROAAAAFORGED:deploy' };
  const records = [record({ userIdentity: session, eventTime: `${HOUR}:01:00Z` }), record({ userIdentity: forged, eventTime: `${HOUR}:02:00Z` }), record({ userIdentity: iamUser('alice', 'ASIAALICE00000000001'), eventTime: `${HOUR}:03:00Z` })];
  for (const order of [records, [...records].reverse()]) {
    const compactor = new HourCompactor(ACCOUNT, HOUR);
    order.forEach((r, i) => compactor.add(r, 0, i));
    const index = buildHourIndex(compactor.finish());
    expect(index.sessions.ASIAWEBDEPLOY0000001[2]).toBe('AROAAAAFORGED');
    expect(index.sessions.ASIAALICE00000000001).toHaveLength(2);
  }
});

import { MAP_CAPS } from '../../lambdas/core/cloudtrail/activity';
import { CloudTrailFileDigest } from '../../lambdas/core/cloudtrail/file-digest';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { assumedRole, iamUser, record } from '../helpers/records';

/** A seeded generator, so the random mix is the same on every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function randomRecords(count: number, seed: number): CloudTrailRecord[] {
  const random = prng(seed);
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
  const identities = [iamUser('alice'), iamUser('ci', 'AKIACI'), assumedRole('Admin', 'alice', 'ASIA1'), assumedRole('Admin', 'bob', 'ASIA2'), assumedRole('ReadOnly', 'carol', 'ASIA3')];
  return Array.from({ length: count }, () =>
    record({
      userIdentity: pick(identities),
      eventTime: `2026-10-22T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00Z`,
      eventSource: pick(['s3.amazonaws.com', 'ec2.amazonaws.com', 'iam.amazonaws.com']),
      eventName: pick(['List', 'Get', 'Describe']),
      sourceIPAddress: pick(['198.18.0.1', '198.18.0.2', '203.0.113.9']),
      ...(random() < 0.2 ? { errorCode: pick(['AccessDenied', 'ThrottlingException']) } : {}),
    }),
  );
}

describe('CloudTrailFileDigest aggregates', () => {
  it('match an independent count of the raw records, per subject and hour', () => {
    const records = randomRecords(3000, 42);
    const digest = new CloudTrailFileDigest();
    for (const r of records) digest.addRaw(JSON.parse(JSON.stringify(r)));

    // Independent count straight from the raw fields.
    const expected = new Map<string, { total: number; failures: number; api: Map<string, number> }>();
    const count = (subject: string, r: CloudTrailRecord) => {
      const key = `${subject}|${r.eventTime.slice(0, 13)}`;
      const entry = expected.get(key) ?? { total: 0, failures: 0, api: new Map<string, number>() };
      entry.total++;
      if (r.errorCode) entry.failures++;
      const api = `${r.eventSource.split('.')[0]}:${r.eventName}`;
      entry.api.set(api, (entry.api.get(api) ?? 0) + 1);
      expected.set(key, entry);
    };
    for (const r of records) {
      const identity = r.userIdentity;
      const principal = identity.type === 'IAMUser' ? `iam-user#${identity.arn}` : `role#${identity.sessionContext?.sessionIssuer?.arn}`;
      count(principal, r);
      if (identity.accessKeyId?.startsWith('ASIA')) count(`session#${identity.accessKeyId}`, r);
    }

    const aggregates = new Map(digest.activityAggregates().filter((a) => !a.subject.startsWith('account#')).map((a) => [`${a.subject}|${a.hour}`, a]));
    expect(aggregates.size).toBe(expected.size);
    for (const [key, want] of expected) {
      const got = aggregates.get(key);
      expect(got).toBeDefined();
      expect({ total: got?.total, failures: got?.failures }).toEqual({ total: want.total, failures: want.failures });
      expect(Object.fromEntries(Object.entries(got?.apis ?? {}).map(([api, c]) => [api, c.calls]))).toEqual(Object.fromEntries(want.api));
    }
    const sum = digest.activityAggregates().filter((a) => !a.subject.startsWith('session#') && !a.subject.startsWith('account#')).reduce((n, a) => n + a.total, 0);
    expect(sum).toBe(records.length);
  });

  it('is independent of record order', () => {
    const records = randomRecords(500, 7);
    const forward = new CloudTrailFileDigest();
    const backward = new CloudTrailFileDigest();
    records.forEach((r) => forward.addRaw(r));
    [...records].reverse().forEach((r) => backward.addRaw(r));
    const normalize = (d: CloudTrailFileDigest) =>
      d
        .activityAggregates()
        .map((v) => ({ ...v, apis: Object.entries(v.apis).sort(), sourceIps: Object.entries(v.sourceIps).sort() }))
        .sort((a, b) => `${a.subject}|${a.hour}`.localeCompare(`${b.subject}|${b.hour}`));
    expect(normalize(backward)).toEqual(normalize(forward));
  });

  it('caps breakdown maps but keeps totals exact', () => {
    const digest = new CloudTrailFileDigest();
    const extra = 25;
    for (let i = 0; i < MAP_CAPS.sourceIps + extra; i++) digest.addRaw(record({ userIdentity: iamUser('alice'), sourceIPAddress: `198.18.${Math.floor(i / 250)}.${i % 250}` }));
    const [aggregate] = digest.activityAggregates().filter((a) => a.subject.startsWith('iam-user#'));
    expect(aggregate.total).toBe(MAP_CAPS.sourceIps + extra);
    expect(Object.keys(aggregate.sourceIps)).toHaveLength(MAP_CAPS.sourceIps);
    expect(aggregate.overflow.sourceIps).toBe(extra);
  });
});

import { gzipSync } from 'node:zlib';
import { compactHour, type CompactionDependencies } from '../../lambdas/compact-hour/compact-hour';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import type { IamChange, IamEntityRef } from '../../lambdas/core/iam';
import type { EventsRef, HourObjectItem } from '../../lambdas/core/model/items';
import { ACCOUNT, iamUser, record } from '../helpers/records';

/**
 * The compaction's IAM step: histories are merged only for the entities whose IAM changed in the hour, with each
 * eventID once (whatever object it came in), before the manifest; hostile IAM records are skipped, never fatal.
 */
const HOUR = '2026-10-22T10';
const HOUR_KEY = `${ACCOUNT}#${HOUR}`;
const admin = iamUser('admin');

function iam(eventID: string, eventName: string, requestParameters: Record<string, unknown>, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord {
  return record({ userIdentity: admin, eventTime: '2026-10-22T10:10:00Z', eventSource: 'iam.amazonaws.com', eventName, eventID, requestParameters, ...extra });
}

function run(objects: Record<string, CloudTrailRecord[]>) {
  const merges: { entity: IamEntityRef; changes: readonly IamChange[]; retainedFrom: string }[] = [];
  const order: string[] = [];
  const bodies = new Map(Object.entries(objects).map(([key, records]) => [key, gzipSync(JSON.stringify({ Records: records }))]));
  const registered: HourObjectItem[] = [...bodies].map(([key, body]) => ({ hourKey: HOUR_KEY, objectId: key, objectKey: `s3://logs/${key}`, etag: String(body.length), records: 0, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 }));
  const deps: CompactionDependencies = {
    listHourObjects: async () => registered,
    clearCompactionPending: async () => undefined,
    getAccountHour: async () => undefined,
    openObject: async (_bucket, key) => ({ body: (async function* () { yield bodies.get(key)!; })() }),
    readHeader: async () => undefined,
    writeEvents: async (_header, segments, generation) => new Map<string, EventsRef>([['', { generation, offset: 0, length: 1 }], ...segments.map((s): [string, EventsRef] => [s.subject, { generation, offset: 0, length: 1 }])]),
    writeHourItems: async () => undefined,
    putAccountHour: async () => void order.push('manifest'),
    removeGeneration: async () => undefined,
    mergeIamHistory: async (entity, changes, retainedFrom) => {
      order.push('iam');
      merges.push({ entity, changes, retainedFrom });
      return 'written';
    },
    retentionDays: 36500,
    settleMs: 20 * 60_000,
    now: () => new Date('2026-10-22T11:30:00Z'),
  };
  return { merges, order, outcome: compactHour(HOUR_KEY, deps) };
}

describe('the compaction stores IAM histories', () => {
  it('merges nothing in an hour without IAM writes (reads and other services included)', async () => {
    const { merges, outcome } = run({ 'a.json.gz': [record({ userIdentity: admin, eventTime: '2026-10-22T10:01:00Z' }), iam('r1', 'GetRole', { roleName: 'R' })] });
    expect(await outcome).toMatchObject({ status: 'compacted', events: 2 });
    expect(merges).toEqual([]);
  });

  it('merges once per entity changed, each eventID once across objects, before the manifest', async () => {
    const attach = iam('e2', 'AttachRolePolicy', { roleName: 'R', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    const { merges, order, outcome } = run({
      'a.json.gz': [iam('e1', 'CreateRole', { roleName: 'R', assumeRolePolicyDocument: '{}' }), attach, iam('e3', 'AddUserToGroup', { userName: 'u', groupName: 'g' })],
      // The same event delivered again in another object (CloudTrail's rare duplicate, or a copied key).
      'b.json.gz': [attach],
    });
    expect(await outcome).toMatchObject({ status: 'compacted', events: 3, duplicates: 1 });
    expect(merges.map((m) => [m.entity.Type, m.entity.Name, m.changes.map((c) => c.EventId)]).sort()).toEqual([
      ['GROUP', 'g', ['e3']],
      ['ROLE', 'R', ['e1', 'e2']],
      ['USER', 'u', ['e3']],
    ]);
    expect(order.at(-1)).toBe('manifest');
    // Each merge names the retention's start (36,500 days before now): older changes fold into the checkpoint.
    expect(new Set(merges.map((m) => m.retainedFrom))).toEqual(new Set([new Date(Date.parse('2026-10-22T11:30:00Z') - 36500 * 86_400_000).toISOString()]));
  });

  it('skips hostile IAM records and keeps the valid ones', async () => {
    const { merges, outcome } = run({
      'a.json.gz': [
        iam('h1', 'PutRolePolicy', { roleName: 'R', policyName: 'p', policyDocument: `{"Statement":${'['.repeat(5000)}` }),
        iam('h2', 'AttachRolePolicy', { roleName: 'x'.repeat(5000), policyArn: 'arn:aws:iam::aws:policy/A' }),
        iam('h3', 'UpdateAssumeRolePolicy', { roleName: 'R', policyDocument: 'p'.repeat(200_000) }),
        iam('h4', 'DeleteRole', { roleName: { nested: true } }),
        iam('ok', 'DetachRolePolicy', { roleName: 'R', policyArn: 'arn:aws:iam::aws:policy/A' }),
      ],
    });
    expect(await outcome).toMatchObject({ status: 'compacted' });
    const role = merges.find((m) => m.entity.Name === 'R')!;
    // The damaged documents are kept as changes with their issue (never evaluated); the oversize name and the non-string name give none.
    expect(role.changes.map((c) => c.EventId).sort()).toEqual(['h1', 'h3', 'ok']);
    expect(merges).toHaveLength(1);
  });
});

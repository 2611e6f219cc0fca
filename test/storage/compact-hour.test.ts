import { entriesOfPacks, isSessionPack } from '../../lambdas/core/storage/session-packs';
import { gzipSync } from 'node:zlib';
import { compactHour, type CompactionDependencies } from '../../lambdas/compact-hour/compact-hour';
import { compactSqsBatch } from '../../lambdas/compact-hour/handler';
import { pendingIsStale } from '../../lambdas/ingest-cloudtrail/ingest-object';
import { ObjectGoneError } from '../../lambdas/adapters/s3-objects';
import type { AccountHourItem, ActivityItem, EventsRef, HourObjectItem, SessionItem } from '../../lambdas/core/model/items';
import type { HourEventsHeader, SubjectEvents } from '../../lambdas/adapters/events-store';
import { ACCOUNT, iamUser, record } from '../helpers/records';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import type { SQSEvent } from 'aws-lambda';

const HOUR = '2026-10-22T10';
const HOUR_KEY = `${ACCOUNT}#${HOUR}`;
const AFTER_SETTLING = new Date('2026-10-22T11:30:00Z');

/** Tables and buckets in memory, with the compactor's real parsing of gzip log objects. */
class Fakes {
  objects = new Map<string, Buffer>();
  hourObjects: HourObjectItem[] = [];
  activity = new Map<string, ActivityItem>();
  sessions: SessionItem[] = [];
  events = new Map<string, { header: HourEventsHeader; segments: readonly SubjectEvents[] }>();
  writes = 0;
  cleared = 0;
  removedGenerations: string[] = [];

  addObject(key: string, records: CloudTrailRecord[]): void {
    this.objects.set(key, gzipSync(JSON.stringify({ Records: records })));
    this.hourObjects = this.hourObjects.filter((o) => o.objectKey !== `s3://logs/${key}`);
    this.hourObjects.push({ hourKey: HOUR_KEY, objectId: key, objectKey: `s3://logs/${key}`, etag: String(this.objects.get(key)?.length), records: records.length, firstEvent: '', lastEvent: '', ingestedAt: '', expiresAt: 0 });
  }

  deps(now = AFTER_SETTLING): CompactionDependencies {
    return {
      listHourObjects: async () => [...this.hourObjects],
      clearCompactionPending: async () => void this.cleared++,
      getAccountHour: async (accountId, hour) => this.activity.get(`account#${accountId}|${hour}`) as AccountHourItem | undefined,
      openObject: async (_bucket, key) => {
        const body = this.objects.get(key);
        if (!body) throw new ObjectGoneError('logs', key);
        return { body: (async function* () {
          yield body;
        })() };
      },
      readHeader: async (_a, _h, ref) => this.events.get(ref.generation)?.header,
      writeEvents: async (header, segments, generation) => {
        this.events.set(generation, { header, segments });
        return new Map<string, EventsRef>([['', { generation, offset: 0, length: 1 }], ...segments.map((s, i): [string, EventsRef] => [s.subject, { generation, offset: i + 1, length: 1 }])]);
      },
      writeHourItems: async ({ activity, goneActivity, sessions }) => {
        this.writes += activity.length;
        for (const item of activity) this.activity.set(`${item.subject}|${item.hour}`, item);
        for (const key of goneActivity) this.activity.delete(`${key.subject}|${key.slot.slice(0, 13)}`);
        this.sessions.push(...entriesOfPacks(sessions.filter(isSessionPack)));
      },
      putAccountHour: async (item) => void this.activity.set(`${item.subject}|${item.hour}`, item),
      removeGeneration: async (_account, _hour, generation) => void this.removedGenerations.push(generation),
      retentionDays: 36500,
      settleMs: 20 * 60_000,
      now: () => now,
    };
  }
}

const alice = iamUser('alice');
const bob = iamUser('bob', 'AKIABOBEXAMPLE');
const early = [record({ userIdentity: alice, eventTime: '2026-10-22T10:05:00Z' }), record({ userIdentity: alice, eventTime: '2026-10-22T10:06:00Z' })];
const late = [record({ userIdentity: bob, eventTime: '2026-10-22T10:50:00Z' }), early[0]];

describe('compactHour', () => {
  it('waits until the hour has settled', async () => {
    const fakes = new Fakes();
    fakes.addObject('a.json.gz', early);
    expect(await compactHour(HOUR_KEY, fakes.deps(new Date('2026-10-22T11:10:00Z')))).toEqual({ status: 'not-settled', hourKey: HOUR_KEY, settlesAt: '2026-10-22T11:20:00.000Z' });
    expect(fakes.activity.size).toBe(0);
  });

  it('compacts once, skips an unchanged hour, and recompacts when a late object arrives, counting shared events once', async () => {
    const fakes = new Fakes();
    fakes.addObject('a.json.gz', early);
    const first = await compactHour(HOUR_KEY, fakes.deps());
    expect(first).toMatchObject({ status: 'compacted', events: 2, duplicates: 0, principals: 1 });
    const writes = fakes.writes;
    expect(await compactHour(HOUR_KEY, fakes.deps())).toEqual({ status: 'unchanged', hourKey: HOUR_KEY });
    expect(fakes.writes).toBe(writes);
    // A first compaction has no earlier generation to delete (and lists nothing to find one).
    expect(fakes.removedGenerations).toEqual([]);

    fakes.addObject('late.json.gz', late);
    expect(await compactHour(HOUR_KEY, fakes.deps())).toMatchObject({ status: 'compacted', events: 3, duplicates: 1, principals: 2 });
    // The generation the items pointed at before is deleted, by key, once they point at the new one.
    expect(fakes.removedGenerations).toEqual([(first as { generation: string }).generation]);
    expect(fakes.activity.get(`account#${ACCOUNT}|${HOUR}`)?.total).toBe(3);
    expect(fakes.activity.get(`iam-user#${alice.arn}|${HOUR}`)?.total).toBe(2);
  });

  it('removes the items of principals that vanished when an object was replaced', async () => {
    const fakes = new Fakes();
    fakes.addObject('a.json.gz', early);
    fakes.addObject('b.json.gz', [late[0]]);
    await compactHour(HOUR_KEY, fakes.deps());
    expect(fakes.activity.has(`iam-user#${bob.arn}|${HOUR}`)).toBe(true);
    fakes.addObject('b.json.gz', [early[1]]);
    await compactHour(HOUR_KEY, fakes.deps());
    expect(fakes.activity.has(`iam-user#${bob.arn}|${HOUR}`)).toBe(false);
  });

  it('compacts the other objects when one is gone', async () => {
    const fakes = new Fakes();
    fakes.addObject('a.json.gz', early);
    fakes.addObject('gone.json.gz', late);
    fakes.objects.delete('gone.json.gz');
    expect(await compactHour(HOUR_KEY, fakes.deps())).toMatchObject({ status: 'compacted', events: 2, missingObjects: 1 });
  });

  it('rejects a malformed hour key', async () => {
    expect(await compactHour('not-a-key', new Fakes().deps())).toMatchObject({ status: 'invalid' });
  });
});

describe('compactSqsBatch', () => {
  const message = (id: string, hourKey: string) => ({ messageId: id, receiptHandle: `r-${id}`, body: JSON.stringify({ hourKey, objectKey: 's3://logs/a.json.gz' }), eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:q.fifo' });

  it('serves the messages of one hour with one compaction, and hides unsettled hours until they settle', async () => {
    const fakes = new Fakes();
    fakes.addObject('a.json.gz', early);
    const delays: number[] = [];
    const event = { Records: [message('1', HOUR_KEY), message('2', HOUR_KEY), message('3', `${ACCOUNT}#2026-10-22T11`), { ...message('4', HOUR_KEY), body: 'not json' }] } as unknown as SQSEvent;
    const outcome = await compactSqsBatch(event, fakes.deps(), { now: () => AFTER_SETTLING, delay: async (_q, _r, seconds) => void delays.push(seconds) });
    expect(outcome.outcomes.map((o) => o.status)).toEqual(['compacted', 'not-settled']);
    expect(outcome.batchItemFailures).toEqual([{ itemIdentifier: '3' }]);
    expect(delays).toEqual([50 * 60]);
  });
});

describe('pending compaction marks', () => {
  it('are stale only well after the compaction they announced was due', () => {
    const settle = 20 * 60_000;
    // Hour 10 settles at 11:20; a mark set at 10:05 is due then, stale 30 minutes later.
    expect(pendingIsStale('2026-10-22T10:05:00Z', HOUR, Date.parse('2026-10-22T11:49:00Z'), settle)).toBe(false);
    expect(pendingIsStale('2026-10-22T10:05:00Z', HOUR, Date.parse('2026-10-22T11:51:00Z'), settle)).toBe(true);
    // A late object for a settled hour: due at once.
    expect(pendingIsStale('2026-10-23T09:00:00Z', HOUR, Date.parse('2026-10-23T09:20:00Z'), settle)).toBe(false);
    expect(pendingIsStale('2026-10-23T09:00:00Z', HOUR, Date.parse('2026-10-23T09:31:00Z'), settle)).toBe(true);
  });

  it('is cleared before the objects are listed, and only once the hour has settled', async () => {
    const fakes = new Fakes();
    fakes.addObject('a.json.gz', early);
    await compactHour(HOUR_KEY, fakes.deps(new Date('2026-10-22T11:00:00Z')));
    expect(fakes.cleared).toBe(0);
    await compactHour(HOUR_KEY, fakes.deps());
    expect(fakes.cleared).toBe(1);
  });
});

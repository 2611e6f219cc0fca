import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { HourCompactor } from '../../lambdas/core/storage/hour-compactor';
import { decodePack, entriesOfPacks, hourSessions, SESSION_PACK_MAX_BYTES, type SessionPackItem } from '../../lambdas/core/storage/session-packs';
import { ACCOUNT, assumeRole, assumedRole, iamUser, record } from '../helpers/records';

/**
 * Sessions are stored packed per issuer and account-hour: the packs must hold every session once, split when
 * too large, and a reader must ignore chunks an earlier compaction left behind.
 */
const HOUR = '2026-10-22T10';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Worker`;

function compactedWith(sessionCount: number, agentBytes = 32) {
  const compactor = new HourCompactor(ACCOUNT, HOUR);
  const alice = iamUser('alice');
  for (let i = 0; i < sessionCount; i++) {
    const key = `ASIA${String(i).padStart(16, '0')}`;
    // Random agents defeat compression, so a large count really needs several chunks.
    compactor.add(assumeRole(alice, ROLE, `s${i}`, key, { eventTime: `${HOUR}:${String(i % 60).padStart(2, '0')}:00Z`, userAgent: randomBytes(agentBytes).toString('hex') }), 0, i);
  }
  return compactor.finish();
}

describe('session packs', () => {
  it('packs an issuer’s sessions of an hour into one item', () => {
    const compacted = compactedWith(50);
    const { packs, parents } = hourSessions(compacted, 'g1', 365);
    expect(packs.map((p) => [p.pk, p.sk, p.sessions])).toEqual([[`issuer#${ROLE}`, `${HOUR}#${ACCOUNT}`, 50]]);
    expect(decodePack(packs[0].pack).map((e) => e.sessionId)).toHaveLength(50);
    expect(parents).toEqual([]);
  });

  it('splits a pack larger than the limit into chunks that hold every session once', () => {
    const compacted = compactedWith(1200, 256);
    const { packs } = hourSessions(compacted, 'g1', 365);
    expect(packs.length).toBeGreaterThan(1);
    for (const pack of packs) expect(pack.pack.byteLength).toBeLessThanOrEqual(SESSION_PACK_MAX_BYTES);
    const ids = entriesOfPacks(packs).map((e) => e.sessionId);
    expect(new Set(ids).size).toBe(1200);
    expect(ids).toHaveLength(1200);
  });

  it('ignores the chunks an earlier compaction of the hour left behind', () => {
    const before = hourSessions(compactedWith(1200, 256), 'old', 365).packs;
    const after = hourSessions(compactedWith(10), 'new', 365).packs;
    // The recompaction overwrote chunk 0 only; the old chunks 1… remain until they expire.
    const stored: SessionPackItem[] = [...after, ...before.filter((p) => p.chunk > 0)];
    expect(entriesOfPacks(stored)).toHaveLength(10);
  });

  it('points from a parent session to each chained session', () => {
    const compactor = new HourCompactor(ACCOUNT, HOUR);
    const admin = assumedRole('Admin', 'alice', 'ASIAPARENT0000000001', { creationDate: `${HOUR}:00:00Z` });
    compactor.add(assumeRole(admin, ROLE, 'chained', 'ASIACHILD00000000001', { eventTime: `${HOUR}:10:00Z` }), 0, 0);
    compactor.add(record({ userIdentity: admin, eventTime: `${HOUR}:11:00Z` }), 0, 1);
    const { packs, parents } = hourSessions(compactor.finish(), 'g', 365);
    expect(parents).toEqual([expect.objectContaining({ pk: 'parent#ASIAPARENT0000000001', sessionId: 'ASIACHILD00000000001', issuerArn: ROLE })]);
    const child = entriesOfPacks(packs).find((e) => e.sessionId === 'ASIACHILD00000000001');
    expect(child).toMatchObject({ parentSessionId: 'ASIAPARENT0000000001', parentIssuerArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, parentCreatedAt: `${HOUR}:00:00Z` });
    // The parent was seen (its calls), not created, in this hour: its pack holds that observation.
    expect(entriesOfPacks(packs).find((e) => e.sessionId === 'ASIAPARENT0000000001')?.sk).toBe(`SEEN#${HOUR}`);
  });

  it('writes the same packs whatever the order of the records (property)', () => {
    const alice = iamUser('alice');
    const records = Array.from({ length: 30 }, (_, i) => assumeRole(alice, `arn:aws:iam::${ACCOUNT}:role/R${i % 4}`, `s${i}`, `ASIA${String(i).padStart(16, '0')}`, { eventTime: `${HOUR}:${String(i).padStart(2, '0')}:00Z` }));
    const packsOf = (ordered: typeof records) => {
      const compactor = new HourCompactor(ACCOUNT, HOUR);
      ordered.forEach((r, i) => compactor.add(r, 0, i));
      return hourSessions(compactor.finish(), 'g', 365).packs;
    };
    const baseline = packsOf(records);
    expect(baseline.map((p) => p.pk)).toEqual([0, 1, 2, 3].map((i) => `issuer#arn:aws:iam::${ACCOUNT}:role/R${i}`));
    expect(entriesOfPacks(baseline)).toHaveLength(30);
    fc.assert(
      fc.property(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), (shuffled) => {
        const packs = packsOf(shuffled);
        expect(packs.map((p) => Buffer.from(p.pack).toString('base64'))).toEqual(baseline.map((p) => Buffer.from(p.pack).toString('base64')));
      }),
      { numRuns: 25 },
    );
  });
});

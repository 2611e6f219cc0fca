import fc from 'fast-check';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { boundHistory, historiesFromRecords, historyBytes, iamChangesOf, mergeHistory, stateAt } from '../../lambdas/core/iam';
import type { EntityHistory, IamChange } from '../../lambdas/core/iam';
import { rawRecords } from '../corpus/raw-corpus';
import { ACCOUNT, ADMIN, READONLY, at, createRole, iamEvent, trustDocument } from './iam-records';

/** A random mix of IAM events on two roles and a user, packed into few seconds so that many share one. */
const eventArb: fc.Arbitrary<CloudTrailRecord> = fc
  .record({
    kind: fc.constantFrom('create', 'delete', 'attach', 'detach', 'put', 'deleteInline', 'trust', 'join', 'key', 'deleteKey'),
    role: fc.constantFrom('A', 'B'),
    policy: fc.constantFrom(ADMIN, READONLY),
    second: fc.integer({ min: 0, max: 5 }),
    failed: fc.boolean(),
    id: fc.uuid(),
    external: fc.boolean(),
  })
  .map(({ kind, role, policy, second, failed, id, external }) => {
    const extra: Partial<CloudTrailRecord> = { eventTime: at(1000 + second), eventID: id, ...(failed ? { errorCode: 'AccessDenied' } : {}) };
    switch (kind) {
      case 'create':
        return createRole(role, extra);
      case 'delete':
        return iamEvent('DeleteRole', { roleName: role }, extra);
      case 'attach':
        return iamEvent('AttachRolePolicy', { roleName: role, policyArn: policy }, extra);
      case 'detach':
        return iamEvent('DetachRolePolicy', { roleName: role, policyArn: policy }, extra);
      case 'put':
        return iamEvent('PutRolePolicy', { roleName: role, policyName: external ? 'p1' : 'p2', policyDocument: `{"Statement":[{"Sid":"${id}"}]}` }, extra);
      case 'deleteInline':
        return iamEvent('DeleteRolePolicy', { roleName: role, policyName: external ? 'p1' : 'p2' }, extra);
      case 'trust':
        return iamEvent('UpdateAssumeRolePolicy', { roleName: role, policyDocument: trustDocument({ AWS: external ? '444455556666' : ACCOUNT }) }, extra);
      case 'join':
        return iamEvent('AddUserToGroup', { userName: 'u', groupName: role }, extra);
      case 'key':
        return iamEvent('CreateAccessKey', { userName: 'u' }, { ...extra, responseElements: { accessKey: { accessKeyId: `AKIA${role}`, status: 'Active' } } });
      default:
        return iamEvent('DeleteAccessKey', { userName: 'u', accessKeyId: `AKIA${role}` }, extra);
    }
  });

const MOMENTS = [0, 1, 2, 3, 4, 5, 6].map((second) => at(1000 + second));

function statesOf(records: CloudTrailRecord[]) {
  const histories = historiesFromRecords(records);
  return [...histories.keys()].sort().map((key) => [key, MOMENTS.map((moment) => stateAt(histories.get(key) as EntityHistory, moment))]);
}

function shuffled<T>(values: T[], seed: number): T[] {
  const out = [...values];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('order and duplicates (property)', () => {
  it('any order of the same events, with any of them delivered twice, gives the same state at every moment', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.array(fc.nat()), (records, seed, duplicates) => {
        const expected = statesOf(records);
        const again = shuffled([...records, ...duplicates.map((index) => ({ ...records[index % records.length] }))], seed);
        expect(statesOf(again)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

function changesOf(records: CloudTrailRecord[]): IamChange[] {
  return records.flatMap(iamChangesOf).filter((change) => change.Entity.Type === 'ROLE' && change.Entity.Name === 'A');
}

describe('mergeHistory', () => {
  it('is idempotent and order-independent: any split of the changes into batches, merged in any order, gives one history (property)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }), fc.integer({ min: 1, max: 2 ** 30 }), (records, batchOf, seed) => {
        const changes = changesOf(records);
        fc.pre(changes.length > 0);
        const whole = mergeHistory(undefined, changes);
        const batches: IamChange[][] = [[], [], [], []];
        changes.forEach((change, index) => batches[batchOf[index % batchOf.length]].push(change));
        let merged: EntityHistory | undefined;
        for (const batch of shuffled(batches, seed)) if (batch.length > 0 || merged) merged = mergeHistory(merged, batch);
        expect(merged).toEqual(whole);
        // Merging the same batch again changes nothing.
        expect(mergeHistory(whole, changes)).toEqual(whole);
        expect(mergeHistory(whole, whole)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('the same eventID twice is kept once', () => {
    const record = iamEvent('AttachRolePolicy', { roleName: 'A', policyArn: ADMIN });
    const history = mergeHistory(mergeHistory(undefined, iamChangesOf(record)), iamChangesOf({ ...record }));
    expect(history.Changes).toHaveLength(1);
  });

  it('the corpus, merged file by file in reverse order, gives the histories of all its records at once', () => {
    const records = rawRecords() as unknown as CloudTrailRecord[];
    const all = historiesFromRecords(records);
    const stored = new Map<string, EntityHistory>();
    for (let end = records.length; end > 0; end -= 100) {
      for (const [key, history] of historiesFromRecords(records.slice(Math.max(0, end - 100), end))) stored.set(key, mergeHistory(stored.get(key), history.Changes));
    }
    expect([...stored.keys()].sort()).toEqual([...all.keys()].sort());
    for (const [key, history] of all) expect(stored.get(key)?.Changes).toEqual(history.Changes);
  });
});

describe('boundHistory', () => {
  const bigDocument = (size: number, sid: string) => JSON.stringify({ Statement: [{ Sid: sid, Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(size)}` }] });

  it('a history under its limits is unchanged', () => {
    const history = mergeHistory(undefined, changesOf([createRole('A'), iamEvent('AttachRolePolicy', { roleName: 'A', policyArn: ADMIN })]));
    expect(boundHistory(history)).toEqual(history);
  });

  it('drops the text of documents over maxDocumentChars, keeping their size and the trust principals, and counts them', () => {
    const records = [createRole('A', {}, trustDocument({ AWS: ['444455556666', 'x'.repeat(3000)] })), iamEvent('PutRolePolicy', { roleName: 'A', policyName: 'big', policyDocument: bigDocument(5000, 's') })];
    const history = mergeHistory(undefined, changesOf(records));
    const bounded = boundHistory(history, { maxDocumentChars: 2048, maxHistoryBytes: 350_000 });
    expect(bounded.Trimmed).toMatchObject({ Documents: 2, Changes: 0 });
    const state = stateAt(bounded, '2030-01-01T00:00:00Z');
    expect(state.InlinePolicies).toEqual([{ PolicyName: 'big', PolicyDocument: null, DocumentIssue: 'TRIMMED' }]);
    expect(state.TrustPolicyIssue).toBe('TRIMMED');
    expect(state.ExternalPrincipals.map((principal) => principal.Principal)).toEqual(['444455556666', 'x'.repeat(512)]);
    // Bounding is deterministic and stable.
    expect(boundHistory(bounded, { maxDocumentChars: 2048, maxHistoryBytes: 350_000 })).toEqual(bounded);
  });

  it('over maxHistoryBytes: drops old documents, then folds the oldest changes into a checkpoint; the state after it is unchanged', () => {
    const records = [createRole('A', { eventTime: at(1990) })];
    for (let i = 0; i < 60; i++) {
      records.push(iamEvent('PutRolePolicy', { roleName: 'A', policyName: `p${i % 5}`, policyDocument: bigDocument(1500, `s${i}`) }, { eventTime: at(2000 + i) }));
      records.push(iamEvent(i % 2 ? 'AttachRolePolicy' : 'DetachRolePolicy', { roleName: 'A', policyArn: ADMIN }, { eventTime: at(2000 + i) }));
    }
    const history = mergeHistory(undefined, changesOf(records));
    const limits = { maxDocumentChars: 16_384, maxHistoryBytes: 20_000 };
    const bounded = boundHistory(history, limits);
    expect(historyBytes(bounded)).toBeLessThanOrEqual(limits.maxHistoryBytes);
    expect(bounded.Trimmed?.Changes).toBeGreaterThan(0);
    expect(bounded.Baselines.filter((baseline) => baseline.Source === 'CHECKPOINT')).toHaveLength(1);
    const checkpoint = bounded.Baselines[0];
    const after = [at(2059), '2030-01-01T00:00:00Z', checkpoint.Time];
    for (const moment of after) {
      const full = stateAt(history, moment);
      const trimmed = stateAt(bounded, moment);
      expect(trimmed.Exists).toBe(full.Exists);
      expect(trimmed.AttachedPolicies).toEqual(full.AttachedPolicies);
      expect(trimmed.InlinePolicies.map((policy) => policy.PolicyName)).toEqual(full.InlinePolicies.map((policy) => policy.PolicyName));
      expect(trimmed.Coverage).toBe('FULL');
      expect(trimmed.ChangesTrimmed + trimmed.Changes.length).toBe(full.Changes.length);
    }
    // Before the checkpoint: not known any more, and said so.
    expect(stateAt(bounded, at(1999))).toMatchObject({ Coverage: 'PARTIAL', CoverageReason: expect.stringMatching(/checkpoint/) });
    // Merging the original changes again (a recompaction) does not bring the absorbed ones back.
    expect(mergeHistory(bounded, history.Changes)).toEqual(bounded);
    const next = iamEvent('DetachRolePolicy', { roleName: 'A', policyArn: ADMIN }, { eventTime: at(3000) });
    expect(stateAt(mergeHistory(bounded, iamChangesOf(next)), at(3000)).AttachedPolicies).toEqual([]);
  });
});

describe('mergeHistory guards', () => {
  it('refuses a change of another entity, and an empty first merge', () => {
    const a = mergeHistory(undefined, iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'A', policyArn: ADMIN })));
    expect(() => mergeHistory(a, iamChangesOf(iamEvent('AttachRolePolicy', { roleName: 'B', policyArn: ADMIN })))).toThrow(/ROLE#b merged into/);
    expect(mergeHistory(a, iamChangesOf(iamEvent('DetachRolePolicy', { roleName: 'a', policyArn: ADMIN }))).Changes).toHaveLength(2);
    expect(() => mergeHistory(undefined, [])).toThrow(/nothing to merge/);
  });
});

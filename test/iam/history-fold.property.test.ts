import fc from 'fast-check';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { boundHistory, foldPastRetention, historiesFromRecords, mergeHistory, stateAt } from '../../lambdas/core/iam';
import { historyAfter, historyItem, MAX_HISTORY_ITEM_BYTES } from '../../lambdas/core/iam/stored';
import type { EntityHistory, IamAction, IamBaseline, IamChange, PermissionsAtTime, PolicyDoc } from '../../lambdas/core/iam/types';
import { emptyBody, type StateOptions } from '../../lambdas/core/iam/state';
import { itemSize } from '../../lambdas/core/storage/item-size';
import { rawRecords } from '../corpus/raw-corpus';

/**
 * Folding a history into a checkpoint (past the retention, or to bound its size) never changes the answer at a
 * moment at or after the checkpoint, whatever the sequence of changes: same-second ties, failed calls,
 * deletions and re-creations, changes before any creation. Before the checkpoint the answer is PARTIAL and says why.
 */
const ACCOUNT = '111122223333';
const BASE = Date.UTC(2026, 0, 1);
const POLICIES = ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess', `arn:aws:iam::${ACCOUNT}:policy/custom`];

const trust = (accounts: readonly string[]): PolicyDoc => {
  const text = JSON.stringify({ Statement: accounts.map((account) => ({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' })) });
  return { Text: text, Chars: text.length, Principals: accounts.map((account) => ({ Kind: 'AWS', Value: `arn:aws:iam::${account}:root`, Conditional: false })) };
};
const document = (sid: string): PolicyDoc => {
  const text = JSON.stringify({ Statement: [{ Sid: sid, Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
  return { Text: text, Chars: text.length };
};

const account = fc.constantFrom(ACCOUNT, '444455556666', '193672423079');
const action: fc.Arbitrary<IamAction> = fc.oneof(
  fc.record({ Kind: fc.constant('CREATE' as const), TrustPolicy: fc.array(account, { maxLength: 2 }).map(trust) }),
  fc.constant({ Kind: 'DELETE' as const }),
  fc.record({ Kind: fc.constant('SET_TRUST' as const), TrustPolicy: fc.array(account, { maxLength: 2 }).map(trust) }),
  fc.record({ Kind: fc.constant('ATTACH' as const), PolicyArn: fc.constantFrom(...POLICIES) }),
  fc.record({ Kind: fc.constant('DETACH' as const), PolicyArn: fc.constantFrom(...POLICIES) }),
  fc.record({ Kind: fc.constant('PUT_INLINE' as const), PolicyName: fc.constantFrom('a', 'B', 'b'), Document: fc.string({ maxLength: 8 }).map(document) }),
  fc.record({ Kind: fc.constant('DELETE_INLINE' as const), PolicyName: fc.constantFrom('a', 'b') }),
  fc.record({ Kind: fc.constant('SET_BOUNDARY' as const), PolicyArn: fc.constantFrom(...POLICIES) }),
  fc.constant({ Kind: 'DELETE_BOUNDARY' as const }),
  fc.record({ Kind: fc.constant('CREATE_ACCESS_KEY' as const), AccessKeyId: fc.constantFrom('AKIA1', 'AKIA2') }),
  fc.record({ Kind: fc.constant('DELETE_ACCESS_KEY' as const), AccessKeyId: fc.constantFrom('AKIA1', 'AKIA2') }),
);

/** Changes of one role, over 40 seconds (so several share a second), each with its own eventID. */
const changes = fc.array(fc.record({ second: fc.integer({ min: 0, max: 40 }), action, succeeded: fc.boolean() }), { minLength: 1, maxLength: 30 }).map((drawn) =>
  drawn.map(
    ({ second, action, succeeded }, index): IamChange => ({
      Entity: { AccountId: ACCOUNT, Type: 'ROLE', Name: 'Target' },
      EventId: `e-${String(index).padStart(3, '0')}`,
      Time: new Date(BASE + second * 1000).toISOString().replace('.000Z', 'Z'),
      EventName: action.Kind,
      By: `arn:aws:iam::${ACCOUNT}:user/admin`,
      Succeeded: succeeded,
      ...(succeeded ? {} : { ErrorCode: 'AccessDenied' }),
      Action: action,
    }),
  ),
);

/** What a moment's answer says of the permissions (not how: the reason's wording and the listing of old changes differ). */
function permissions(answer: PermissionsAtTime, documents = true) {
  const { Exists, AttachedPolicies, InlinePolicies, Groups, PermissionsBoundary, TrustPolicy, ExternalPrincipals, AccessKeys, LoginProfile, Coverage, CredentialsCoverage } = answer;
  const texts = documents ? { InlinePolicies, TrustPolicy } : { InlinePolicies: InlinePolicies.map((policy) => policy.PolicyName), TrustPolicy: TrustPolicy !== null || answer.TrustPolicyIssue === 'TRIMMED' };
  return { Exists, AttachedPolicies, Groups, PermissionsBoundary, ExternalPrincipals, AccessKeys, LoginProfile, Coverage, CredentialsCoverage, ...texts };
}

/** Every moment at or after `from` where the answer may change: each change's second, half a second later, and far on. */
function momentsFrom(history: EntityHistory, from: number): string[] {
  const seconds = [...new Set(history.Changes.map((change) => Date.parse(change.Time)))].filter((time) => time >= from);
  return [from, ...seconds, ...seconds.map((time) => time + 500), BASE + 3_600_000].map((time) => new Date(time).toISOString());
}

/** `documents`: compare policy texts too (the size bound drops old texts before it folds: a separate, counted loss). */
function expectSameAfterCheckpoint(original: EntityHistory, folded: EntityHistory, documents = true, options: StateOptions = {}): void {
  const checkpoint = folded.Baselines.find((baseline) => baseline.Source === 'CHECKPOINT');
  if (!checkpoint) {
    expect(folded.Changes.map((change) => change.EventId)).toEqual(original.Changes.map((change) => change.EventId));
    return;
  }
  const from = Date.parse(checkpoint.Time);
  for (const moment of momentsFrom(original, from)) {
    const before = stateAt(original, moment, options);
    const after = stateAt(folded, moment, options);
    expect([moment, permissions(after, documents)]).toEqual([moment, permissions(before, documents)]);
    // The changes still listed are the latest ones; the others are counted.
    expect(after.Changes.map((change) => change.EventId)).toEqual(before.Changes.slice(before.Changes.length - after.Changes.length).map((change) => change.EventId));
    expect(after.ChangesTrimmed + after.Changes.length).toBe(before.Changes.length);
  }
  // Before the checkpoint: not known any more, and said so.
  const earlier = stateAt(folded, new Date(from - 1).toISOString(), options);
  expect(earlier.Coverage).toBe('PARTIAL');
  expect(earlier.CoverageReason).toMatch(/folded into a checkpoint/);
}

describe('folding a history into a checkpoint', () => {
  it('past the retention: never changes the answer at or after the checkpoint', () => {
    fc.assert(
      fc.property(changes, fc.integer({ min: 0, max: 45 }), (drawn, cutoffSecond) => {
        const history = mergeHistory(undefined, drawn);
        const folded = foldPastRetention(history, new Date(BASE + cutoffSecond * 1000).toISOString());
        expect(folded.Changes.every((change) => Date.parse(change.Time) >= BASE + cutoffSecond * 1000)).toBe(true);
        expectSameAfterCheckpoint(history, folded);
        // Folding again at the same cutoff changes nothing; merging the original changes again brings none back.
        expect(foldPastRetention(folded, new Date(BASE + cutoffSecond * 1000).toISOString())).toEqual(folded);
        expect(mergeHistory(folded, drawn)).toEqual(folded);
      }),
      { numRuns: 400 },
    );
  });

  it('twice (a later retention cutoff folds into the existing checkpoint): still the same answers', () => {
    fc.assert(
      fc.property(changes, fc.integer({ min: 0, max: 45 }), fc.integer({ min: 0, max: 45 }), (drawn, a, b) => {
        const history = mergeHistory(undefined, drawn);
        const [first, second] = [Math.min(a, b), Math.max(a, b)].map((second) => new Date(BASE + second * 1000).toISOString());
        expectSameAfterCheckpoint(history, foldPastRetention(foldPastRetention(history, first), second));
      }),
      { numRuns: 300 },
    );
  });

  it('with the account snapshot of an entity older than the logs: the checkpoint keeps what the snapshot knew', () => {
    const snapshot = fc.record({ second: fc.integer({ min: 0, max: 45 }), attached: fc.subarray(POLICIES), trusted: fc.array(account, { maxLength: 2 }) }).map(
      ({ second, attached, trusted }): IamBaseline => ({
        Source: 'SNAPSHOT',
        Time: new Date(BASE + second * 1000 + 500).toISOString(),
        State: { ...emptyBody(true), AttachedPolicies: attached, TrustPolicy: trust(trusted), CredentialsKnown: false },
        Coverage: 'FULL',
      }),
    );
    fc.assert(
      fc.property(changes, fc.integer({ min: 0, max: 45 }), snapshot, (drawn, cutoffSecond, baseline) => {
        const history = mergeHistory(undefined, drawn);
        const folded = foldPastRetention(history, new Date(BASE + cutoffSecond * 1000).toISOString(), undefined, [baseline]);
        expectSameAfterCheckpoint(history, folded, true, { baselines: [baseline] });
      }),
      { numRuns: 300 },
    );
  });

  it('to bound its size: never changes the answer at or after the checkpoint', () => {
    fc.assert(
      fc.property(changes, fc.integer({ min: 500, max: 6000 }), (drawn, maxHistoryBytes) => {
        const history = mergeHistory(undefined, drawn);
        expectSameAfterCheckpoint(history, boundHistory(history, { maxDocumentChars: 16_384, maxHistoryBytes }), false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('retention folding on the corpus (the backdoored role)', () => {
  const ROLE = 'stratus-red-team-backdoor-r-role';
  const history = historiesFromRecords(rawRecords() as unknown as CloudTrailRecord[]).get(`123837392027#ROLE#${ROLE}`)!;
  // The role's IAM writes, each eventID once.
  const raw = [...new Map(rawRecords().filter((r) => r.eventSource === 'iam.amazonaws.com' && r.requestParameters?.roleName === ROLE && !/^(Get|List)/.test(r.eventName)).map((r) => [r.eventID, r])).values()];

  it('a retention starting at 12:25 folds the creation, the attachment and the opened trust; 12:26 is answered the same', () => {
    const cutoff = '2023-07-10T12:25:00Z';
    const folded = historyAfter(undefined, history.Changes, { retainedFrom: cutoff })!;
    expect(folded.Changes.map((change) => change.EventId).sort()).toEqual(raw.filter((r) => r.eventTime >= cutoff).map((r) => r.eventID).sort());
    expect(folded.Trimmed?.Changes).toBe(raw.filter((r) => r.eventTime < cutoff).length);
    expect(folded.Baselines[0]).toMatchObject({ Source: 'CHECKPOINT', FoldReason: 'RETENTION', Coverage: 'FULL' });
    const at = stateAt(folded, '2023-07-10T12:26:00Z');
    expect(permissions(at)).toEqual(permissions(stateAt(history, '2023-07-10T12:26:00Z')));
    expect(at.AttachedPolicies).toEqual([{ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }]);
    expect(at.ExternalPrincipals.map((principal) => principal.AccountId)).toEqual(['193672423079']);
    const before = stateAt(folded, '2023-07-10T12:24:08Z');
    expect(before).toMatchObject({ Exists: null, Coverage: 'PARTIAL', AttachedPolicies: [] });
    expect(before.CoverageReason).toMatch(/older than the retention/);
  });
});

describe('the stored item', () => {
  it('is measured as DynamoDB measures it (UTF-8) and kept under 400 KB with a margin, bounded further when needed', () => {
    // Multi-byte policy text: 3 UTF-8 bytes per character, so characters undercount the item.
    const changes: IamChange[] = Array.from({ length: 60 }, (_, i) => {
      const text = JSON.stringify({ Statement: [{ Sid: `s${i}`, Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'€'.repeat(9000)}` }] });
      return {
        Entity: { AccountId: ACCOUNT, Type: 'ROLE', Name: 'Big' },
        EventId: `e${i}`,
        Time: new Date(BASE + i * 1000).toISOString(),
        EventName: 'PutRolePolicy',
        By: 'admin',
        Succeeded: true,
        Action: { Kind: 'PUT_INLINE', PolicyName: `p${i}`, Document: { Text: text, Chars: text.length } },
      };
    });
    const history = historyAfter(undefined, changes)!;
    const { item } = historyItem(history.Entity, history, 1);
    expect(itemSize(item)).toBeLessThanOrEqual(MAX_HISTORY_ITEM_BYTES);
    // A tighter cap forces the loop to fold further; the state at the end is the same.
    const { item: small, history: smaller } = historyItem(history.Entity, history, 1, 4096);
    expect(itemSize(small)).toBeLessThanOrEqual(4096);
    const end = new Date(BASE + 120_000).toISOString();
    expect(stateAt(smaller, end).InlinePolicies.map((policy) => policy.PolicyName)).toEqual(stateAt(history, end).InlinePolicies.map((policy) => policy.PolicyName));
  });
});

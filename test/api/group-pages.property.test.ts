import fc from 'fast-check';
import { API_CALL_GROUPS, FLOW_GROUPS, groupPages } from '../../lambdas/api/group-pages';
import type { FlowVolumeGroup } from '../../lambdas/core/graph/flow-volume';
import { MAX_GROUPS, rankedPage } from '../../lambdas/core/graph/group-ranking';
import { ApiError } from '../../lambdas/core/investigation/errors';
import { encodeNextToken, MAX_TOKEN_LENGTH, requestFingerprint } from '../../lambdas/core/investigation/pagination';

/**
 * The volume routes' group tokens (lambdas/api/group-pages.ts): a page's token resumes after its last group,
 * in the ranking as it is when the next page is asked for, only for the same request; any other request, a
 * changed character, or a signed token of any other shape is a 400, never a 5xx.
 */
const KEY = Buffer.alloc(32, 9);
const NOW = Date.parse('2026-12-02T12:00:00Z');
const deps = { tokenKeys: { tokenKey: () => Promise.resolve(KEY) }, now: () => NOW };
const request = fc.record({ groupBy: fc.constantFrom('API', 'SOURCE_IP', 'CALLER'), fromMs: fc.nat(), entity: fc.string({ maxLength: 20 }) });

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.type : 'other';
  }
}

/** A flow group with only what ranks it: bytes (all in), flows, value. */
const flowGroup = (Value: string, bytes: number, flows: number): FlowVolumeGroup =>
  ({ Value, BytesIn: bytes, BytesOut: 0, BytesUnknownDirection: 0, PacketsIn: 0, PacketsOut: 0, PacketsUnknownDirection: 0, AcceptedBytes: bytes, RejectedBytes: 0, Flows: flows, RejectedFlows: 0, Series: [] });

/** The documented flow ranking, written out here: the most bytes, then the most flows, then the value as text. */
const byRank = (a: FlowVolumeGroup, b: FlowVolumeGroup): number => b.BytesIn - a.BytesIn || b.Flows - a.Flows || (a.Value < b.Value ? -1 : a.Value > b.Value ? 1 : 0);

/**
 * Distinct group values, some longer than a token keeps (300 characters sharing a prefix, differing near the
 * end: only the digest tells them apart), few distinct counts so that many groups tie on rank and the value decides.
 */
const groupsArbitrary = fc
  .uniqueArray(fc.oneof(fc.string({ minLength: 0, maxLength: 6 }), fc.string({ minLength: 1, maxLength: 3 }).map((tail) => `${'x'.repeat(300)}${tail}`)), { minLength: 1, maxLength: 260, size: 'max' })
  .chain((values) => fc.tuple(fc.constant(values), fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { minLength: values.length, maxLength: values.length, size: 'max' })))
  .map(([values, counts]) => values.map((value, i) => flowGroup(value, counts[i][0] * 1000, counts[i][1])));

describe('group page tokens', () => {
  it('resume after the last group given, in the ranking as it is when asked, with no group given twice', async () => {
    await fc.assert(
      fc.asyncProperty(request, groupsArbitrary, fc.integer({ min: 1, max: MAX_GROUPS }), fc.array(fc.tuple(fc.nat(), fc.nat(2500), fc.nat(2)), { maxLength: 40, size: 'max' }), fc.boolean(), async (asked, groups, given, growth, csv) => {
        const first = await groupPages(FLOW_GROUPS, { ...asked, nextToken: undefined }, csv, deps);
        expect(first.after).toBeUndefined();
        const before = [...groups].sort(byRank);
        const page1 = before.slice(0, given);
        expect(first.next({ Groups: page1 })).toBeUndefined();
        const token = first.next({ Groups: page1, OtherGroupCount: 1 }) as string;
        const resumed = await groupPages(FLOW_GROUPS, { ...asked, nextToken: token }, csv, deps);
        // Unchanged data: exactly the groups after the page, in order.
        const unchanged = rankedPage([...groups].reverse(), FLOW_GROUPS.placeOf, resumed.after);
        expect(unchanged.page.map((g) => g.Value)).toEqual(before.slice(given, given + MAX_GROUPS).map((g) => g.Value));
        expect(unchanged.following).toBe(Math.max(0, before.length - given - MAX_GROUPS));
        // Late logs only add: some groups grow (any of them, the page's last among them possible).
        const grown = groups.map((g) => ({ ...g }));
        for (const [at, bytes, flows] of growth) Object.assign(grown[at % grown.length], { BytesIn: grown[at % grown.length].BytesIn + bytes, Flows: grown[at % grown.length].Flows + flows });
        const after = rankedPage(grown, FLOW_GROUPS.placeOf, resumed.after);
        const shown = new Set(page1.map((g) => g.Value));
        const last = page1[page1.length - 1];
        const expected = [...grown].sort(byRank).filter((g) => !shown.has(g.Value) && byRank(g, last) > 0);
        expect([...after.page.map((g) => g.Value)]).toEqual(expected.slice(0, MAX_GROUPS).map((g) => g.Value));
        expect(after.following).toBe(Math.max(0, expected.length - MAX_GROUPS));
        // Another operation, CSV or request: refused.
        expect(await refusal(groupPages(API_CALL_GROUPS, { ...asked, nextToken: token }, csv, deps))).toBe('ValidationException');
        expect(await refusal(groupPages(FLOW_GROUPS, { ...asked, nextToken: token }, !csv, deps))).toBe('ValidationException');
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a token of another request', async () => {
    await fc.assert(
      fc.asyncProperty(request, request, async (asked, other) => {
        fc.pre(JSON.stringify(other) !== JSON.stringify(asked));
        const token = (await groupPages(API_CALL_GROUPS, { ...asked, nextToken: undefined }, false, deps)).next({ Groups: [{ Value: 'a', SuccessCount: 1, FailureCount: 0, Series: [] }], OtherGroupCount: 1 }) as string;
        expect(await refusal(groupPages(API_CALL_GROUPS, { ...other, nextToken: token }, false, deps))).toBe('ValidationException');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a token with any one character changed', async () => {
    const asked = { groupBy: 'API' };
    const token = (await groupPages(API_CALL_GROUPS, { ...asked, nextToken: undefined }, false, deps)).next({ Groups: [{ Value: 'ec2:RunInstances', SuccessCount: 4, FailureCount: 1, Series: [] }], OtherGroupCount: 1 }) as string;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom('A', 'b', '0', '-', '_', '.'), async (at, replacement) => {
        fc.pre(token[at] !== replacement);
        const changed = `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
        // The mac's last base64url character carries 2 unused bits: a change there alone decodes to the same mac
        // (the same signed token, harmless). The payload is signed as text: any change to it counts.
        const macBytes = (t: string) => Buffer.from(t.split('.')[1] ?? '', 'base64url').toString('hex');
        fc.pre(at <= token.indexOf('.') || macBytes(changed) !== macBytes(token));
        expect(await refusal(groupPages(API_CALL_GROUPS, { ...asked, nextToken: changed }, false, deps))).toBe('ValidationException');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses malformed tokens, and signed places of any other shape (a leaked key), with a 400', async () => {
    const asked = { groupBy: 'PEER_IP' };
    const fingerprint = requestFingerprint({ operation: FLOW_GROUPS.operation, ...asked, csv: false });
    const place = fc.oneof(
      fc.jsonValue(),
      fc.record({ r: fc.array(fc.oneof(fc.integer(), fc.double(), fc.string()), { maxLength: 3 }), v: fc.oneof(fc.string({ maxLength: 300 }), fc.nat()), h: fc.oneof(fc.string(), fc.constant(undefined)) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 3000 }), place.map((k) => encodeNextToken(k, fingerprint, NOW, KEY))), async (nextToken) => {
        fc.pre(nextToken !== '');
        try {
          const pages = await groupPages(FLOW_GROUPS, { ...asked, nextToken }, false, deps);
          // A place of the right shape is a page like any other: it must page without throwing.
          expect(() => rankedPage([flowGroup('10.0.0.1', 5, 1)], FLOW_GROUPS.placeOf, pages.after)).not.toThrow();
        } catch (error) {
          expect(error instanceof ApiError ? error.type : error).toBe('ValidationException');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps a token under its length limit and resuming after its group, whatever characters the value holds', async () => {
    const asked = { groupBy: 'CALLER' };
    // Lengths around the cut and far beyond it ('max' size: fast-check otherwise keeps strings to a few units).
    const worst = fc.oneof(fc.string({ unit: 'binary', maxLength: 3000, size: 'max' }), fc.string({ unit: fc.constantFrom('\u0001', '\ud800'), minLength: 100, maxLength: 400, size: 'max' }));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(worst, { minLength: 2, maxLength: 8 }), async (values) => {
        const groups = values.map((Value, i) => ({ Value, SuccessCount: i % 2, FailureCount: 0, Series: [] }));
        const ranked = [...groups].sort((a, b) => b.SuccessCount - a.SuccessCount || (a.Value < b.Value ? -1 : a.Value > b.Value ? 1 : 0));
        for (let given = 1; given < ranked.length; given++) {
          const token = (await groupPages(API_CALL_GROUPS, { ...asked, nextToken: undefined }, false, deps)).next({ Groups: ranked.slice(0, given), OtherGroupCount: 1 }) as string;
          expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
          const { after } = await groupPages(API_CALL_GROUPS, { ...asked, nextToken: token }, false, deps);
          expect(rankedPage(groups, API_CALL_GROUPS.placeOf, after).page.map((g) => g.Value)).toEqual(ranked.slice(given).map((g) => g.Value));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an offset token of the earlier format with a message that says to start again', async () => {
    const asked = { groupBy: 'SOURCE_IP' };
    const fingerprint = requestFingerprint({ operation: API_CALL_GROUPS.operation, ...asked, csv: false });
    const old = encodeNextToken({ g: 100 }, fingerprint, NOW, KEY);
    const error = await groupPages(API_CALL_GROUPS, { ...asked, nextToken: old }, false, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).type).toBe('ValidationException');
    expect((error as ApiError).message).toMatch(/first page/);
  });
});

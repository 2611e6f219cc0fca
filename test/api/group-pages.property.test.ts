import fc from 'fast-check';
import { groupPages } from '../../lambdas/api/group-pages';
import { ApiError } from '../../lambdas/core/investigation/errors';

/**
 * The volume routes' group tokens (lambdas/api/group-pages.ts): a page's token resumes after exactly the
 * groups given, only for the same request; any other request, or a changed character, is a 400.
 */
const deps = { tokenKeys: { tokenKey: () => Promise.resolve(Buffer.alloc(32, 9)) }, now: () => Date.parse('2026-12-02T12:00:00Z') };
const request = fc.record({ groupBy: fc.constantFrom('API', 'SOURCE_IP', 'CALLER'), fromMs: fc.nat(), entity: fc.string({ maxLength: 20 }) });

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.type : 'other';
  }
}

describe('group page tokens', () => {
  it('resume after the groups given, for the same request only', async () => {
    await fc.assert(
      fc.asyncProperty(request, request, fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100 }), fc.boolean(), async (asked, other, offset, given, csv) => {
        const first = await groupPages('GetApiCallVolume', { ...asked, nextToken: undefined }, csv, deps);
        expect(first.offset).toBe(0);
        expect(first.next({ Groups: new Array(given).fill({}) })).toBeUndefined();
        const token = first.next({ Groups: new Array(given).fill({}), OtherGroupCount: 1 }) as string;
        const resumed = await groupPages('GetApiCallVolume', { ...asked, nextToken: token }, csv, deps);
        expect(resumed.offset).toBe(given);
        const later = resumed.next({ Groups: new Array(offset % 100 + 1).fill({}), OtherGroupCount: 3 }) as string;
        expect((await groupPages('GetApiCallVolume', { ...asked, nextToken: later }, csv, deps)).offset).toBe(given + (offset % 100) + 1);
        // Another operation, CSV or request: refused.
        expect(await refusal(groupPages('GetFlowVolume', { ...asked, nextToken: token }, csv, deps))).toBe('ValidationException');
        expect(await refusal(groupPages('GetApiCallVolume', { ...asked, nextToken: token }, !csv, deps))).toBe('ValidationException');
        if (JSON.stringify(other) !== JSON.stringify(asked)) expect(await refusal(groupPages('GetApiCallVolume', { ...other, nextToken: token }, csv, deps))).toBe('ValidationException');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a token with any one character changed', async () => {
    const asked = { groupBy: 'API' };
    const token = (await groupPages('GetApiCallVolume', { ...asked, nextToken: undefined }, false, deps)).next({ Groups: [{}], OtherGroupCount: 1 }) as string;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom('A', 'b', '0', '-', '_', '.'), async (at, replacement) => {
        fc.pre(token[at] !== replacement);
        const changed = `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
        // The mac's last base64url character carries 2 unused bits: a change there alone decodes to the same mac
        // (the same signed token, harmless). The payload is signed as text: any change to it counts.
        const macBytes = (t: string) => Buffer.from(t.split('.')[1] ?? '', 'base64url').toString('hex');
        fc.pre(at <= token.indexOf('.') || macBytes(changed) !== macBytes(token));
        expect(await refusal(groupPages('GetApiCallVolume', { ...asked, nextToken: changed }, false, deps))).toBe('ValidationException');
      }),
      { numRuns: 300 },
    );
  });
});

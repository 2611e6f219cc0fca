import { CUT_VALUE_CHARS, cutAt, type GroupPlace, type PageCut } from '../core/graph/group-ranking';
import { flowGroupPlace, type FlowVolumeGroup } from '../core/graph/flow-volume';
import { volumeGroupPlace, type VolumeGroup } from '../core/graph/volume';
import { validationError } from '../core/investigation/errors';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../core/investigation/pagination';

/**
 * Paging of a volume answer's groups (getApiCallVolume, getFlowVolume): MAX_GROUPS per answer, keyset pages.
 * The NextToken carries the place of the page's last group in the ranking (its ranking values and its value,
 * lambdas/core/graph/group-ranking.ts), signed and bound to the request's other parameters (a token from
 * another GroupBy, Filter or scope is a 400, as a forged or expired one). The next page is the groups that
 * rank after that place when it is asked for: see README "Paging a drill-down" for what a late log does.
 */
export interface GroupPages<G> {
  /** Where the previous page ended; undefined on the first page. */
  after?: PageCut;
  /** The token of the page after this one (after its last group), or undefined when no group follows. */
  next(page: { Groups?: readonly G[]; OtherGroupCount?: number }): string | undefined;
}

/** A route's groups: how a group's place is read from the answer, and how many ranking values it has. */
export interface RankedGroups<G> {
  operation: string;
  rankWidth: number;
  placeOf(group: G): GroupPlace;
}

export const API_CALL_GROUPS: RankedGroups<VolumeGroup> = { operation: 'GetApiCallVolume', rankWidth: 1, placeOf: volumeGroupPlace };
export const FLOW_GROUPS: RankedGroups<FlowVolumeGroup> = { operation: 'GetFlowVolume', rankWidth: 2, placeOf: flowGroupPlace };

const DIGEST = /^[A-Za-z0-9_-]{22}$/;

/** A PageCut as a token carries it (short names keep the token short). */
interface TokenCut {
  r: number[];
  v: string;
  h?: string;
}

/** A group-page token's place: exactly `{ r, v }` or `{ r, v, h }`, with `rankWidth` ranking values. */
function isTokenCut(rankWidth: number) {
  return (value: unknown): value is TokenCut => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const { r, v, h, ...others } = value as Record<string, unknown>;
    return (
      Object.keys(others).length === 0 &&
      Array.isArray(r) &&
      r.length === rankWidth &&
      r.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) &&
      typeof v === 'string' &&
      v.length <= CUT_VALUE_CHARS &&
      (h === undefined || (typeof h === 'string' && DIGEST.test(h) && v.length === CUT_VALUE_CHARS))
    );
  };
}

/** The position of tokens issued before keyset paging (a group offset): such a token gets its own message. */
const isOffsetPosition = (value: unknown): value is { g: unknown } => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).join() === 'g';

export async function groupPages<G>(
  groups: RankedGroups<G>,
  request: { nextToken?: string },
  csv: boolean,
  deps: { tokenKeys: { tokenKey(): Promise<Uint8Array> }; now: () => number },
): Promise<GroupPages<G>> {
  const fingerprint = requestFingerprint({ operation: groups.operation, ...request, nextToken: undefined, csv });
  const key = await deps.tokenKeys.tokenKey();
  const isCut = isTokenCut(groups.rankWidth);
  let after: PageCut | undefined;
  if (request.nextToken) {
    const position = decodeNextToken(request.nextToken, fingerprint, deps.now(), key, (value): value is TokenCut | { g: unknown } => isCut(value) || isOffsetPosition(value));
    if (!isCut(position)) throw validationError('The NextToken was issued before drill-down pages were cut by rank; start again from the first page.');
    after = { rank: position.r, value: position.v, ...(position.h ? { digest: position.h } : {}) };
  }
  return {
    ...(after ? { after } : {}),
    next: (page) => {
      const last = page.Groups?.at(-1);
      if (!page.OtherGroupCount || last === undefined) return undefined;
      const cut = cutAt(groups.placeOf(last));
      const carried: TokenCut = { r: cut.rank, v: cut.value, ...(cut.digest ? { h: cut.digest } : {}) };
      return encodeNextToken(carried, fingerprint, deps.now(), key);
    },
  };
}

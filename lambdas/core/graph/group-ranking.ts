import { createHash } from 'node:crypto';

/**
 * The ranking of a drill-down's groups (getApiCallVolume, getFlowVolume) and its keyset pages. A page is cut
 * at a place in the ranking, not at an offset: the next page is the groups that rank strictly after the last
 * group given, in the ranking recomputed when it is asked for. Logs delivered between two requests only raise
 * counts, so a group already given still ranks before the cut and is not given again, whatever moved.
 */

/** Groups per page (the busiest first): a user agent or session per call could otherwise make thousands. */
export const MAX_GROUPS = 100;

/** A group's place: its ranking values (compared in order, the larger first), then its value (the smaller first). */
export interface GroupPlace {
  rank: readonly number[];
  value: string;
}

/**
 * Of a page's cut: the UTF-16 units of the last group's value kept; a longer one is kept with a digest of the
 * whole. Log data may hold control characters, 6 bytes each as JSON (`\u0001`): 128 of them still leave the
 * token well under its limit (MAX_TOKEN_LENGTH, 2,048).
 */
export const CUT_VALUE_CHARS = 128;

/**
 * Where a page ended, as its NextToken carries it. A value longer than CUT_VALUE_CHARS (a caller ARN with a
 * long path can reach a few KB) is cut, with its digest, so the token stays far below its length limit.
 */
export interface PageCut {
  rank: number[];
  value: string;
  digest?: string;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (b[i] ?? 0) - (a[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Negative when `a` ranks before `b`. */
export function compareGroupPlaces(a: GroupPlace, b: GroupPlace): number {
  return compareRanks(a.rank, b.rank) || compareText(a.value, b.value);
}

const digestOf = (value: string): string => createHash('sha256').update(value, 'utf8').digest('base64url').slice(0, 22);

export function cutAt(place: GroupPlace): PageCut {
  const rank = [...place.rank];
  if (place.value.length <= CUT_VALUE_CHARS) return { rank, value: place.value };
  return { rank, value: place.value.slice(0, CUT_VALUE_CHARS), digest: digestOf(place.value) };
}

/**
 * Whether a group ranks strictly after the cut. A cut value is whole unless it has a digest; then `whole` is the
 * value the digest names among today's groups, if any. Without it (the cut group lost its rows: see README
 * "Paging a drill-down"), a group that ties the cut's rank and starts with its kept characters counts as after:
 * given again rather than never.
 */
function isAfter(place: GroupPlace, cut: PageCut, whole: string | undefined): boolean {
  const byRank = compareRanks(place.rank, cut.rank);
  if (byRank !== 0) return byRank > 0;
  if (!cut.digest) return compareText(place.value, cut.value) > 0;
  if (whole !== undefined) return compareText(place.value, whole) > 0;
  return compareText(place.value.slice(0, CUT_VALUE_CHARS), cut.value) >= 0;
}

/**
 * The groups of one page: those after `after` (all without it), the MAX_GROUPS first of them in ranking order;
 * `following`: how many come after the page. Only the page is kept sorted (one comparison with its last for
 * most groups), not the whole ranking: a flow drill-down can have tens of thousands of peers.
 */
export function rankedPage<G>(groups: readonly G[], placeOf: (group: G) => GroupPlace, after?: PageCut): { page: G[]; following: number } {
  const places = groups.map(placeOf);
  const digest = after?.digest;
  const whole = digest && after ? places.find((place) => place.value.length > CUT_VALUE_CHARS && place.value.startsWith(after.value) && digestOf(place.value) === digest)?.value : undefined;
  const kept: number[] = [];
  let candidates = 0;
  for (let i = 0; i < places.length; i++) {
    if (after && !isAfter(places[i], after, whole)) continue;
    candidates++;
    if (kept.length === MAX_GROUPS && compareGroupPlaces(places[i], places[kept[MAX_GROUPS - 1]]) >= 0) continue;
    if (kept.length === MAX_GROUPS) kept.pop();
    // Binary search for the first kept place that ranks after this one.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareGroupPlaces(places[kept[middle]], places[i]) <= 0) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, i);
  }
  return { page: kept.map((i) => groups[i]), following: candidates - kept.length };
}

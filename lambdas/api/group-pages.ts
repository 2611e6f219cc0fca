import { decodeNextToken, encodeNextToken, requestFingerprint } from '../core/investigation/pagination';

/**
 * Paging of a volume answer's groups (getApiCallVolume, getFlowVolume): MAX_GROUPS per answer, the NextToken
 * is the offset of the next group, signed and bound to the request's other parameters (a token from another
 * GroupBy, Filter or scope is a 400, as a forged or expired one).
 */
export interface GroupPages {
  /** The groups the earlier pages gave. */
  offset: number;
  /** The token of the page after this one, or undefined when no group follows. */
  next(page: { Groups?: readonly unknown[]; OtherGroupCount?: number }): string | undefined;
}

/** A group-page token's position: at least one group given, and no absurd offset. */
const isGroupOffset = (value: unknown): value is { g: number } =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  Number.isSafeInteger((value as { g?: unknown }).g) &&
  (value as { g: number }).g > 0 &&
  (value as { g: number }).g <= 10_000_000;

export async function groupPages(
  operation: string,
  request: { nextToken?: string },
  csv: boolean,
  deps: { tokenKeys: { tokenKey(): Promise<Uint8Array> }; now: () => number },
): Promise<GroupPages> {
  const fingerprint = requestFingerprint({ operation, ...request, nextToken: undefined, csv });
  const key = await deps.tokenKeys.tokenKey();
  const offset = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, deps.now(), key, isGroupOffset).g : 0;
  return {
    offset,
    next: (page) => (page.OtherGroupCount ? encodeNextToken({ g: offset + (page.Groups?.length ?? 0) }, fingerprint, deps.now(), key) : undefined),
  };
}

import { searchIncomplete, searchIndexes, type FoundEntity } from '../../core/graph/entity-search';
import { DEFAULT_SEARCH_SCOPE_MS, parseSearchEntities } from '../../core/graph/requests';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../../core/investigation/pagination';
import type { EntityGraphContext } from './graph-reads';
import { indexesOfScope } from './index-reads';
import { mergeAddresses, searchFlowPeers } from '../../core/graph/flow-search';

/**
 * POST /graph/searchEntities: entities of one type whose identifier or name matches a query (wildcards `*` and
 * `?`, case-insensitive; IP addresses also by CIDR), from the hour indexes of every account in the scope. Reads:
 * the accounts registry and accounts × hours index items (Query only).
 */
export interface SearchEntitiesResponse {
  Entities: FoundEntity[];
  NextToken?: string;
  /**
   * Present (true) when an hour index of the scope had dropped a map this search reads (an hour too busy for
   * its index item, see core/storage/hour-index.ts): entities seen only in those hours may be missing.
   */
  Incomplete?: true;
}

/** A page position: the last EntityId returned, and the scope resolved on the first page (a default scope moves with the clock). */
interface SearchPosition {
  a: string;
  f: number;
  t: number;
}

function isSearchPosition(value: unknown): value is SearchPosition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { a, f, t } = value as Record<string, unknown>;
  return Object.keys(value).length === 3 && typeof a === 'string' && Number.isSafeInteger(f) && Number.isSafeInteger(t) && (t as number) > (f as number);
}

export async function searchEntities(body: unknown, context: EntityGraphContext): Promise<SearchEntitiesResponse> {
  const request = parseSearchEntities(body, context);
  const now = context.nowMillis;
  const fingerprint = requestFingerprint({ operation: 'SearchEntities', graphArn: request.graphArn, type: request.entityType, query: request.query, from: request.fromMs, to: request.toMs });
  const key = await context.tokenKey();
  const position = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, key, isSearchPosition) : undefined;
  const fromMs = position?.f ?? request.fromMs ?? now - DEFAULT_SEARCH_SCOPE_MS;
  const toMs = position?.t ?? request.toMs ?? now;
  const indexes = await indexesOfScope(context.reads, fromMs, toMs);
  let found = searchIndexes(indexes, request.entityType, request.query, fromMs, toMs);
  let flowsIncomplete = false;
  if (request.entityType === 'IP_ADDRESS' && context.flows) {
    // The flow peers of the same accounts and hours (indexesOfScope refused a scope over the bound): accounts × hours items more.
    const peerItems = await context.flows.peerItems({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() }, await context.reads.accounts());
    const flowPeers = searchFlowPeers(peerItems, request.query, fromMs, toMs);
    found = mergeAddresses(found, flowPeers.found);
    flowsIncomplete = flowPeers.incomplete;
  }
  const rest = position ? found.filter((entity) => entity.EntityId > position.a) : found;
  const page = rest.slice(0, request.maxResults);
  const last = page[page.length - 1];
  const nextToken = rest.length > page.length && last ? encodeNextToken({ a: last.EntityId, f: fromMs, t: toMs } satisfies SearchPosition, fingerprint, now, key) : undefined;
  return { Entities: page, ...(nextToken ? { NextToken: nextToken } : {}), ...(searchIncomplete(indexes, request.entityType) || flowsIncomplete ? { Incomplete: true as const } : {}) };
}

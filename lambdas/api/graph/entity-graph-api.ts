import { ApiError } from '../../core/investigation/errors';
import type { ApiDependencies } from '../operations';
import type { EntityGraphContext, EntityGraphReads } from './graph-reads';
import { listRelatedEntities, type ListRelatedEntitiesResponse } from './related-entities';
import { searchEntities, type SearchEntitiesResponse } from './search-entities';

/** The graph reads the API is given (built on first use, so the investigation routes need none of their settings). */
export interface EntityGraphDependencies {
  queries: EntityGraphReads;
}

/** searchEntities and listRelatedEntities over the API's dependencies. */
export class EntityGraphApi {
  private built?: EntityGraphDependencies;

  constructor(private readonly deps: ApiDependencies) {}

  private context(): EntityGraphContext {
    const source = this.deps.graph;
    if (!source) throw new ApiError('InternalServerException', 'The graph reads are not configured.');
    this.built ??= typeof source === 'function' ? source() : source;
    return { reads: this.built.queries, nowMillis: this.deps.now?.() ?? Date.now(), maxScopeDays: this.deps.maxScopeDays, tokenKey: () => this.deps.tokenKeys.tokenKey() };
  }

  searchEntities(body: unknown): Promise<SearchEntitiesResponse> {
    return searchEntities(body, this.context());
  }

  listRelatedEntities(body: unknown): Promise<ListRelatedEntitiesResponse> {
    return listRelatedEntities(body, this.context());
  }
}

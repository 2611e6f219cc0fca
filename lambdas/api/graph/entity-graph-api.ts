import { CsvDocument, toCsv } from '../../core/graph/csv';
import { FOUND_ADDRESSES_CSV_HEADER, FOUND_ENTITIES_CSV_HEADER, foundAddressesCsvRows, foundEntitiesCsvRows } from '../../core/graph/entity-search';
import { RELATED_ENTITIES_CSV_HEADER, RELATED_FLOW_CSV_HEADER, relatedEntitiesCsvRows, relatedFlowCsvRows } from '../../core/graph/related';
import { ApiError } from '../../core/investigation/errors';
import type { RequestOptions } from '../graph-operations';
import type { FlowQueries } from '../../queries/flow-queries';
import type { ApiDependencies } from '../operations';
import type { EntityGraphContext, EntityGraphReads } from './graph-reads';
import { listRelatedEntities, type ListRelatedEntitiesResponse } from './related-entities';
import { searchEntities, type SearchEntitiesResponse } from './search-entities';

/** The graph reads the API is given (built on first use, so the investigation routes need none of their settings). */
export interface EntityGraphDependencies {
  queries: EntityGraphReads;
  flows?: FlowQueries;
}

/** searchEntities and listRelatedEntities over the API's dependencies. */
export class EntityGraphApi {
  private built?: EntityGraphDependencies;

  constructor(private readonly deps: ApiDependencies) {}

  private context(): EntityGraphContext {
    const source = this.deps.graph;
    if (!source) throw new ApiError('InternalServerException', 'The graph reads are not configured.');
    this.built ??= typeof source === 'function' ? source() : source;
    return { reads: this.built.queries, ...(this.built.flows ? { flows: this.built.flows } : {}), nowMillis: this.deps.now?.() ?? Date.now(), maxScopeDays: this.deps.maxScopeDays, tokenKey: () => this.deps.tokenKeys.tokenKey() };
  }

  /** With `Accept: text/csv`, the page as CSV; its NextToken goes in the `x-next-token` header. */
  async searchEntities(body: unknown, options: RequestOptions = { csv: false }): Promise<SearchEntitiesResponse | CsvDocument> {
    const response = await searchEntities(body, this.context());
    if (!options.csv) return response;
    // The type comes from a body searchEntities accepted: every page of an address search has the Sources column.
    const addresses = (body as { EntityType?: unknown }).EntityType === 'IP_ADDRESS';
    const csv = addresses ? toCsv(FOUND_ADDRESSES_CSV_HEADER, foundAddressesCsvRows(response.Entities)) : toCsv(FOUND_ENTITIES_CSV_HEADER, foundEntitiesCsvRows(response.Entities));
    return new CsvDocument(csv, response.NextToken, response.Incomplete);
  }

  async listRelatedEntities(body: unknown, options: RequestOptions = { csv: false }): Promise<ListRelatedEntitiesResponse | CsvDocument> {
    const response = await listRelatedEntities(body, this.context());
    if (!options.csv) return response;
    // Instances related to an address are its flow peers (FLOW_PEER): their flow counts get columns, on every page.
    const flowPeers = (body as { EntityType?: unknown; RelatedEntityType?: unknown }).EntityType === 'IP_ADDRESS' && (body as { RelatedEntityType?: unknown }).RelatedEntityType === 'EC2_INSTANCE';
    const csv = flowPeers ? toCsv(RELATED_FLOW_CSV_HEADER, relatedFlowCsvRows(response.Entities)) : toCsv(RELATED_ENTITIES_CSV_HEADER, relatedEntitiesCsvRows(response.Entities));
    return new CsvDocument(csv, response.NextToken, response.Incomplete);
  }
}

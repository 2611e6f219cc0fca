import type { FlowQueries } from '../../queries/flow-queries';
import type { TrailQueries } from '../../queries/trail-queries';

/**
 * What searchEntities and listRelatedEntities read, as a port over TrailQueries (Query and GetItem on keys,
 * ranged GETs of one principal-hour's events): tests give an in-memory stand-in.
 */
export type EntityGraphReads = Pick<
  TrailQueries,
  'accounts' | 'hourIndexes' | 'hourItems' | 'eventsOfItem' | 'sessionsOfIssuer' | 'sessionsOfRole' | 'chain' | 'sessionsFromOrigin' | 'sessionActivity'
>;

export interface EntityGraphContext {
  reads: EntityGraphReads;
  nowMillis: number;
  maxScopeDays: number;
  tokenKey: () => Promise<Uint8Array>;
  /** The VPC flow-log reads: IP_ADDRESS → EC2_INSTANCE relations (not served without them). */
  flows?: FlowQueries;
}

/** Account-hour index items one request may read (accounts × hours of the scope): the bound of a value lookup. */
export const MAX_INDEX_ITEMS_PER_REQUEST = 5_000;

export const CONCURRENT_READS = 8;

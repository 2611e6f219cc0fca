import type { ListCursor } from './listing';
import type { IndicatorKey } from './indicators';
import type { Indicator, Investigation, InvestigationExecutionInput, Severity, State } from './model';
import type { InvestigationFilter, InvestigationSort } from './requests';

/**
 * The two ports the API depends on, so that handlers run unchanged on DynamoDB + Step Functions in AWS and
 * on the embedded servers + a local state machine runner in local mode.
 */

/**
 * Launches the analysis of a new investigation: Step Functions `StartExecution` in AWS (execution name =
 * investigation id, so a retried start cannot run twice), a local ASL runner in local mode.
 */
export interface InvestigationRunner {
  start(investigationId: string, input: InvestigationExecutionInput): Promise<void>;
}

/**
 * The key that signs NextTokens (HMAC-SHA256). One key for the whole deployment, since the next page may be
 * served by another function instance: in AWS and locally it is a random key kept in the Investigations table
 * (see InvestigationStore.tokenKey), so it needs no grant beyond those the API already has.
 */
export interface TokenKeySource {
  tokenKey(): Promise<Uint8Array>;
}

/** Where a ListInvestigations page ended (see core/investigation/listing.ts). */
export type ListPosition = ListCursor;

export interface ListInvestigationsQuery {
  filter: InvestigationFilter;
  sort: InvestigationSort;
  maxResults: number;
  after?: ListPosition;
}

export interface ListIndicatorsQuery {
  indicatorType?: Indicator['IndicatorType'];
  maxResults: number;
  after?: IndicatorKey;
}

export interface Page<T, P> {
  items: T[];
  /** Present only when more items may follow. */
  next?: P;
}

/** Raised by the store for a write to an investigation that does not exist. */
export class InvestigationNotFoundError extends Error {
  constructor(readonly investigationId: string) {
    super(`Investigation ${investigationId} does not exist.`);
    this.name = 'InvestigationNotFoundError';
  }
}

/** Raised when an investigation id is already taken (the create is conditional). */
export class InvestigationExistsError extends Error {
  constructor(readonly investigationId: string) {
    super(`Investigation ${investigationId} already exists.`);
    this.name = 'InvestigationExistsError';
  }
}

export interface InvestigationRepository {
  createInvestigation(investigation: Investigation): Promise<void>;
  getInvestigation(investigationId: string): Promise<Investigation | undefined>;
  listInvestigations(query: ListInvestigationsQuery): Promise<Page<Investigation, ListPosition>>;
  updateState(investigationId: string, state: State): Promise<Investigation>;
  putIndicators(investigationId: string, indicators: readonly Indicator[]): Promise<void>;
  completeInvestigation(investigationId: string, severity: Severity): Promise<void>;
  failInvestigation(investigationId: string, reason: string): Promise<void>;
  listIndicators(investigationId: string, query: ListIndicatorsQuery): Promise<Page<Indicator, IndicatorKey>>;
}

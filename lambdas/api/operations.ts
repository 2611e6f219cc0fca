import { ApiError, investigationNotFound } from '../core/investigation/errors';
import { isIndicatorKeyFor } from '../core/investigation/indicators';
import { isPositionFor, planListing } from '../core/investigation/listing';
import type { Investigation } from '../core/investigation/model';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../core/investigation/pagination';
import { InvestigationNotFoundError, type InvestigationRepository, type InvestigationRunner, type TokenKeySource } from '../core/investigation/ports';
import { parseGetInvestigation, parseListIndicators, parseListInvestigations, parseStartInvestigation, parseUpdateInvestigationState } from '../core/investigation/requests';
import {
  toGetInvestigationResponse,
  toInvestigationDetail,
  type GetInvestigationResponse,
  type ListIndicatorsResponse,
  type ListInvestigationsResponse,
  type StartInvestigationResponse,
} from '../core/investigation/responses';
import { InvestigationStartFailedError, startInvestigation } from '../core/investigation/start-investigation';
import { log } from '../shared/log';
import type { GraphDependencies } from './graph-operations';
import { profileDependenciesFromEnv, type ProfileDependencies } from './graph/dependencies';
import { findingListingFromEnv } from '../adapters/findings/listing';
import type { FindingListReads, ListFindingsDependencies } from './graph/list-findings';

/** The five operations of Detective's Investigation API, over the repository and runner ports. */
export interface ApiDependencies {
  store: InvestigationRepository;
  runner: InvestigationRunner;
  /** Signs and verifies NextTokens. */
  tokenKeys: TokenKeySource;
  /** Longest accepted ScopeEndTime − ScopeStartTime, in days. */
  maxScopeDays: number;
  /** The graph routes' reads (built on first use, so the investigation routes need none of their settings). */
  graph?: GraphDependencies | (() => GraphDependencies);
  now?: () => number;
  /** What the profile and summary routes read; by default built from the environment on first use (see graph/dependencies.ts). */
  profiles?: () => ProfileDependencies;
  /** The list of GuardDuty findings (POST /graph/listFindings); by default the Findings table named in the environment. */
  findingList?: () => FindingListReads;
}

export class InvestigationApi {
  constructor(private readonly deps: ApiDependencies) {}

  /** Dependencies of the profile and summary routes, built on first use (the investigation routes never need them). */
  profiles(): ProfileDependencies {
    return this.deps.profiles?.() ?? profileDependenciesFromEnv(this.deps.store, this.deps.maxScopeDays, () => this.now());
  }

  /** Dependencies of listFindings, built on first use. */
  findingList(): ListFindingsDependencies {
    return { listing: this.deps.findingList?.() ?? findingListingFromEnv(), tokenKeys: this.deps.tokenKeys, now: () => this.now() };
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async startInvestigation(body: unknown): Promise<StartInvestigationResponse> {
    const request = parseStartInvestigation(body, { nowMillis: this.now(), maxScopeDays: this.deps.maxScopeDays });
    try {
      // The same path as the GuardDuty trigger: create the item, then start the execution named after it.
      const { investigationId, entityArn } = await startInvestigation(request, { store: this.deps.store, runner: this.deps.runner, now: () => this.now() });
      log.info('investigation started', { investigationId, entityArn });
      return { InvestigationId: investigationId };
    } catch (error) {
      if (!(error instanceof InvestigationStartFailedError)) throw error;
      log.error('could not start the investigation state machine', { investigationId: error.investigationId, error: error.reason });
      throw new ApiError('InternalServerException', 'The investigation could not be started; it has been marked FAILED. Retry later.');
    }
  }

  private async existing(investigationId: string): Promise<Investigation> {
    const investigation = await this.deps.store.getInvestigation(investigationId);
    if (!investigation) throw investigationNotFound(investigationId);
    return investigation;
  }

  async getInvestigation(body: unknown): Promise<GetInvestigationResponse> {
    const request = parseGetInvestigation(body);
    return toGetInvestigationResponse(await this.existing(request.investigationId), request.graphArn);
  }

  async listInvestigations(body: unknown): Promise<ListInvestigationsResponse> {
    const request = parseListInvestigations(body);
    const now = this.now();
    const fingerprint = requestFingerprint({ operation: 'ListInvestigations', graphArn: request.graphArn, filter: request.filter, sort: request.sort });
    const key = await this.deps.tokenKeys.tokenKey();
    const after = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, key, isPositionFor(planListing(request.filter, request.sort))) : undefined;
    const page = await this.deps.store.listInvestigations({ filter: request.filter, sort: request.sort, maxResults: request.maxResults, after });
    return {
      InvestigationDetails: page.items.map(toInvestigationDetail),
      ...(page.next ? { NextToken: encodeNextToken(page.next, fingerprint, now, key) } : {}),
    };
  }

  async listIndicators(body: unknown): Promise<ListIndicatorsResponse> {
    const request = parseListIndicators(body);
    const now = this.now();
    const fingerprint = requestFingerprint({ operation: 'ListIndicators', graphArn: request.graphArn, investigationId: request.investigationId, indicatorType: request.indicatorType });
    // Validate the token before any read, so a bad token is a 400 whatever the investigation.
    const key = await this.deps.tokenKeys.tokenKey();
    const after = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, key, isIndicatorKeyFor(request.investigationId, request.indicatorType)) : undefined;
    const investigation = await this.existing(request.investigationId);
    const page = await this.deps.store.listIndicators(request.investigationId, { indicatorType: request.indicatorType, maxResults: request.maxResults, after });
    const graphArn = request.graphArn ?? investigation.graphArn;
    return {
      ...(graphArn ? { GraphArn: graphArn } : {}),
      InvestigationId: request.investigationId,
      ...(page.next ? { NextToken: encodeNextToken(page.next, fingerprint, now, key) } : {}),
      Indicators: page.items,
    };
  }

  async updateInvestigationState(body: unknown): Promise<undefined> {
    const request = parseUpdateInvestigationState(body);
    try {
      await this.deps.store.updateState(request.investigationId, request.state);
    } catch (error) {
      if (error instanceof InvestigationNotFoundError) throw investigationNotFound(request.investigationId);
      throw error;
    }
    return undefined;
  }
}

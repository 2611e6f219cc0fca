import { ApiError, investigationNotFound } from '../core/investigation/errors';
import { newInvestigationId } from '../core/investigation/ids';
import { isIndicatorKeyFor } from '../core/investigation/indicators';
import { isPositionFor } from '../core/investigation/listing';
import type { Investigation } from '../core/investigation/model';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../core/investigation/pagination';
import { InvestigationExistsError, InvestigationNotFoundError, type InvestigationRepository, type InvestigationRunner } from '../core/investigation/ports';
import { parseGetInvestigation, parseListIndicators, parseListInvestigations, parseStartInvestigation, parseUpdateInvestigationState } from '../core/investigation/requests';
import {
  toGetInvestigationResponse,
  toInvestigationDetail,
  type GetInvestigationResponse,
  type ListIndicatorsResponse,
  type ListInvestigationsResponse,
  type StartInvestigationResponse,
} from '../core/investigation/responses';
import { errorMessage, log } from '../shared/log';

/** The five operations of Detective's Investigation API, over the repository and runner ports. */
export interface ApiDependencies {
  store: InvestigationRepository;
  runner: InvestigationRunner;
  /** Longest accepted ScopeEndTime − ScopeStartTime, in days. */
  maxScopeDays: number;
  now?: () => number;
}

/** A fresh id collides only within one millisecond and a 1-in-10^8 draw; a few attempts are plenty. */
const ID_ATTEMPTS = 3;

export class InvestigationApi {
  constructor(private readonly deps: ApiDependencies) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async startInvestigation(body: unknown): Promise<StartInvestigationResponse> {
    const request = parseStartInvestigation(body, { nowMillis: this.now(), maxScopeDays: this.deps.maxScopeDays });
    let investigation: Investigation | undefined;
    for (let attempt = 1; !investigation; attempt++) {
      const now = this.now();
      const candidate: Investigation = {
        investigationId: newInvestigationId(now),
        ...(request.graphArn ? { graphArn: request.graphArn } : {}),
        entityArn: request.entityArn,
        entityType: request.entityType,
        status: 'RUNNING',
        state: 'ACTIVE',
        // Until the state machine scores the indicators.
        severity: 'INFORMATIONAL',
        createdTime: new Date(now).toISOString(),
        scopeStartTime: request.scopeStartTime,
        scopeEndTime: request.scopeEndTime,
      };
      try {
        await this.deps.store.createInvestigation(candidate);
        investigation = candidate;
      } catch (error) {
        if (!(error instanceof InvestigationExistsError) || attempt >= ID_ATTEMPTS) throw error;
      }
    }
    const { investigationId, entityArn, entityType, scopeStartTime, scopeEndTime } = investigation;
    try {
      // The item exists before the execution starts, so the state machine always finds what it updates.
      await this.deps.runner.start(investigationId, { investigationId, entityArn, entityType, scopeStartTime, scopeEndTime });
    } catch (error) {
      log.error('could not start the investigation state machine', { investigationId, error: errorMessage(error) });
      // Record why, so the investigation does not stay RUNNING forever; then report a server-side failure.
      await this.deps.store.failInvestigation(investigationId, `could not start the analysis: ${errorMessage(error)}`).catch(() => undefined);
      throw new ApiError('InternalServerException', 'The investigation could not be started; it has been marked FAILED. Retry later.');
    }
    log.info('investigation started', { investigationId, entityArn });
    return { InvestigationId: investigationId };
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
    const after = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, isPositionFor(request.sort)) : undefined;
    const page = await this.deps.store.listInvestigations({ filter: request.filter, sort: request.sort, maxResults: request.maxResults, after });
    return {
      InvestigationDetails: page.items.map(toInvestigationDetail),
      ...(page.next ? { NextToken: encodeNextToken(page.next, fingerprint, now) } : {}),
    };
  }

  async listIndicators(body: unknown): Promise<ListIndicatorsResponse> {
    const request = parseListIndicators(body);
    const now = this.now();
    const fingerprint = requestFingerprint({ operation: 'ListIndicators', graphArn: request.graphArn, investigationId: request.investigationId, indicatorType: request.indicatorType });
    // Validate the token before any read, so a bad token is a 400 whatever the investigation.
    const after = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, isIndicatorKeyFor(request.investigationId, request.indicatorType)) : undefined;
    const investigation = await this.existing(request.investigationId);
    const page = await this.deps.store.listIndicators(request.investigationId, { indicatorType: request.indicatorType, maxResults: request.maxResults, after });
    const graphArn = request.graphArn ?? investigation.graphArn;
    return {
      ...(graphArn ? { GraphArn: graphArn } : {}),
      InvestigationId: request.investigationId,
      ...(page.next ? { NextToken: encodeNextToken(page.next, fingerprint, now) } : {}),
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

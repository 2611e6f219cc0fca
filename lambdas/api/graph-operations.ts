import { ApiError, notFound, validationError } from '../core/investigation/errors';
import { CsvDocument, toCsv } from '../core/graph/csv';
import { compareCalls, evidenceCriteria, indicatorMatches, isAfter, isEvidence, type EvidenceCall, type EvidencePosition } from '../core/graph/evidence';
import { flowEvidencePage, isEvidencePagePosition, pagePosition, type ListPosition } from '../core/graph/evidence-page';
import { parseGetApiCallVolume, parseListIndicatorEvidence, type ListIndicatorEvidenceRequest } from '../core/graph/requests';
import { volumeCsvRows, type ApiCallVolumeResponse } from '../core/graph/volume';
import { parseGetFlowVolume } from '../core/graph/requests';
import { flowVolume, flowVolumeCsvRows, type FlowVolumeResponse } from '../core/graph/flow-volume';
import type { FlowQueries } from '../queries/flow-queries';
import { indicatorSortKey } from '../core/investigation/indicators';
import type { Indicator, Investigation } from '../core/investigation/model';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../core/investigation/pagination';
import { apiCallVolume } from '../queries/api-call-volume';
import { API_CALL_GROUPS, FLOW_GROUPS, groupPages } from './group-pages';
import { callsOf, investigationSourcesOf } from '../queries/entity-calls';
import type { TrailQueries } from '../queries/trail-queries';
import { EVIDENCE_CSV_HEADER, evidenceCsvRows, evidenceEvents, type EvidenceEvent, type EvidenceReads } from './indicator-evidence';
import type { ApiDependencies } from './operations';
import { listPermissionEvidence, withPermissionFacts, type ListPermissionEvidenceResponse } from './permission-evidence';
import { FLOW_EVIDENCE_CSV_HEADER, flowEvidenceCsvRows, type FlowEvidence } from '../core/flowlogs/flow-evidence';
import { flowEvidenceOf } from '../queries/flow-evidence';
import { instancesOfSessions } from '../queries/instance-network';

/**
 * The graph routes (`/graph/*`) and the indicator evidence route: reads of the activity tables and the index
 * bucket through TrailQueries (Query and GetItem on keys, ranged GETs of one principal-hour), and of the
 * user's log objects for evidence records.
 */
export interface GraphDependencies {
  queries: TrailQueries;
  recordsAt: EvidenceReads['recordsAt'];
  /** The VPC flow-log reads (same Activity table); getFlowVolume answers 500 "not configured" without them. */
  flows?: FlowQueries;
}

export interface ListIndicatorEvidenceResponse {
  GraphArn?: string;
  InvestigationId: string;
  IndicatorType: string;
  IndicatorIndex: number;
  Indicator: Indicator;
  /** Calls of the indicator in all (this page holds at most MaxResults of them). */
  TotalCount: number;
  Events: EvidenceEvent[];
  /**
   * FLAGGED_IP_ADDRESS only: the VPC flows between the address and the instances the entity's sessions ran on,
   * per instance, interface and hour (an address flagged from flow logs may have no API call). Paged with the
   * events: at most MaxResults per page, until the NextToken says they are done.
   */
  FlowEvidence?: FlowEvidence[];
  /** Flow evidence rows in all (this page holds at most MaxResults of them). */
  FlowEvidenceCount?: number;
  NextToken?: string;
}

export interface RequestOptions {
  csv: boolean;
}

export class GraphApi {
  private graphDeps?: GraphDependencies;

  constructor(private readonly deps: ApiDependencies) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private graph(): GraphDependencies {
    const source = this.deps.graph;
    if (!source) throw new ApiError('InternalServerException', 'The graph reads are not configured.');
    this.graphDeps ??= typeof source === 'function' ? source() : source;
    return this.graphDeps;
  }

  async getApiCallVolume(body: unknown, options: RequestOptions): Promise<ApiCallVolumeResponse | CsvDocument> {
    const request = parseGetApiCallVolume(body, { nowMillis: this.now(), maxScopeDays: this.deps.maxScopeDays });
    // Groups beyond MAX_GROUPS come in pages (group-pages.ts).
    const pages = await groupPages(API_CALL_GROUPS, request, options.csv, { tokenKeys: this.deps.tokenKeys, now: () => this.now() });
    const page = await apiCallVolume(this.graph().queries, request, pages.after);
    const nextToken = pages.next(page);
    const response = { ...page, ...(nextToken ? { NextToken: nextToken } : {}) };
    if (!options.csv) return response;
    const { header, rows } = volumeCsvRows(response);
    return new CsvDocument(toCsv(header, rows), nextToken);
  }

  /**
   * An instance's flow volume reads its interfaces' hour items; an address's reads the peer index of each
   * account-hour (which interfaces talked to it), then those interfaces' hour items: Query on keys only.
   */
  async getFlowVolume(body: unknown, options: RequestOptions): Promise<FlowVolumeResponse | CsvDocument> {
    const request = parseGetFlowVolume(body, { nowMillis: this.now(), maxScopeDays: this.deps.maxScopeDays });
    const flows = this.graph().flows;
    if (!flows) throw new ApiError('InternalServerException', 'The flow-log reads are not configured.');
    const scope = { from: new Date(request.fromMs).toISOString(), to: new Date(request.toMs).toISOString() };
    const interfaceIds =
      request.entity.type === 'EC2_INSTANCE' ? await flows.interfacesOf(request.entity.id) : [...new Set((await flows.peers(request.entity.id, scope)).interfaces.map((view) => view.interfaceId))];
    // Groups beyond MAX_GROUPS come in pages (group-pages.ts).
    const pages = await groupPages(FLOW_GROUPS, request, options.csv, { tokenKeys: this.deps.tokenKeys, now: () => this.now() });
    const { from, to, items } = await flows.interfaceItems(interfaceIds, scope);
    const page = flowVolume(items, request, { from, to }, pages.after);
    const nextToken = pages.next(page);
    const response = { ...page, ...(nextToken ? { NextToken: nextToken } : {}) };
    if (!options.csv) return response;
    const { header, rows } = flowVolumeCsvRows(response);
    return new CsvDocument(toCsv(header, rows), nextToken);
  }

  /** The indicator a request names (by index within its type, or the first whose detail matches), and its index. */
  private async indicatorOf(request: ListIndicatorEvidenceRequest): Promise<{ indicator: Indicator; index: number }> {
    const { investigationId, indicatorType: type } = request;
    if (request.match === undefined) {
      const index = request.indicatorIndex ?? 0;
      // Keys are `<type>#<sequence>` with no gaps: the one after sequence index-1 is the index-th.
      const after = index > 0 ? { investigationId, sk: indicatorSortKey(type, index - 1) } : undefined;
      const page = await this.deps.store.listIndicators(investigationId, { indicatorType: type, maxResults: 1, ...(after ? { after } : {}) });
      if (page.items.length === 0) throw notFound(`Investigation ${investigationId} has no ${type} indicator at index ${index}.`);
      return { indicator: page.items[0], index };
    }
    let index = 0;
    let after: Parameters<ApiDependencies['store']['listIndicators']>[1]['after'];
    do {
      const page = await this.deps.store.listIndicators(investigationId, { indicatorType: type, maxResults: 100, ...(after ? { after } : {}) });
      for (const indicator of page.items) {
        if (indicatorMatches(indicator, request.match)) return { indicator, index };
        index++;
      }
      after = page.next;
    } while (after);
    throw notFound(`Investigation ${investigationId} has no ${type} indicator matching the given Match.`);
  }

  /**
   * EvidenceKind EVENTS (the default) pages the indicator's calls and, for a flagged address, its flow rows with
   * them; its CSV holds the events. FLOWS pages the flow rows only (Events stays empty, TotalCount still counts
   * the calls), and its CSV holds them.
   */
  async listIndicatorEvidence(body: unknown, options: RequestOptions): Promise<ListIndicatorEvidenceResponse | CsvDocument> {
    const request = parseListIndicatorEvidence(body);
    const now = this.now();
    const { graphArn, investigationId, indicatorType, indicatorIndex, match, evidenceKind } = request;
    const flowsOnly = evidenceKind === 'FLOWS';
    // The kind is bound only when FLOWS: an EVENTS token issued before the field existed keeps its fingerprint,
    // and a token of one kind is refused for the other.
    const fingerprint = requestFingerprint({ operation: 'ListIndicatorEvidence', graphArn, investigationId, indicatorType, indicatorIndex, match, csv: options.csv, ...(flowsOnly ? { evidenceKind } : {}) });
    const key = await this.deps.tokenKeys.tokenKey();
    // One token pages both lists (evidence-page.ts); a bad, foreign or expired token is a 400.
    const position = request.nextToken ? pagePosition(decodeNextToken(request.nextToken, fingerprint, now, key, isEvidencePagePosition)) : undefined;
    const investigation = await this.existing(investigationId);
    const { indicator, index } = await this.indicatorOf(request);
    const address = indicator.IndicatorDetail.FlaggedIpAddressDetail?.IpAddress;
    if (flowsOnly && !address) throw validationError('This FLAGGED_IP_ADDRESS indicator names no address, so it has no flow evidence.');
    const criteria = evidenceCriteria(indicator);
    if (!criteria) throw validationError(`This ${indicatorType} indicator names no API calls (an ASN, a finding group, or no address), so it has no event evidence.`);
    const { queries, recordsAt } = this.graph();
    const from = investigation.scopeStartTime;
    const to = investigation.scopeEndTime;
    const sources = await investigationSourcesOf(queries, investigation.entityType, investigation.entityArn, from, to);
    // The flow CSV has no use for the calls; FLOWS in JSON still counts them (TotalCount) but gives none.
    const calls: EvidenceCall[] = flowsOnly && options.csv ? [] : (await callsOf(queries, sources, Date.parse(from), Date.parse(to))).filter((call) => isEvidence(call, criteria)).sort(compareCalls);
    const afterEvent = flowsOnly ? 'done' : position?.e;
    const rest = afterEvent === 'done' ? [] : afterEvent ? calls.filter((call) => isAfter(call, afterEvent)) : calls;
    const page = rest.slice(0, request.maxResults);
    // An IAM change event carries the permission facts it produced (issue 11): additive, the shapes stay.
    const events = await withPermissionFacts(await evidenceEvents(page, { hourObjects: (account, hour) => queries.hourObjects(account, hour), recordsAt }), queries, to);
    const last = page[page.length - 1];
    const eventsNext: ListPosition<EvidencePosition> = rest.length > page.length && last ? { t: last.hourStart + last.event.t, id: last.event.id } : 'done';
    if (options.csv && !flowsOnly) return new CsvDocument(toCsv(EVIDENCE_CSV_HEADER, evidenceCsvRows(events)), eventsNext === 'done' ? undefined : encodeNextToken({ e: eventsNext, f: 'done' }, fingerprint, now, key));
    const flows = this.graph().flows;
    if (flowsOnly && !flows) throw new ApiError('InternalServerException', 'The flow-log reads are not configured.');
    const instances = instancesOfSessions(sources.flatMap((source) => [...(source.sessions?.values() ?? [])]));
    const afterFlow = position?.f;
    const allFlows = indicatorType === 'FLAGGED_IP_ADDRESS' && address && flows && afterFlow !== 'done' ? await flowEvidenceOf(flows, instances, address, { from, to }) : undefined;
    const flowPage = allFlows ? flowEvidencePage(allFlows, afterFlow === 'done' ? undefined : afterFlow, request.maxResults) : undefined;
    const flowsNext = flowPage?.next ?? 'done';
    const nextToken = eventsNext !== 'done' || flowsNext !== 'done' ? encodeNextToken({ e: eventsNext, f: flowsNext }, fingerprint, now, key) : undefined;
    if (options.csv) return new CsvDocument(toCsv(FLOW_EVIDENCE_CSV_HEADER, flowEvidenceCsvRows(flowPage?.rows ?? [])), nextToken);
    const graph = graphArn ?? investigation.graphArn;
    return {
      ...(graph ? { GraphArn: graph } : {}),
      InvestigationId: investigationId,
      IndicatorType: indicatorType,
      IndicatorIndex: index,
      Indicator: indicator,
      TotalCount: calls.length,
      Events: events,
      ...(allFlows && flowPage ? { FlowEvidence: flowPage.rows, FlowEvidenceCount: allFlows.length } : {}),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  /** POST /investigations/listPermissionEvidence (permission-evidence.ts). */
  async listPermissionEvidence(body: unknown): Promise<ListPermissionEvidenceResponse> {
    const { queries, recordsAt } = this.graph();
    return listPermissionEvidence({ getInvestigation: (id) => this.deps.store.getInvestigation(id), tokenKey: () => this.deps.tokenKeys.tokenKey(), now: () => this.now(), queries, recordsAt }, body);
  }

  private async existing(investigationId: string): Promise<Investigation> {
    const investigation = await this.deps.store.getInvestigation(investigationId);
    if (!investigation) throw notFound(`Investigation ${investigationId} does not exist.`);
    return investigation;
  }
}

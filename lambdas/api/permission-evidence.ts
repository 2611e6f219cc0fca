import { createHash } from 'node:crypto';
import type { CloudTrailRecord } from '../core/cloudtrail/types';
import { isEvidencePosition, type EvidenceCall, type EvidencePosition } from '../core/graph/evidence';
import { parseListPermissionEvidence } from '../core/graph/permission-evidence-request';
import { entityKey, IAM_EVENT_SOURCE, iamChangesOf } from '../core/iam/events';
import { callerSubjectOf, changeFact, factKey, factTime, scopeFacts, type PermissionFact } from '../core/iam/permission-facts';
import { permissionsInScope, type PermissionsInScope } from '../core/iam/scope-report';
import { snapshotBaseline, type IamSnapshot } from '../core/iam/snapshot';
import type { StateOptions } from '../core/iam/state';
import type { EntityHistory } from '../core/iam/types';
import { notFound } from '../core/investigation/errors';
import type { Investigation } from '../core/investigation/model';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../core/investigation/pagination';
import { HOUR_MS } from '../core/storage/hours';
import { callsOf } from '../queries/entity-calls';
import { historyOf, investigationSessions, scopeEntities } from '../queries/scope-permissions';
import type { TrailQueries } from '../queries/trail-queries';
import { errorMessage, log } from '../shared/log';
import { evidenceEvents, type EvidenceEvent, type EvidenceReads } from './indicator-evidence';

/**
 * Permission facts as evidence (issue 11). Detective's indicator types stay as they are; the facts ride beside
 * them:
 * - `listIndicatorEvidence`: an event that is an IAM change (e.g. the `iam:AttachRolePolicy` calls of a
 *   TTP_OBSERVED indicator) carries `PermissionFacts`, what it did to each entity it changed, read from its
 *   record and the entity's stored history (for the trust policy before it).
 * - `POST /investigations/listPermissionEvidence`: the investigation's facts (what the entity and its chains'
 *   roles held when the scope began, each with the change that granted it, and every change made to them in the
 *   scope), each with its raw event read back from the log object, as indicator evidence is.
 */
export interface FactWithEvent extends PermissionFact {
  /** The raw event the fact names (EventId), found through its caller's compact events. Absent: not found (see README). */
  Event?: EvidenceEvent;
}

export type EntityPermissions = Omit<PermissionsInScope, 'Changes'>;

export interface ListPermissionEvidenceResponse {
  GraphArn?: string;
  InvestigationId: string;
  /** The investigated entity first, then the roles of its chains: their permissions during the scope. */
  Entities: EntityPermissions[];
  /** Facts in all pages. */
  TotalCount: number;
  Facts: FactWithEvent[];
  NextToken?: string;
}

export interface PermissionEvidenceDependencies {
  getInvestigation(investigationId: string): Promise<Investigation | undefined>;
  tokenKey(): Promise<Uint8Array>;
  now(): number;
  queries: TrailQueries;
  recordsAt: EvidenceReads['recordsAt'];
}

/** Histories of a page's IAM entities, read once each (GetItem); a damaged item is as good as none. */
class HistoryReads {
  private readonly histories = new Map<string, Promise<EntityHistory | undefined>>();
  private readonly snapshots = new Map<string, Promise<IamSnapshot | undefined>>();
  private accounts?: Promise<string[]>;

  constructor(
    private readonly queries: TrailQueries,
    private readonly atTime: string,
  ) {}

  history(ref: EntityHistory['Entity']): Promise<EntityHistory | undefined> {
    const key = entityKey(ref);
    if (!this.histories.has(key)) {
      this.histories.set(
        key,
        this.queries.iam.history(ref).catch((error: unknown) => {
          log.warn('IAM history unreadable', { entity: key, error: errorMessage(error) });
          return undefined;
        }),
      );
    }
    return this.histories.get(key)!;
  }

  async options(ref: EntityHistory['Entity']): Promise<StateOptions> {
    this.accounts ??= this.queries.accounts();
    if (!this.snapshots.has(ref.AccountId)) this.snapshots.set(ref.AccountId, this.queries.iam.snapshotAt(ref.AccountId, this.atTime).catch(() => undefined));
    const [accounts, snapshot] = await Promise.all([this.accounts, this.snapshots.get(ref.AccountId)!]);
    const baseline = snapshot && snapshotBaseline(snapshot, ref);
    return { ...(baseline ? { baselines: [baseline] } : {}), ...(accounts.length > 1 ? { orgAccountIds: new Set(accounts) } : {}) };
  }
}

/** At most this many entity histories are read for one evidence page (50 events, an event changes at most two). */
const MAX_ENTITIES_PER_PAGE = 100;

/**
 * The page's events, those that are IAM changes with the facts they produced. Needs the record (FOUND): it
 * names the entity; an event whose record is gone keeps no facts.
 */
export async function withPermissionFacts(events: readonly EvidenceEvent[], queries: TrailQueries, atTime: string): Promise<EvidenceEvent[]> {
  const reads = new HistoryReads(queries, atTime);
  const entities = new Set<string>();
  return Promise.all(
    events.map(async (event) => {
      const record = event.RecordStatus === 'FOUND' ? (event.Record as unknown as CloudTrailRecord | undefined) : undefined;
      if (!record || record.eventSource !== IAM_EVENT_SOURCE) return event;
      const changes = iamChangesOf(record).filter((change) => {
        entities.add(entityKey(change.Entity));
        return entities.size <= MAX_ENTITIES_PER_PAGE;
      });
      if (changes.length === 0) return event;
      const facts = await Promise.all(
        changes.map(async (change) => {
          const [history, options] = await Promise.all([reads.history(change.Entity), reads.options(change.Entity)]);
          return changeFact({ ...change, Entity: history?.Entity ?? change.Entity }, history, options);
        }),
      );
      return { ...event, PermissionFacts: facts };
    }),
  );
}

/**
 * The raw events facts name: each caller's compact events of the fact's hour (one Query and one ranged GET per
 * caller and hour), then the records from the log objects, as indicator evidence reads them.
 */
export async function rawEventsOfFacts(facts: readonly PermissionFact[], queries: TrailQueries, recordsAt: EvidenceReads['recordsAt']): Promise<Map<string, EvidenceEvent>> {
  const wanted = new Map<string, { subject: string; hourStart: number; ids: Set<string> }>();
  for (const fact of facts) {
    const subject = callerSubjectOf(fact.By);
    const time = Date.parse(fact.EventTime ?? '');
    if (!subject || !fact.EventId || !Number.isFinite(time)) continue;
    const hourStart = Math.floor(time / HOUR_MS) * HOUR_MS;
    const key = `${subject}\u0000${hourStart}`;
    const entry = wanted.get(key) ?? { subject, hourStart, ids: new Set<string>() };
    entry.ids.add(fact.EventId);
    wanted.set(key, entry);
  }
  const calls: EvidenceCall[] = [];
  for (const { subject, hourStart, ids } of wanted.values()) {
    const found = await callsOf(queries, [{ subject }], hourStart, hourStart + HOUR_MS);
    calls.push(...found.filter((call) => ids.has(call.event.id)));
  }
  const unique = [...new Map(calls.map((call) => [call.event.id, call])).values()];
  const events = await evidenceEvents(unique, { hourObjects: (account, hour) => queries.hourObjects(account, hour), recordsAt });
  return new Map(events.map((event) => [event.EventId, event]));
}

/** A fact's position in the listing: its time, then a digest of its key (bounded, whatever the strings in it). */
function positionOf(fact: PermissionFact): EvidencePosition {
  return { t: factTime(fact), id: createHash('sha256').update(factKey(fact)).digest('base64url') };
}

function comparePositions(a: EvidencePosition, b: EvidencePosition): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function listPermissionEvidence(deps: PermissionEvidenceDependencies, body: unknown): Promise<ListPermissionEvidenceResponse> {
  const request = parseListPermissionEvidence(body);
  const now = deps.now();
  const fingerprint = requestFingerprint({ operation: 'ListPermissionEvidence', graphArn: request.graphArn, investigationId: request.investigationId });
  const key = await deps.tokenKey();
  const after = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, key, isEvidencePosition) : undefined;
  const investigation = await deps.getInvestigation(request.investigationId);
  if (!investigation) throw notFound(`Investigation ${request.investigationId} does not exist.`);
  const { queries } = deps;
  const from = investigation.scopeStartTime;
  const to = investigation.scopeEndTime;
  const sessions = await investigationSessions(queries, investigation.entityType, investigation.entityArn, from, to);
  const entities = await scopeEntities(queries, investigation.entityArn, sessions, to);
  const summaries: EntityPermissions[] = entities.map((entity) => {
    const report: Partial<PermissionsInScope> = permissionsInScope(historyOf(entity), from, to, entity.options);
    delete report.Changes;
    return report as EntityPermissions;
  });
  const positioned = entities
    .flatMap((entity) => scopeFacts(historyOf(entity), from, to, entity.options))
    .map((fact) => ({ fact, position: positionOf(fact) }))
    .sort((a, b) => comparePositions(a.position, b.position));
  const rest = after ? positioned.filter(({ position }) => comparePositions(position, after) > 0) : positioned;
  const page = rest.slice(0, request.maxResults);
  const events = await rawEventsOfFacts(
    page.map(({ fact }) => fact),
    queries,
    deps.recordsAt,
  );
  const facts: FactWithEvent[] = page.map(({ fact }) => {
    const event = fact.EventId ? events.get(fact.EventId) : undefined;
    return event ? { ...fact, Event: event } : fact;
  });
  const last = page[page.length - 1];
  const nextToken = rest.length > page.length && last ? encodeNextToken(last.position, fingerprint, now, key) : undefined;
  const graph = request.graphArn ?? investigation.graphArn;
  return {
    ...(graph ? { GraphArn: graph } : {}),
    InvestigationId: request.investigationId,
    Entities: summaries,
    TotalCount: positioned.length,
    Facts: facts,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

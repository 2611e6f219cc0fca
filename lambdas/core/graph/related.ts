import type { CsvCell } from './csv';
import { FLOW_TRAFFIC_COLUMNS, type FlowTraffic } from '../flowlogs/network-types';
import type { EntityType } from './entity-types';

/**
 * listRelatedEntities' answer: each related entity once, with how it relates and what it did in the scope.
 * Counts are exact to the scope (they come from compact events cut at the scope's edges, or from session
 * activity read the same way); an entity related without calls in the scope (a session started but unused)
 * has CallCount 0 and no times.
 */
export const RELATIONSHIPS = [
  'CALLED_FROM',
  'USED_AGENT',
  'ACCESSED_BUCKET',
  'ASSUMED_ROLE',
  'ROOT_PRINCIPAL_OF',
  'SESSION_OF_ROLE',
  'PARENT_SESSION',
  'ANCESTOR_SESSION',
  'CHILD_SESSION',
  'DESCENDANT_SESSION',
  'INSTANCE_PROFILE_ROLE',
  'INSTANCE_PROFILE_SESSION',
  'CROSS_ACCOUNT_CALLER',
  'CALLER_ACCOUNT',
  // From an AWS_ACCOUNT: its principals; its roles used from other accounts; other accounts' roles its
  // principals assumed; and other accounts by direction of role use (they assume ours, we assume theirs, both).
  'PRINCIPAL_OF_ACCOUNT',
  'ASSUMED_FROM_OTHER_ACCOUNT',
  'ASSUMED_IN_OTHER_ACCOUNT',
  'CROSS_ACCOUNT_TARGET',
  'CROSS_ACCOUNT_BOTH',
  // From an IP_ADDRESS to EC2 instances: traffic in the VPC flow logs (no API call).
  'FLOW_PEER',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export interface RelatedEntity {
  EntityType: EntityType;
  EntityId: string;
  DisplayName: string;
  Relationship: Relationship;
  AccountId?: string;
  CallCount: number;
  FailedCallCount: number;
  /** Sessions behind the relation (role users, roles assumed), when it is made of sessions. */
  SessionCount?: number;
  FirstSeenTime?: string;
  LastSeenTime?: string;
  /** A FLOW_PEER relation's traffic, as the instance saw it (BytesIn: received from the address). */
  Flow?: FlowRelation;
}

export interface FlowRelation extends FlowTraffic {
  /** At most 8 per interface and hour are kept. */
  Ports: string[];
  Interfaces: string[];
}

interface Tally {
  type: EntityType;
  id: string;
  display: string;
  relationship: Relationship;
  accountId?: string;
  calls: number;
  failures: number;
  sessions: Set<string>;
  first: number;
  last: number;
}

export interface RelatedKey {
  type: EntityType;
  id: string;
  display: string;
  relationship: Relationship;
  accountId?: string;
}

/** Accumulates calls per related entity; the first relationship given for an entity is kept. */
export class RelatedTally {
  private readonly tallies = new Map<string, Tally>();
  /** Set when a capped source (an hour index that dropped a map) was read: entities may be missing. */
  incomplete = false;

  private tally(key: RelatedKey): Tally {
    let tally = this.tallies.get(key.id);
    if (!tally) {
      tally = { ...key, calls: 0, failures: 0, sessions: new Set(), first: Infinity, last: -Infinity };
      this.tallies.set(key.id, tally);
    }
    return tally;
  }

  /** One call (or `calls` calls) at `firstMs`..`lastMs`. */
  add(key: RelatedKey, calls: number, failures: number, firstMs: number, lastMs: number): void {
    const tally = this.tally(key);
    tally.calls += calls;
    tally.failures += failures;
    if (calls > 0) {
      tally.first = Math.min(tally.first, firstMs);
      tally.last = Math.max(tally.last, lastMs);
    }
  }

  /** Marks the entity related (even without calls), through `sessionId` when given. */
  relate(key: RelatedKey, sessionId?: string): void {
    const tally = this.tally(key);
    if (sessionId) tally.sessions.add(sessionId);
  }

  /** Most calls first, then by EntityId: the pagination order. */
  entities(): RelatedEntity[] {
    return [...this.tallies.values()]
      .map((t) => ({
        EntityType: t.type,
        EntityId: t.id,
        DisplayName: t.display,
        Relationship: t.relationship,
        ...(t.accountId ? { AccountId: t.accountId } : {}),
        CallCount: t.calls,
        FailedCallCount: t.failures,
        ...(t.sessions.size > 0 ? { SessionCount: t.sessions.size } : {}),
        ...(t.calls > 0 ? { FirstSeenTime: new Date(t.first).toISOString(), LastSeenTime: new Date(t.last).toISOString() } : {}),
      }))
      .sort(compareRelated);
  }
}

export function compareRelated(a: Pick<RelatedEntity, 'CallCount' | 'EntityId'>, b: Pick<RelatedEntity, 'CallCount' | 'EntityId'>): number {
  return b.CallCount - a.CallCount || (a.EntityId < b.EntityId ? -1 : a.EntityId > b.EntityId ? 1 : 0);
}

/** A page position: the last entity's sort key. */
export interface RelatedPosition {
  c: number;
  id: string;
}

export function isRelatedPosition(value: unknown): value is RelatedPosition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { c, id } = value as Record<string, unknown>;
  return Object.keys(value).length === 2 && typeof c === 'number' && Number.isInteger(c) && c >= 0 && typeof id === 'string';
}

export function isAfterPosition(entity: RelatedEntity, position: RelatedPosition): boolean {
  return compareRelated(entity, { CallCount: position.c, EntityId: position.id }) > 0;
}

/** listRelatedEntities as CSV (`Accept: text/csv`): one row per entity; absent optional fields are empty cells. */
export const RELATED_ENTITIES_CSV_HEADER = ['EntityType', 'EntityId', 'DisplayName', 'Relationship', 'AccountId', 'CallCount', 'FailedCallCount', 'SessionCount', 'FirstSeenTime', 'LastSeenTime'] as const;

export function relatedEntitiesCsvRows(entities: readonly RelatedEntity[]): CsvCell[][] {
  return entities.map((e) => [e.EntityType, e.EntityId, e.DisplayName, e.Relationship, e.AccountId, e.CallCount, e.FailedCallCount, e.SessionCount, e.FirstSeenTime, e.LastSeenTime]);
}

/**
 * listRelatedEntities from an IP_ADDRESS to EC2_INSTANCE (FLOW_PEER rows) as CSV: the same columns, then the flow
 * counts. Lists are joined with spaces; every cell goes through the same formula neutralisation (core/graph/csv.ts).
 */
export const RELATED_FLOW_CSV_HEADER = [...RELATED_ENTITIES_CSV_HEADER, ...FLOW_TRAFFIC_COLUMNS, 'Ports', 'Interfaces'] as const;

export function relatedFlowCsvRows(entities: readonly RelatedEntity[]): CsvCell[][] {
  return relatedEntitiesCsvRows(entities).map((row, i) => {
    const flow = entities[i].Flow;
    return [...row, ...FLOW_TRAFFIC_COLUMNS.map((column) => flow?.[column]), flow?.Ports.join(' '), flow?.Interfaces.join(' ')];
  });
}

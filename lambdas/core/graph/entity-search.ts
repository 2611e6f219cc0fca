import { HOUR_MS, hourStartMs } from '../storage/hours';
import type { HourIndex } from '../storage/hour-index';
import { entityIdOfPrincipal, entityTypeOfPrincipal, roleNameOf, sessionEntityId, type EntityType } from './entity-types';
import { globMatcher, type Matcher } from './glob';
import { ipMatcher } from './ip-match';
import type { CsvCell } from './csv';

/**
 * searchEntities over the hour indexes of a scope: every value of the asked type that an index names, matched
 * against the query, merged across accounts and hours. Times are those of the hours the indexes cover (an index
 * knows the hour, not the minute), clipped to the scope: FirstObservedTime is the start of the first such hour,
 * LastObservedTime the end of the last one.
 */
export interface FoundEntity {
  EntityType: EntityType;
  EntityId: string;
  DisplayName: string;
  FirstObservedTime: string;
  LastObservedTime: string;
  /** IP_ADDRESS only: which logs saw the address (CloudTrail's sourceIPAddress, VPC flow log peers; core/graph/flow-search.ts). */
  Sources?: ('CLOUDTRAIL' | 'VPC_FLOW_LOGS')[];
}

interface Candidate {
  id: string;
  display: string;
  /** Texts the query may match (an ARN, a name, an access key id...); a session's name is always the second. */
  keys: string[];
  /** A role session's Detective id, `<role principal id>:<session name>`, when its index kept the role's id. */
  detectiveId?: string;
}

/** Detective's role session id is `<role principal id (AROA…)>:<session name>`. */
const DETECTIVE_SESSION_ID = /^ARO[A-Z0-9]{4,128}:(.+)$/i;

function principalCandidates(index: HourIndex, type: EntityType): Candidate[] {
  const found: Candidate[] = [];
  for (const [subject, principalType, name, arn] of index.principals) {
    if (entityTypeOfPrincipal(principalType) !== type || type === 'AWS_ACCOUNT') continue;
    const id = entityIdOfPrincipal(subject, principalType);
    found.push({ id, display: name || id, keys: [id, name, arn].filter(Boolean) });
  }
  return found;
}

function sessionCandidates(index: HourIndex): Candidate[] {
  const found: Candidate[] = [];
  for (const [accessKeyId, [position, sessionName, rolePrincipalId]] of Object.entries(index.sessions)) {
    const principal = index.principals[position];
    if (!principal || principal[1] !== 'role') continue;
    const roleArn = entityIdOfPrincipal(principal[0], 'role');
    const id = sessionEntityId(roleArn, sessionName, accessKeyId);
    found.push({
      id,
      display: sessionName ? `${roleNameOf(roleArn)}/${sessionName}` : accessKeyId,
      keys: [accessKeyId, sessionName, roleArn, roleNameOf(roleArn), id],
      ...(rolePrincipalId && sessionName ? { detectiveId: `${rolePrincipalId}:${sessionName}` } : {}),
    });
  }
  return found;
}

function accountCandidates(index: HourIndex): Candidate[] {
  const accounts = new Set([index.accountId]);
  for (const [subject, principalType, , arn] of index.principals) {
    const account = /:(\d{12}):/.exec(arn)?.[1] ?? (principalType === 'aws-account' ? entityIdOfPrincipal(subject, principalType) : undefined);
    if (account && /^\d{12}$/.test(account)) accounts.add(account);
  }
  return [...accounts].map((id) => ({ id, display: id, keys: [id] }));
}

function valueCandidates(values: Record<string, unknown>): Candidate[] {
  return Object.keys(values).map((id) => ({ id, display: id, keys: [id] }));
}

export function candidatesOf(index: HourIndex, type: EntityType): Candidate[] {
  switch (type) {
    case 'IAM_ROLE':
    case 'IAM_USER':
    case 'FEDERATED_USER':
      return principalCandidates(index, type);
    case 'ROLE_SESSION':
      return sessionCandidates(index);
    case 'AWS_ACCOUNT':
      return accountCandidates(index);
    case 'EC2_INSTANCE':
      return valueCandidates(index.instances);
    case 'IP_ADDRESS':
      return valueCandidates(index.ips);
    case 'USER_AGENT':
      return valueCandidates(index.agents);
    case 'S3_BUCKET':
      return valueCandidates(index.buckets);
  }
}

/** The test a query makes of a candidate, by type. */
export function queryMatcher(type: EntityType, query: string): (candidate: Pick<Candidate, 'keys' | 'detectiveId'>) => boolean {
  if (type === 'IP_ADDRESS') {
    const match = ipMatcher(query);
    return ({ keys }) => keys.some(match);
  }
  if (type === 'ROLE_SESSION') {
    const detective = DETECTIVE_SESSION_ID.exec(query);
    if (detective) {
      // The whole id where the hour index kept the role's principal id; by session name alone in indexes
      // written before it was kept (which cannot tell two roles' sessions of the same name apart).
      const whole = globMatcher(query);
      const byName = globMatcher(detective[1]);
      return ({ keys, detectiveId }) => (detectiveId !== undefined ? whole(detectiveId) : keys.length > 1 && byName(keys[1]));
    }
  }
  let match: Matcher = globMatcher(query);
  if (type === 'EC2_INSTANCE') {
    // An instance ARN (`arn:aws:ec2:<region>:<account>:instance/<id>`) finds its id.
    const id = /^arn:[a-z-]+:ec2:[a-z0-9-]*:\d{12}:instance\/(.+)$/i.exec(query)?.[1];
    if (id) match = globMatcher(id);
  }
  return ({ keys }) => keys.some(match);
}

/** The index maps a search of each type reads: where they were dropped (too large), its answer may miss entities. */
const MAPS_READ: Record<EntityType, readonly string[]> = {
  IAM_ROLE: ['principals'],
  IAM_USER: ['principals'],
  FEDERATED_USER: ['principals'],
  AWS_ACCOUNT: ['principals'],
  ROLE_SESSION: ['sessions', 'principals'],
  IP_ADDRESS: ['ips'],
  USER_AGENT: ['agents'],
  S3_BUCKET: ['buckets'],
  // The instances map is never dropped (core/storage/hour-index.ts keeps it whole).
  EC2_INSTANCE: [],
};

/** Whether an index of the scope had dropped a map that a search of `type` reads: the answer may be incomplete. */
export function searchIncomplete(indexes: readonly HourIndex[], type: EntityType): boolean {
  return indexes.some((index) => (index.truncated ?? []).some((map) => MAPS_READ[type].includes(map)));
}

/** Matching entities of the indexes, one per EntityId, sorted by EntityId (the pagination order). */
export function searchIndexes(indexes: readonly HourIndex[], type: EntityType, query: string, fromMs: number, toMs: number): FoundEntity[] {
  const matches = queryMatcher(type, query);
  const found = new Map<string, { display: string; first: number; last: number }>();
  for (const index of indexes) {
    const start = Math.max(hourStartMs(index.hour), fromMs);
    const end = Math.min(hourStartMs(index.hour) + HOUR_MS, toMs);
    for (const candidate of candidatesOf(index, type)) {
      const known = found.get(candidate.id);
      if (known) {
        known.first = Math.min(known.first, start);
        known.last = Math.max(known.last, end);
      } else if (matches(candidate)) {
        found.set(candidate.id, { display: candidate.display, first: start, last: end });
      }
    }
  }
  return [...found]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, { display, first, last }]) => ({ EntityType: type, EntityId: id, DisplayName: display, FirstObservedTime: new Date(first).toISOString(), LastObservedTime: new Date(last).toISOString() }));
}

/** searchEntities as CSV (`Accept: text/csv`): one row per entity, the JSON fields as columns. */
export const FOUND_ENTITIES_CSV_HEADER = ['EntityType', 'EntityId', 'DisplayName', 'FirstObservedTime', 'LastObservedTime'] as const;

export function foundEntitiesCsvRows(entities: readonly FoundEntity[]): CsvCell[][] {
  return entities.map((e) => [e.EntityType, e.EntityId, e.DisplayName, e.FirstObservedTime, e.LastObservedTime]);
}

/** searchEntities(IP_ADDRESS) as CSV: the same columns, and which logs saw each address (`CLOUDTRAIL VPC_FLOW_LOGS`). */
export const FOUND_ADDRESSES_CSV_HEADER = [...FOUND_ENTITIES_CSV_HEADER, 'Sources'] as const;

export function foundAddressesCsvRows(entities: readonly FoundEntity[]): CsvCell[][] {
  return entities.map((e) => [e.EntityType, e.EntityId, e.DisplayName, e.FirstObservedTime, e.LastObservedTime, (e.Sources ?? []).join(' ')]);
}

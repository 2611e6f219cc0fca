import { parseIp, isIpAddress } from '../../core/analysis/ip-address';
import { normalizeRoleArn } from '../../core/cloudtrail/arn';
import type { Principal } from '../../core/cloudtrail/principal';
import { parseListRelatedEntities, type ListRelatedEntitiesRequest } from '../../core/graph/requests';
import { accountOfArn, entityIdOfPrincipal, entityTypeOfPrincipal, parseSessionEntityId, principalKeyOf, roleNameOf, sessionEntityId, type EntityType } from '../../core/graph/entity-types';
import { isAfterPosition, isRelatedPosition, RelatedTally, type RelatedEntity, type RelatedKey, type Relationship } from '../../core/graph/related';
import { validationError } from '../../core/investigation/errors';
import { decodeNextToken, encodeNextToken, requestFingerprint } from '../../core/investigation/pagination';
import type { ChainNode } from '../../core/queries/chains';
import type { SessionView } from '../../core/queries/session-view';
import type { CompactEvent } from '../../core/storage/compact-event';
import { bucketOfArn, type HourIndex } from '../../core/storage/hour-index';
import { hourStartMs } from '../../core/storage/hours';
import { eventsWithin } from '../../core/storage/scope-cut';
import { mapWithConcurrency } from '../../shared/concurrency';
import { CONCURRENT_READS, type EntityGraphContext, type EntityGraphReads } from './graph-reads';
import { indexesOfScope } from './index-reads';
import { accountRelations } from './account-relations';
import { sessionCalls, type SessionCalls } from './session-calls';
import { flowPeersOf } from './flow-relations';

/**
 * POST /graph/listRelatedEntities: the entities related to one entity in a scope, with how they are related and
 * the calls behind the relation, exact to the scope (compact events cut at its edges, or session activity).
 * Reads (README "API reference"): a value (IP, agent, bucket) reads the hour indexes of the scope, then the
 * events of the hours in which each principal the indexes name used it; a principal reads its own hours; a role,
 * a user or an instance reads its sessions (packs, parent pointers) and their activity.
 */
export interface ListRelatedEntitiesResponse {
  Entities: RelatedEntity[];
  NextToken?: string;
  /**
   * Present (true) when the relation was read through an hour index that had dropped the map it needs (an hour
   * too busy for its index item): entities related only in those hours may be missing.
   */
  Incomplete?: true;
}

type Scope = Pick<ListRelatedEntitiesRequest, 'entityId' | 'relatedEntityType' | 'fromMs' | 'toMs'>;
type Relate = (reads: EntityGraphReads, scope: Scope) => Promise<RelatedTally>;

const PRINCIPALS: readonly EntityType[] = ['IAM_ROLE', 'IAM_USER', 'FEDERATED_USER', 'ROLE_SESSION'];
const VALUES: readonly EntityType[] = ['IP_ADDRESS', 'USER_AGENT', 'S3_BUCKET'];

const iso = (ms: number) => new Date(ms).toISOString();

// ---- values (IP, agent, bucket) ↔ principals, from compact events ----

type ValueType = 'IP_ADDRESS' | 'USER_AGENT' | 'S3_BUCKET';
const VALUE_RELATIONSHIP: Record<ValueType, Relationship> = { IP_ADDRESS: 'CALLED_FROM', USER_AGENT: 'USED_AGENT', S3_BUCKET: 'ACCESSED_BUCKET' };

/** The values of one type an event carries. */
function valuesOf(type: ValueType, event: CompactEvent): string[] {
  if (type === 'IP_ADDRESS') return event.i && isIpAddress(event.i) ? [event.i] : [];
  if (type === 'USER_AGENT') return event.u ? [event.u] : [];
  return [...new Set((event.x ?? []).map(bucketOfArn).filter((b): b is string => b !== undefined))];
}

/** Same value: addresses compare by what they are (any IPv6 spelling), others exactly. */
function sameValue(type: ValueType, wanted: string): (value: string) => boolean {
  const address = type === 'IP_ADDRESS' ? parseIp(wanted) : undefined;
  if (!address) return (value) => value === wanted;
  const normal = `${address.kind()}|${address.toNormalizedString()}`;
  return (value) => {
    const parsed = parseIp(value);
    return parsed !== undefined && `${parsed.kind()}|${parsed.toNormalizedString()}` === normal;
  };
}

function indexMap(index: HourIndex, type: ValueType): Record<string, number[]> {
  return type === 'IP_ADDRESS' ? index.ips : type === 'USER_AGENT' ? index.agents : index.buckets;
}

const MAP_NAME: Record<ValueType, string> = { IP_ADDRESS: 'ips', USER_AGENT: 'agents', S3_BUCKET: 'buckets' };

/** Whether an index dropped one of these maps (or its principals, which every map points into). */
function dropped(index: HourIndex, ...maps: string[]): boolean {
  return (index.truncated ?? []).some((map) => map === 'principals' || maps.includes(map));
}

interface IndexedPrincipal {
  subject: string;
  principalType: string;
  name: string;
  hours: Set<string>;
}

function principalEntity(subject: string, principalType: string, name: string): RelatedKey | undefined {
  const type = entityTypeOfPrincipal(principalType);
  if (!type || type === 'AWS_ACCOUNT') return undefined;
  const id = entityIdOfPrincipal(subject, principalType);
  return { type, id, display: name || id, relationship: 'CALLED_FROM', ...(accountOfArn(id) ? { accountId: accountOfArn(id) } : {}) };
}

function sessionKey(roleArn: string, sessionName: string | undefined, accessKeyId: string, relationship: Relationship): RelatedKey {
  const id = sessionEntityId(roleArn, sessionName, accessKeyId);
  return { type: 'ROLE_SESSION', id, display: sessionName ? `${roleNameOf(roleArn)}/${sessionName}` : accessKeyId, relationship, ...(accountOfArn(roleArn) ? { accountId: accountOfArn(roleArn) } : {}) };
}

function valueToPrincipals(type: ValueType): Relate {
  return async (reads, scope) => {
    const matches = sameValue(type, scope.entityId);
    const principals = new Map<string, IndexedPrincipal>();
    const sessionNames = new Map<string, string>();
    const indexes = await indexesOfScope(reads, scope.fromMs, scope.toMs);
    // Sessions are named from the index's session map; a missing name only changes how a session is shown.
    const incomplete = indexes.some((index) => dropped(index, MAP_NAME[type]));
    for (const index of indexes) {
      for (const [value, positions] of Object.entries(indexMap(index, type))) {
        if (!matches(value)) continue;
        for (const position of positions) {
          const [subject, principalType, name] = index.principals[position] ?? [];
          if (!subject) continue;
          const known = principals.get(subject) ?? { subject, principalType, name, hours: new Set<string>() };
          known.hours.add(index.hour);
          principals.set(subject, known);
        }
      }
      for (const [key, [, name]] of Object.entries(index.sessions)) if (name) sessionNames.set(key, name);
    }
    const wanted = [...principals.values()].filter((p) => (scope.relatedEntityType === 'ROLE_SESSION' ? p.principalType === 'role' : entityTypeOfPrincipal(p.principalType) === scope.relatedEntityType));
    const tally = new RelatedTally();
    tally.incomplete = incomplete;
    const relationship = VALUE_RELATIONSHIP[type];
    await mapWithConcurrency(wanted, CONCURRENT_READS, async (principal) => {
      const entity = principalEntity(principal.subject, principal.principalType, principal.name);
      if (!entity) return;
      const items = (await reads.hourItems(principal.subject, iso(scope.fromMs), iso(scope.toMs))).filter((item) => principal.hours.has(item.hour));
      for (const item of items) {
        const start = hourStartMs(item.hour);
        for (const event of eventsWithin(item.hour, await reads.eventsOfItem(item), scope.fromMs, scope.toMs)) {
          if (!valuesOf(type, event).some(matches)) continue;
          const key = scope.relatedEntityType === 'ROLE_SESSION' ? (event.s ? sessionKey(entity.id, sessionNames.get(event.s), event.s, relationship) : undefined) : { ...entity, relationship };
          if (!key) continue;
          tally.add(key, 1, event.e !== undefined ? 1 : 0, start + event.t, start + event.t);
          if (event.s) tally.relate(key, event.s);
        }
      }
    });
    return tally;
  };
}

// ---- principals → values, from the principal's own events ----

/** The Activity subject of a principal entity, and for a session the access keys its calls carry. */
async function principalOf(reads: EntityGraphReads, type: EntityType, id: string, scope: Scope, tally: RelatedTally): Promise<{ subject: string; keys?: Set<string> } | undefined> {
  if (type !== 'ROLE_SESSION') {
    const key = principalKeyOf(type, type === 'IAM_ROLE' ? (normalizeRoleArn(id) ?? id) : id);
    return key ? { subject: key } : undefined;
  }
  const sessions = await sessionViewsOf(reads, id, scope, tally);
  if (sessions.length === 0) return undefined;
  return { subject: `role#${normalizeRoleArn(sessions[0].issuerArn) ?? sessions[0].issuerArn}`, keys: new Set(sessions.map((s) => s.sessionId)) };
}

function principalToValues(type: ValueType, sourceType: EntityType): Relate {
  return async (reads, scope) => {
    const tally = new RelatedTally();
    const principal = await principalOf(reads, sourceType, scope.entityId, scope, tally);
    if (!principal) return tally;
    const relationship = VALUE_RELATIONSHIP[type];
    for (const item of await reads.hourItems(principal.subject, iso(scope.fromMs), iso(scope.toMs))) {
      const start = hourStartMs(item.hour);
      for (const event of eventsWithin(item.hour, await reads.eventsOfItem(item), scope.fromMs, scope.toMs)) {
        if (principal.keys && !(event.s && principal.keys.has(event.s))) continue;
        for (const value of valuesOf(type, event)) tally.add({ type, id: value, display: value, relationship }, 1, event.e !== undefined ? 1 : 0, start + event.t, start + event.t);
      }
    }
    return tally;
  };
}

// ---- sessions: roles, their users, chains, instances ----


function addSession(tally: RelatedTally, key: RelatedKey, session: SessionView, stats: Map<string, SessionCalls>): void {
  const s = stats.get(session.sessionId);
  tally.relate(key, session.sessionId);
  if (s) tally.add(key, s.calls, s.failures, s.first, s.last);
}

function roleOfSession(session: SessionView): string {
  return normalizeRoleArn(session.issuerArn) ?? session.issuerArn;
}

function sessionEntityOf(session: SessionView, relationship: Relationship): RelatedKey {
  return sessionKey(roleOfSession(session), session.sessionName, session.sessionId, relationship);
}

function rootEntity(root: Principal, relatedType: EntityType, relationship: Relationship, againstAccount?: string): RelatedKey | undefined {
  if (relatedType === 'AWS_ACCOUNT') {
    const account = root.accountId ?? accountOfArn(root.arn ?? '');
    if (!account) return undefined;
    return { type: 'AWS_ACCOUNT', id: account, display: account, relationship: againstAccount && account !== againstAccount ? 'CROSS_ACCOUNT_CALLER' : 'CALLER_ACCOUNT', accountId: account };
  }
  if (entityTypeOfPrincipal(root.type) !== relatedType) return undefined;
  const id = entityIdOfPrincipal(root.key, root.type);
  const account = root.accountId ?? accountOfArn(id);
  return { type: relatedType, id, display: root.name || id, relationship, ...(account ? { accountId: account } : {}) };
}

/** IAM_ROLE → its sessions, or the root principals (and their accounts) behind them, through chains too. */
const roleRelations: Relate = async (reads, scope) => {
  const roleArn = normalizeRoleArn(scope.entityId) ?? scope.entityId;
  const sessions = await reads.sessionsOfRole(roleArn, iso(scope.fromMs), iso(scope.toMs));
  const stats = await sessionCalls(reads, sessions, scope);
  const tally = new RelatedTally();
  // Direct assumptions first, so that a user who did both is ASSUMED_ROLE.
  for (const session of [...sessions].sort((a, b) => a.chainDepth - b.chainDepth)) {
    const key =
      scope.relatedEntityType === 'ROLE_SESSION'
        ? sessionEntityOf(session, 'SESSION_OF_ROLE')
        : session.root && rootEntity(session.root, scope.relatedEntityType, session.chainDepth > 0 ? 'ROOT_PRINCIPAL_OF' : 'ASSUMED_ROLE', accountOfArn(roleArn));
    if (key) addSession(tally, key, session, stats);
  }
  return tally;
};

/** IAM_USER, FEDERATED_USER, EC2_INSTANCE → the roles and sessions it started, directly or by chaining. */
function originRelations(sourceType: EntityType): Relate {
  return async (reads, scope) => {
    const origin = sourceType === 'EC2_INSTANCE' ? `ec2-instance#${scope.entityId}` : principalKeyOf(sourceType, scope.entityId);
    const tally = new RelatedTally();
    if (!origin) return tally;
    const sessions = (await reads.sessionsFromOrigin(origin, iso(scope.fromMs), iso(scope.toMs))).filter((s) => s.kind === 'assumed-role');
    const stats = await sessionCalls(reads, sessions, scope);
    const direct: Relationship = sourceType === 'EC2_INSTANCE' ? (scope.relatedEntityType === 'IAM_ROLE' ? 'INSTANCE_PROFILE_ROLE' : 'INSTANCE_PROFILE_SESSION') : 'ASSUMED_ROLE';
    for (const session of [...sessions].sort((a, b) => Number(!!a.parentSessionId) - Number(!!b.parentSessionId))) {
      const relationship = session.parentSessionId ? 'ROOT_PRINCIPAL_OF' : direct;
      const key: RelatedKey =
        scope.relatedEntityType === 'ROLE_SESSION'
          ? sessionEntityOf(session, relationship)
          : { type: 'IAM_ROLE', id: roleOfSession(session), display: roleNameOf(roleOfSession(session)), relationship, ...(accountOfArn(roleOfSession(session)) ? { accountId: accountOfArn(roleOfSession(session)) } : {}) };
      addSession(tally, key, session, stats);
    }
    return tally;
  };
}

/**
 * The sessions a ROLE_SESSION EntityId names in the scope: by role and session name, or by access key id (found
 * in the hour indexes). A key found in no index, where some index had dropped its sessions, marks `tally` incomplete.
 */
async function sessionViewsOf(reads: EntityGraphReads, id: string, scope: Scope, tally: RelatedTally): Promise<SessionView[]> {
  const named = parseSessionEntityId(id);
  if (named) return (await reads.sessionsOfIssuer(named.roleArn, iso(scope.fromMs), iso(scope.toMs))).filter((s) => s.sessionName === named.sessionName);
  const roles = new Set<string>();
  const indexes = await indexesOfScope(reads, scope.fromMs, scope.toMs);
  for (const index of indexes) {
    const entry = index.sessions[id];
    const principal = entry ? index.principals[entry[0]] : undefined;
    if (principal?.[1] === 'role') roles.add(entityIdOfPrincipal(principal[0], 'role'));
  }
  if (roles.size === 0 && indexes.some((index) => dropped(index, 'sessions'))) tally.incomplete = true;
  const views = await mapWithConcurrency([...roles], CONCURRENT_READS, (role) => reads.sessionsOfIssuer(role, iso(scope.fromMs), iso(scope.toMs)));
  return views.flat().filter((s) => s.sessionId === id);
}

/** ROLE_SESSION → its chain (ancestors, descendants), its role, its root principal. */
const sessionRelations: Relate = async (reads, scope) => {
  const tally = new RelatedTally();
  const own = await sessionViewsOf(reads, scope.entityId, scope, tally);
  const related: { session: SessionView; relationship: Relationship }[] = [];
  const roots: { root: Principal; depth: number }[] = [];
  for (const view of own) {
    const chain = await reads.chain({ sessionId: view.sessionId, issuerArn: view.issuerArn, createdAt: view.createdAt });
    if (!chain) continue;
    if (chain.root) roots.push({ root: chain.root, depth: chain.ancestors.length });
    chain.ancestors.forEach((session, i) => related.push({ session, relationship: i === 0 ? 'PARENT_SESSION' : 'ANCESTOR_SESSION' }));
    const walk = (node: ChainNode, depth: number) => {
      for (const child of node.children) {
        related.push({ session: child.session, relationship: depth === 0 ? 'CHILD_SESSION' : 'DESCENDANT_SESSION' });
        walk(child, depth + 1);
      }
    };
    walk(chain.descendants, 0);
  }
  if (scope.relatedEntityType === 'ROLE_SESSION') {
    const others = related.filter(({ session }) => sessionEntityOf(session, 'PARENT_SESSION').id !== scope.entityId && session.sessionId !== scope.entityId);
    const stats = await sessionCalls(reads, others.map((r) => r.session), scope);
    for (const { session, relationship } of others) addSession(tally, sessionEntityOf(session, relationship), session, stats);
  } else if (scope.relatedEntityType === 'IAM_ROLE') {
    const stats = await sessionCalls(reads, own, scope);
    for (const view of own) addSession(tally, { type: 'IAM_ROLE', id: roleOfSession(view), display: roleNameOf(roleOfSession(view)), relationship: 'SESSION_OF_ROLE', ...(accountOfArn(roleOfSession(view)) ? { accountId: accountOfArn(roleOfSession(view)) } : {}) }, view, stats);
  } else {
    const stats = await sessionCalls(reads, own, scope);
    for (const { root } of roots) {
      const key = rootEntity(root, scope.relatedEntityType, 'ROOT_PRINCIPAL_OF', own[0] ? accountOfArn(roleOfSession(own[0])) : undefined);
      if (key) for (const view of own) addSession(tally, key, view, stats);
    }
  }
  return tally;
};

/** EC2_INSTANCE → IAM_ROLE also names roles the indexes list for the instance whose sessions were not found. */
const instanceRelations: Relate = async (reads, scope) => {
  const tally = await originRelations('EC2_INSTANCE')(reads, scope);
  if (scope.relatedEntityType !== 'IAM_ROLE') return tally;
  for (const index of await indexesOfScope(reads, scope.fromMs, scope.toMs)) {
    for (const role of index.instances[scope.entityId] ?? []) {
      const arn = normalizeRoleArn(role) ?? role;
      tally.relate({ type: 'IAM_ROLE', id: arn, display: roleNameOf(arn), relationship: 'INSTANCE_PROFILE_ROLE', ...(accountOfArn(arn) ? { accountId: accountOfArn(arn) } : {}) });
    }
  }
  return tally;
};

/** The relations served: source type → related type → how they are read. */
export const RELATIONS: Partial<Record<EntityType, Partial<Record<EntityType, Relate>>>> = {
  IP_ADDRESS: Object.fromEntries(PRINCIPALS.map((t) => [t, valueToPrincipals('IP_ADDRESS')])),
  USER_AGENT: Object.fromEntries(PRINCIPALS.map((t) => [t, valueToPrincipals('USER_AGENT')])),
  S3_BUCKET: Object.fromEntries(PRINCIPALS.map((t) => [t, valueToPrincipals('S3_BUCKET')])),
  IAM_ROLE: { ...Object.fromEntries(VALUES.map((t) => [t, principalToValues(t as ValueType, 'IAM_ROLE')])), IAM_USER: roleRelations, FEDERATED_USER: roleRelations, AWS_ACCOUNT: roleRelations, ROLE_SESSION: roleRelations },
  IAM_USER: { ...Object.fromEntries(VALUES.map((t) => [t, principalToValues(t as ValueType, 'IAM_USER')])), IAM_ROLE: originRelations('IAM_USER'), ROLE_SESSION: originRelations('IAM_USER') },
  FEDERATED_USER: { ...Object.fromEntries(VALUES.map((t) => [t, principalToValues(t as ValueType, 'FEDERATED_USER')])), IAM_ROLE: originRelations('FEDERATED_USER'), ROLE_SESSION: originRelations('FEDERATED_USER') },
  ROLE_SESSION: { ...Object.fromEntries(VALUES.map((t) => [t, principalToValues(t as ValueType, 'ROLE_SESSION')])), ROLE_SESSION: sessionRelations, IAM_ROLE: sessionRelations, IAM_USER: sessionRelations, FEDERATED_USER: sessionRelations, AWS_ACCOUNT: sessionRelations },
  EC2_INSTANCE: { IAM_ROLE: instanceRelations, ROLE_SESSION: instanceRelations },
  AWS_ACCOUNT: { IAM_ROLE: accountRelations, IAM_USER: accountRelations, FEDERATED_USER: accountRelations, AWS_ACCOUNT: accountRelations },
};

export async function listRelatedEntities(body: unknown, context: EntityGraphContext): Promise<ListRelatedEntitiesResponse> {
  const request = parseListRelatedEntities(body, context);
  // IP_ADDRESS → EC2_INSTANCE comes from the flow logs (the instances the address exchanged traffic with).
  const fromFlows = request.entityType === 'IP_ADDRESS' && request.relatedEntityType === 'EC2_INSTANCE' && context.flows ? context.flows : undefined;
  const relate = RELATIONS[request.entityType]?.[request.relatedEntityType];
  if (!relate && !fromFlows) {
    const served = Object.keys(RELATIONS[request.entityType] ?? {});
    throw validationError(`RelatedEntityType ${request.relatedEntityType} is not available for EntityType ${request.entityType}${served.length ? `; available: ${served.join(', ')}` : ' (no relations are served for it yet)'}`);
  }
  const now = context.nowMillis;
  const { graphArn, entityType, entityId, relatedEntityType, fromMs, toMs } = request;
  const fingerprint = requestFingerprint({ operation: 'ListRelatedEntities', graphArn, entityType, entityId, relatedEntityType, fromMs, toMs });
  const key = await context.tokenKey();
  const position = request.nextToken ? decodeNextToken(request.nextToken, fingerprint, now, key, isRelatedPosition) : undefined;
  if (fromFlows && !isIpAddress(entityId)) throw validationError('EntityId of an IP_ADDRESS must be an IPv4 or IPv6 address');
  const tally = fromFlows ? undefined : await relate!(context.reads, request);
  const all = fromFlows ? await flowPeersOf(fromFlows, entityId, fromMs, toMs) : tally!.entities();
  const rest = position ? all.filter((entity) => isAfterPosition(entity, position)) : all;
  const page = rest.slice(0, request.maxResults);
  const last = page[page.length - 1];
  const nextToken = rest.length > page.length && last ? encodeNextToken({ c: last.CallCount, id: last.EntityId }, fingerprint, now, key) : undefined;
  return { Entities: page, ...(nextToken ? { NextToken: nextToken } : {}), ...(tally?.incomplete ? { Incomplete: true as const } : {}) };
}

import { normalizeRoleArn } from '../../core/cloudtrail/arn';
import { accountOfArn, entityIdOfPrincipal, entityTypeOfPrincipal, roleNameOf, type EntityType } from '../../core/graph/entity-types';
import { validationError } from '../../core/investigation/errors';
import { RelatedTally, type RelatedKey, type Relationship } from '../../core/graph/related';
import type { SessionView } from '../../core/queries/session-view';
import { hourStartMs, hourWithin } from '../../core/storage/hours';
import { eventsWithin } from '../../core/storage/scope-cut';
import { mapWithConcurrency } from '../../shared/concurrency';
import { CONCURRENT_READS, type EntityGraphReads } from './graph-reads';
import { sessionCalls, type SessionCalls } from './session-calls';

/**
 * listRelatedEntities from an AWS_ACCOUNT: its principals (top by calls), and cross-account role use in both
 * directions. Reads grow with the account's own activity, never with other accounts' volume:
 * - the account's hour indexes of the scope (one Query), which name the principals its trail recorded;
 * - each of its principals' hourly items (one Query each; the events of an hour cut by the scope, or whose
 *   resource list was trimmed, one ranged GET), for exact calls and the roles of other accounts it assumed;
 * - for its roles, their sessions (packs, roots) to find callers from other accounts; for the roles of other
 *   accounts that its principals assumed, those roles' packs and the sessions' activity.
 * A principal of the account recorded only by other accounts' trails in the scope is not named (its calls
 * elsewhere are counted when it is).
 */
export interface AccountScope {
  entityId: string;
  relatedEntityType: EntityType;
  fromMs: number;
  toMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\//;

interface PrincipalCalls {
  id: string;
  type: EntityType;
  subject: string;
  name: string;
  calls: number;
  failures: number;
  first: number;
  last: number;
  /** Roles of other accounts named by its calls in the scope (the resources of its STS calls). */
  foreignRoles: Set<string>;
}

/** A principal's calls in the scope, exact (whole hours from their aggregates, cut hours from their events). */
async function callsOf(reads: EntityGraphReads, accountId: string, row: { subject: string; type: EntityType; id: string; name: string }, scope: AccountScope): Promise<PrincipalCalls> {
  const result: PrincipalCalls = { ...row, calls: 0, failures: 0, first: Infinity, last: -Infinity, foreignRoles: new Set() };
  const foreign = (arn: string) => {
    if (!IAM_ROLE_ARN.test(arn)) return;
    const role = normalizeRoleArn(arn) ?? arn;
    if (accountOfArn(role) !== accountId) result.foreignRoles.add(role);
  };
  for (const item of await reads.hourItems(row.subject, iso(scope.fromMs), iso(scope.toMs))) {
    if (hourWithin(item.hour, scope.fromMs, scope.toMs) && !((item.overflow?.resources ?? 0) > 0)) {
      result.calls += item.total;
      result.failures += item.failures;
      if (item.total > 0) {
        result.first = Math.min(result.first, Date.parse(item.firstEvent));
        result.last = Math.max(result.last, Date.parse(item.lastEvent));
      }
      for (const arn of Object.keys(item.resources ?? {})) foreign(arn);
      continue;
    }
    const start = hourStartMs(item.hour);
    for (const event of eventsWithin(item.hour, await reads.eventsOfItem(item), scope.fromMs, scope.toMs)) {
      result.calls++;
      if (event.e !== undefined) result.failures++;
      result.first = Math.min(result.first, start + event.t);
      result.last = Math.max(result.last, start + event.t);
      for (const arn of event.x ?? []) foreign(arn);
    }
  }
  return result;
}

/** The account's principals its trail recorded in the scope, with exact calls (those with none in the scope left out). */
async function principalsOfAccount(reads: EntityGraphReads, accountId: string, scope: AccountScope): Promise<PrincipalCalls[]> {
  const rows = new Map<string, { subject: string; type: EntityType; id: string; name: string }>();
  for (const index of await reads.hourIndexes(accountId, iso(scope.fromMs), iso(scope.toMs))) {
    for (const [subject, principalType, name] of index.principals) {
      const type = entityTypeOfPrincipal(principalType);
      if (!type || type === 'AWS_ACCOUNT') continue;
      const id = entityIdOfPrincipal(subject, principalType);
      // Principals without an account in their id (federated users) belong to the account that recorded them.
      if ((accountOfArn(id) ?? accountId) !== accountId) continue;
      rows.set(subject, { subject, type, id, name: name || id });
    }
  }
  const calls = await mapWithConcurrency([...rows.values()], CONCURRENT_READS, (row) => callsOf(reads, accountId, row, scope));
  return calls.filter((p) => p.calls > 0);
}


/** The account a session was started from: its direct caller's (the role owner's copy names only that), else its root's. */
function callerAccountOf(session: SessionView & { root?: { accountId?: string; arn?: string } }): string | undefined {
  return session.caller?.accountId ?? accountOfArn(session.caller?.arn ?? '') ?? session.root?.accountId ?? accountOfArn(session.root?.arn ?? '');
}

interface CrossAccountUse {
  /** Sessions of this account's roles started from other accounts. */
  inbound: { role: string; session: SessionView; otherAccount: string }[];
  /** Sessions of other accounts' roles started by this account's principals. */
  outbound: { role: string; session: SessionView; otherAccount: string }[];
}

async function crossAccountUse(reads: EntityGraphReads, accountId: string, principals: readonly PrincipalCalls[], scope: AccountScope): Promise<CrossAccountUse> {
  const from = iso(scope.fromMs);
  const to = iso(scope.toMs);
  const ownRoles = principals.filter((p) => p.type === 'IAM_ROLE').map((p) => p.id);
  const inbound = (
    await mapWithConcurrency(ownRoles, CONCURRENT_READS, async (role) =>
      (await reads.sessionsOfRole(role, from, to)).map((session) => ({ role, session, otherAccount: callerAccountOf(session) })).filter((s) => s.otherAccount !== undefined && s.otherAccount !== accountId),
    )
  ).flat() as CrossAccountUse['inbound'];
  const foreignRoles = [...new Set(principals.flatMap((p) => [...p.foreignRoles]))].sort();
  const outbound = (
    await mapWithConcurrency(foreignRoles, CONCURRENT_READS, async (role) =>
      (await reads.sessionsOfIssuer(role, from, to))
        .filter((session) => callerAccountOf(session) === accountId && session.kind === 'assumed-role')
        .map((session) => ({ role, session, otherAccount: accountOfArn(role) as string })),
    )
  ).flat();
  return { inbound, outbound };
}

function roleKey(role: string, relationship: Relationship): RelatedKey {
  return { type: 'IAM_ROLE', id: role, display: roleNameOf(role), relationship, ...(accountOfArn(role) ? { accountId: accountOfArn(role) } : {}) };
}

function addSessions(tally: RelatedTally, key: RelatedKey, uses: readonly { session: SessionView }[], stats: Map<string, SessionCalls>, scope: AccountScope): void {
  for (const { session } of uses) {
    const s = stats.get(session.sessionId);
    // A session started in the scope but unused still relates; one neither started nor used in it does not.
    const created = Date.parse(session.createdAt);
    if (!s?.calls && !(created >= scope.fromMs && created < scope.toMs)) continue;
    tally.relate(key, session.sessionId);
    if (s) tally.add(key, s.calls, s.failures, s.first, s.last);
  }
}

/** AWS_ACCOUNT → IAM_ROLE, IAM_USER, FEDERATED_USER, AWS_ACCOUNT. */
export async function accountRelations(reads: EntityGraphReads, scope: AccountScope): Promise<RelatedTally> {
  const accountId = scope.entityId;
  if (!/^\d{12}$/.test(accountId)) throw validationError('EntityId of an AWS_ACCOUNT must be its 12-digit account id.');
  const tally = new RelatedTally();
  const principals = await principalsOfAccount(reads, accountId, scope);
  if (scope.relatedEntityType === 'AWS_ACCOUNT' || scope.relatedEntityType === 'IAM_ROLE') {
    const { inbound, outbound } = await crossAccountUse(reads, accountId, principals, scope);
    const stats = await sessionCalls(reads, [...inbound, ...outbound].map((u) => u.session), scope);
    if (scope.relatedEntityType === 'AWS_ACCOUNT') {
      const callers = new Set(inbound.map((u) => u.otherAccount));
      const targets = new Set(outbound.map((u) => u.otherAccount));
      for (const other of [...new Set([...callers, ...targets])].sort()) {
        const relationship: Relationship = callers.has(other) && targets.has(other) ? 'CROSS_ACCOUNT_BOTH' : callers.has(other) ? 'CROSS_ACCOUNT_CALLER' : 'CROSS_ACCOUNT_TARGET';
        const key: RelatedKey = { type: 'AWS_ACCOUNT', id: other, display: other, relationship, accountId: other };
        addSessions(tally, key, [...inbound, ...outbound].filter((u) => u.otherAccount === other), stats, scope);
      }
      return tally;
    }
    // The account's roles used from other accounts: the relationship says so; their calls are counted below, once.
    for (const use of inbound) tally.relate(roleKey(use.role, 'ASSUMED_FROM_OTHER_ACCOUNT'), use.session.sessionId);
    for (const role of [...new Set(outbound.map((u) => u.role))]) addSessions(tally, roleKey(role, 'ASSUMED_IN_OTHER_ACCOUNT'), outbound.filter((u) => u.role === role), stats, scope);
  }
  for (const p of principals.filter((p) => p.type === scope.relatedEntityType)) {
    tally.add({ type: p.type, id: p.id, display: p.name, relationship: 'PRINCIPAL_OF_ACCOUNT', accountId }, p.calls, p.failures, p.first, p.last);
  }
  return tally;
}

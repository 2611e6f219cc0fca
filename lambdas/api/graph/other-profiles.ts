import { parseArn } from '../../core/cloudtrail/arn';
import { notFound } from '../../core/investigation/errors';
import { principalsOfIndexes, sessionInIndexes, type IndexedPrincipal } from '../../core/graph/index-lookups';
import { flattenChain } from '../../core/queries/chains';
import { sumActivity } from '../../core/queries/activity-totals';
import type { ProfileDependencies } from './dependencies';
import { instanceFlowPanel } from './flow-panels';
import { sessionPanel, volumePanel } from './panels';
import { scopeIndexes } from './value-profiles';
import { exactCounts } from './exact-counts';

/**
 * Profiles of a role session (its chain up to the root principal and down, its creating event, its
 * activity), an EC2 instance (activity through its instance-profile sessions) and an AWS account (its top
 * principals, and principals crossing into or out of it).
 */
const TOP = 20;

export async function roleSessionProfile(deps: ProfileDependencies, sessionId: string, from: string, to: string) {
  // The hour indexes name the principal whose calls a key made, hence the issuer whose packs hold it.
  const found = sessionInIndexes(await scopeIndexes(deps, from, to), sessionId);
  if (!found) throw notFound(`No calls were made with session ${sessionId} in the scope.`);
  const issuerArn = found.principal.arn ?? found.principal.subject.slice(found.principal.subject.indexOf('#') + 1);
  const chain = await deps.queries.chain({ sessionId, issuerArn, notAfter: to });
  if (!chain) throw notFound(`Session ${sessionId} has calls in the scope but no session record; its hour may not be compacted yet.`);
  const activity = await deps.queries.sessionActivity([chain.session], from, to);
  const descendants = flattenChain(chain.descendants).slice(1);
  return {
    Session: sessionPanel({ ...chain.session, ...(chain.root ? { root: chain.root } : {}), chainDepth: chain.ancestors.length }),
    ...(chain.root ? { RootPrincipal: { Principal: chain.root.name, PrincipalType: chain.root.type, ...(chain.root.arn ? { PrincipalArn: chain.root.arn } : {}) } } : {}),
    RootUnresolved: chain.rootUnresolved,
    CreatingEvent: {
      Seen: chain.session.creationEventSeen,
      ...(chain.session.creationEvent ? { EventName: chain.session.creationEvent } : {}),
      ...(chain.session.creationEventId ? { EventId: chain.session.creationEventId } : {}),
      EventTime: chain.session.createdAt,
      ...(chain.session.caller ? { Caller: chain.session.caller.name, CallerType: chain.session.caller.type } : {}),
      ...(chain.session.sourceIp ? { SourceIpAddress: chain.session.sourceIp } : {}),
    },
    Ancestors: chain.ancestors.map((s) => sessionPanel(s)),
    Descendants: descendants.map((s) => sessionPanel(s)),
    ApiCallVolume: volumePanel(sumActivity(activity), hourlyOf(activity)),
  };
}

function hourlyOf(items: Parameters<typeof sumActivity>[0]) {
  const byHour = new Map<string, typeof items[number][]>();
  for (const item of items) byHour.set(item.hour, [...(byHour.get(item.hour) ?? []), item]);
  return [...byHour].sort(([a], [b]) => a.localeCompare(b)).map(([hour, list]) => ({ hour, ...sumActivity(list) }));
}

export async function instanceProfile(deps: ProfileDependencies, instanceId: string, from: string, to: string) {
  const [activity, flows] = await Promise.all([deps.queries.instanceActivity(instanceId, from, to), deps.flows ? instanceFlowPanel(deps.flows, instanceId, from, to) : undefined]);
  return {
    InstanceId: instanceId,
    Roles: [...new Set(activity.sessions.map((s) => s.issuerArn))].sort(),
    Sessions: activity.sessions.map((s) => sessionPanel(s)),
    ApiCallVolume: volumePanel(activity.totals, activity.hourly),
    ...(flows ? { Flows: flows } : {}),
  };
}

const principalFields = (p: IndexedPrincipal) => ({ Principal: p.name, PrincipalType: p.type, ...(p.arn ? { PrincipalArn: p.arn } : {}), Accounts: p.accounts, Calls: p.calls, FailedCalls: p.failures });

/**
 * An account's top principals (from its hour indexes), and cross-account activity both ways: principals of
 * other accounts that this account's trail recorded (inbound: e.g. assuming its roles, calling its
 * resources), and this account's principals recorded by other accounts' trails (outbound). Counts are exact to
 * the scope and count each event once (exact-counts.ts): `Calls` and the top principals' are the events this
 * account's trail recorded; the outbound ones are those the other accounts' trails recorded.
 */
export async function accountProfile(deps: ProfileDependencies, accountId: string, from: string, to: string) {
  const indexes = await scopeIndexes(deps, from, to);
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const home = (p: IndexedPrincipal) => (p.arn ? parseArn(p.arn)?.accountId : undefined);
  const ownIndexes = indexes.filter((index) => index.accountId === accountId);
  const elsewhereIndexes = indexes.filter((index) => index.accountId !== accountId);
  const outboundCandidates = principalsOfIndexes(elsewhereIndexes).filter((p) => home(p) === accountId);
  const [ownCounts, outboundCounts] = await Promise.all([
    exactCounts(deps.queries, ownIndexes, fromMs, toMs),
    exactCounts(deps.queries, elsewhereIndexes, fromMs, toMs, new Set(outboundCandidates.map((p) => p.subject))),
  ]);
  const withExact = (list: IndexedPrincipal[], counts: Map<string, { calls: number; failures: number }>) =>
    list
      .map((p) => ({ ...p, calls: counts.get(p.subject)?.calls ?? 0, failures: counts.get(p.subject)?.failures ?? 0 }))
      .filter((p) => p.calls > 0)
      .sort((a, b) => b.calls - a.calls || a.subject.localeCompare(b.subject));
  const own = withExact(principalsOfIndexes(ownIndexes), ownCounts);
  return {
    AccountId: accountId,
    Principals: own.length,
    Calls: own.reduce((sum, p) => sum + p.calls, 0),
    TopPrincipals: own.slice(0, TOP).map(principalFields),
    InboundCrossAccount: own.filter((p) => home(p) !== undefined && home(p) !== accountId).map((p) => ({ ...principalFields(p), HomeAccount: home(p) })),
    OutboundCrossAccount: withExact(outboundCandidates, outboundCounts).map(principalFields),
  };
}

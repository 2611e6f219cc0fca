import { principalsWithValue, type IndexedPrincipal, type IndexedValueKind } from '../../core/graph/index-lookups';
import { matchBucket, matchSourceIp, matchUserAgent, valueUsage, type Usage } from '../../core/graph/value-usage';
import type { HourIndex } from '../../core/storage/hour-index';
import { mapWithConcurrency } from '../../shared/concurrency';
import type { ProfileDependencies } from './dependencies';
import { addressFlowPanel } from './flow-panels';
import { addressPanel } from './panels';

/**
 * Profiles of a value that principals go with: an IP address (who called from it), a user agent (who used it),
 * an S3 bucket (who called APIs on it). The hour indexes of every registered account in scope say which
 * principals, in which hours (accounts × hours items); then only those principals' events of those hours are
 * read, so the cost follows the value's own activity.
 */
const CONCURRENT_READS = 8;

export async function scopeIndexes(deps: ProfileDependencies, from: string, to: string, accountId?: string): Promise<HourIndex[]> {
  const accounts = accountId ? [accountId] : await deps.queries.accounts();
  return (await mapWithConcurrency(accounts, CONCURRENT_READS, (account) => deps.queries.hourIndexes(account, from, to))).flat();
}

const usageFields = (usage: Usage) => ({ Calls: usage.calls, FailedCalls: usage.failures, ...(usage.firstSeen ? { FirstSeen: usage.firstSeen } : {}), ...(usage.lastSeen ? { LastSeen: usage.lastSeen } : {}) });

async function usageOf(deps: ProfileDependencies, indexes: readonly HourIndex[], kind: IndexedValueKind, value: string, from: string, to: string) {
  const { principals, incomplete } = principalsWithValue(indexes, kind, value);
  const names = new Map<string, string>();
  for (const index of indexes) for (const [id, [, name]] of Object.entries(index.sessions)) if (name) names.set(id, name);
  const match = kind === 'ips' ? matchSourceIp(value) : kind === 'agents' ? matchUserAgent(value) : matchBucket(value);
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const used = await mapWithConcurrency(principals, CONCURRENT_READS, async (principal: IndexedPrincipal) => {
    const items = (await deps.queries.hourItems(principal.subject, from, to)).filter((item) => principal.hours.includes(item.hour));
    const hours = await mapWithConcurrency(items, CONCURRENT_READS, async (item) => ({ hour: item.hour, events: await deps.queries.eventsOfItem(item) }));
    return { principal, usage: valueUsage(hours, match, fromMs, toMs) };
  });
  const active = used.filter(({ usage }) => usage.calls > 0).sort((a, b) => b.usage.calls - a.usage.calls || a.principal.subject.localeCompare(b.principal.subject));
  const principalOf = (p: IndexedPrincipal) => ({ Principal: p.name, PrincipalType: p.type, ...(p.arn ? { PrincipalArn: p.arn } : {}), Accounts: p.accounts });
  return {
    Principals: active.map(({ principal, usage }) => ({ ...principalOf(principal), ...usageFields(usage), Sessions: usage.sessions.size })),
    Sessions: active.flatMap(({ principal, usage }) =>
      [...usage.sessions].map(([id, session]) => ({ SessionId: id, ...(names.get(id) ? { SessionName: names.get(id) } : {}), Principal: principal.name, ...(principal.arn ? { PrincipalArn: principal.arn } : {}), ...usageFields(session) })),
    ),
    Apis: mergeApis(active.map(({ usage }) => usage.apis)),
    // An index that dropped this map could not name every principal (the compact events still hold them).
    Incomplete: incomplete,
  };
}

function mergeApis(maps: readonly Map<string, Usage>[]) {
  const total = new Map<string, { calls: number; failures: number }>();
  for (const map of maps) {
    for (const [api, usage] of map) {
      const sum = total.get(api) ?? { calls: 0, failures: 0 };
      sum.calls += usage.calls;
      sum.failures += usage.failures;
      total.set(api, sum);
    }
  }
  return [...total].sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0])).map(([api, c]) => ({ ApiName: api, Calls: c.calls, FailedCalls: c.failures }));
}

export async function ipAddressProfile(deps: ProfileDependencies, ip: string, from: string, to: string) {
  const [address, usage, flows] = await Promise.all([
    addressPanel(ip, deps.geo, deps),
    scopeIndexes(deps, from, to).then((indexes) => usageOf(deps, indexes, 'ips', ip, from, to)),
    deps.flows ? addressFlowPanel(deps.flows, ip, from, to) : undefined,
  ]);
  return { IpAddress: ip, ...address, ...usage, ...(flows ? { Flows: flows } : {}) };
}

export async function userAgentProfile(deps: ProfileDependencies, agent: string, from: string, to: string) {
  return { UserAgent: agent, ...(await usageOf(deps, await scopeIndexes(deps, from, to), 'agents', agent, from, to)) };
}

export async function bucketProfile(deps: ProfileDependencies, bucket: string, from: string, to: string) {
  return { BucketName: bucket, ...(await usageOf(deps, await scopeIndexes(deps, from, to), 'buckets', bucket, from, to)) };
}

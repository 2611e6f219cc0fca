import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArn } from '../lambdas/core/cloudtrail/arn';
import { subjectOfAccount } from '../lambdas/core/cloudtrail/activity';
import { addActivity, emptyTotals, topEntries } from '../lambdas/core/queries/activity-totals';
import type { SessionView } from '../lambdas/core/queries/session-view';
import type { IngestedObjectItem } from '../lambdas/core/model/items';
import type { HourIndex } from '../lambdas/core/storage/hour-index';
import { parseHourKey } from '../lambdas/core/storage/hours';
import { mapWithConcurrency } from '../lambdas/shared/concurrency';
import type { TrailQueries } from '../lambdas/queries/trail-queries';
import { bar, formatNumber, principalLabel, shortTime, table } from './format';
import { ipAddressCounts } from '../lambdas/core/analysis/ip-address';
import { parseFlowHourKey } from '../lambdas/core/flowlogs/flow-hours';
import type { FlowQueries } from '../lambdas/queries/flow-queries';

/**
 * The readable report `npm start` prints after ingesting: what was ingested (and what was not, and why),
 * every principal and its API volume (paged), sessions, role chains, EC2 instances, cross-account roles.
 * It reads with GetItem and Query only, in proportion to what it shows: the status of the objects this run
 * ingested (BatchGetItem), the hour indexes of the account-hours they touched, the account-wide items of
 * those hours, and the packs of the roles the indexes name. Per-entity questions go through TrailQueries.
 */
export interface SummaryInput {
  documents: DynamoDBDocumentClient;
  queries: TrailQueries;
  /** The VPC flow logs' items: without them the summary has no traffic section. */
  flows?: FlowQueries;
  tables: { ingestedObjects: string };
  /** `s3://bucket/key` of the objects this run uploaded: their status items are read, not the whole table. */
  objectKeys: readonly string[];
  /** What the dead-letter lists hold: the objects of ingest messages, the account-hours of compaction ones. */
  deadLettered: string[];
  /** Page of the principals table (1-based), PRINCIPALS_PER_PAGE a page; `all` lists every principal. */
  page?: number | 'all';
}

export const PRINCIPALS_PER_PAGE = 25;
/** The EC2 instances (or interfaces with no known instance) the traffic section lists. */
export const TRAFFIC_TOP = 10;
const FLOW_LOG_KIND = 'vpc-flow-log';
const BATCH_GET_LIMIT = 100;

async function ingestedObjects(documents: DynamoDBDocumentClient, table: string, keys: readonly string[]): Promise<IngestedObjectItem[]> {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) batches.push(keys.slice(i, i + BATCH_GET_LIMIT) as string[]);
  const found = await mapWithConcurrency(batches, 4, async (batch) => {
    const items: IngestedObjectItem[] = [];
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [table]: { Keys: batch.map((objectKey) => ({ objectKey })) } };
    while (request && Object.keys(request).length > 0) {
      const output = await documents.send(new BatchGetCommand({ RequestItems: request }));
      items.push(...((output.Responses?.[table] ?? []) as IngestedObjectItem[]));
      request = output.UnprocessedKeys as typeof request;
    }
    return items;
  });
  return found.flat();
}

/** Per account, the first and last hour this run's objects touched (CloudTrail's hour keys, or flow logs'). */
function accountRanges(objects: readonly IngestedObjectItem[], parse = parseHourKey): Map<string, { from: string; to: string }> {
  const ranges = new Map<string, { from: string; to: string }>();
  for (const object of objects) {
    for (const hourKey of object.hours ?? []) {
      const parsed = parse(hourKey);
      if (!parsed) continue;
      const range = ranges.get(parsed.accountId);
      if (!range) ranges.set(parsed.accountId, { from: parsed.hour, to: parsed.hour });
      else {
        if (parsed.hour < range.from) range.from = parsed.hour;
        if (parsed.hour > range.to) range.to = parsed.hour;
      }
    }
  }
  return ranges;
}

const hourEnd = (hour: string) => new Date(Date.parse(`${hour}:00:00.000Z`) + 3_600_000).toISOString();

export async function buildSummary(input: SummaryInput): Promise<string[]> {
  const objects = await ingestedObjects(input.documents, input.tables.ingestedObjects, input.objectKeys);
  const lines: string[] = [];
  lines.push(...ingestionSection(objects, input.deadLettered));
  const ranges = accountRanges(objects);
  const indexes = (await mapWithConcurrency([...ranges], 4, ([account, r]) => input.queries.hourIndexes(account, `${r.from}:00:00.000Z`, hourEnd(r.to)))).flat();
  const traffic = input.flows ? await trafficSection(input.flows, accountRanges(objects, parseFlowHourKey)) : [];
  if (indexes.length === 0) {
    lines.push('', 'No CloudTrail activity was ingested.', ...traffic);
    return lines;
  }
  const hours = indexes.map((index) => index.hour).sort();
  const range = { from: `${hours[0]}:00:00.000Z`, to: hourEnd(hours[hours.length - 1]) };
  const roles = [...new Set(indexes.flatMap((index) => index.principals.filter((p) => p[1] === 'role' && p[3]).map((p) => p[3])))].sort();
  const sessions = (await mapWithConcurrency(roles, 8, (role) => input.queries.sessionsOfIssuer(role, range.from, range.to))).flat();
  lines.push('', `Activity from ${shortTime(range.from)} to ${shortTime(range.to)} (UTC)`);
  lines.push(...principalsSection(indexes, sessions, input.page ?? 1));
  lines.push(...sessionsSection(sessions));
  lines.push(...(await chainsSection(sessions, input.queries)));
  lines.push(...(await instancesSection(sessions, input.queries, range)));
  lines.push(...(await crossAccountSection(sessions, input.queries, range)));
  lines.push(...(await volumeSection(indexes, ranges, input.queries)));
  lines.push(...traffic);
  return lines;
}

function ingestionSection(objects: IngestedObjectItem[], deadLettered: readonly string[]): string[] {
  const byStatus: Record<string, number> = {};
  const skippedByReason: Record<string, number> = {};
  // CloudTrail events and flow-log records are counted apart: a flow record is a flow over an interval, not a call.
  const trail = { accepted: 0, duplicates: 0, rejected: 0 };
  const flow = { objects: 0, accepted: 0, rejected: 0, nodata: 0, skipdata: 0 };
  for (const o of objects) {
    byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    if (o.status === 'SKIPPED') skippedByReason[o.reason ?? 'unknown'] = (skippedByReason[o.reason ?? 'unknown'] ?? 0) + 1;
    if (o.kind === FLOW_LOG_KIND) {
      flow.objects++;
      flow.accepted += o.accepted ?? 0;
      flow.rejected += o.rejected ?? 0;
      flow.nodata += o.nodata ?? 0;
      flow.skipdata += o.skipdata ?? 0;
    } else {
      trail.accepted += o.accepted ?? 0;
      trail.duplicates += o.duplicates ?? 0;
      trail.rejected += o.rejected ?? 0;
    }
  }
  const lines = [
    'Ingestion',
    `  objects: ${formatNumber(byStatus.DONE ?? 0)} ingested, ${formatNumber(byStatus.DONE_WITH_ERRORS ?? 0)} ingested with errors, ${formatNumber(byStatus.FAILED ?? 0)} failed, ${formatNumber(byStatus.SKIPPED ?? 0)} skipped, ${deadLettered.length} dead-lettered`,
    `  CloudTrail records: ${formatNumber(trail.accepted)} ingested, ${formatNumber(trail.duplicates)} duplicates dropped, ${formatNumber(trail.rejected)} rejected`,
  ];
  if (flow.objects > 0) {
    lines.push(
      `  VPC flow log records: ${formatNumber(flow.accepted)} ingested (${formatNumber(flow.nodata)} NODATA, ${formatNumber(flow.skipdata)} SKIPDATA), ${formatNumber(flow.rejected)} rejected, from ${formatNumber(flow.objects)} objects`,
    );
  }
  for (const [reason, count] of Object.entries(skippedByReason)) lines.push(`  skipped ${count}: ${reason}`);
  for (const name of deadLettered.slice(0, 20)) lines.push(`  ✗ dead-lettered: ${name}`);
  if (deadLettered.length > 20) lines.push(`  … and ${deadLettered.length - 20} more dead-lettered messages`);
  const problems = objects.filter((o) => o.status === 'FAILED' || o.status === 'DONE_WITH_ERRORS');
  for (const o of problems.slice(0, 20)) {
    const detail = [o.error, o.rejections ? Object.entries(o.rejections).map(([r, n]) => `${n} × ${r}`).join(', ') : undefined].filter(Boolean).join('; ');
    lines.push(`  ${o.status === 'FAILED' ? '✗' : '!'} ${o.objectKey.split('/').pop()}: ${detail} (${formatNumber(o.accepted ?? 0)} records kept)`);
  }
  if (problems.length > 20) lines.push(`  … and ${problems.length - 20} more objects with problems`);
  return lines;
}

function principalsSection(indexes: readonly HourIndex[], sessions: SessionView[], page: number | 'all'): string[] {
  const principals = new Map<string, { type: string; name: string; arn: string; calls: number; failures: number; ips: Set<string> }>();
  for (const index of indexes) {
    const positions = index.principals.map(([subject, type, name, arn, calls, failures]) => {
      let entry = principals.get(subject);
      if (!entry) principals.set(subject, (entry = { type, name, arn, calls: 0, failures: 0, ips: new Set() }));
      entry.calls += calls;
      entry.failures += failures;
      return entry;
    });
    for (const [ip, list] of Object.entries(index.ips)) for (const position of list) positions[position]?.ips.add(ip);
  }
  const sessionsPerIssuer = new Map<string, number>();
  for (const s of sessions) sessionsPerIssuer.set(s.issuerArn, (sessionsPerIssuer.get(s.issuerArn) ?? 0) + 1);
  const all = [...principals.values()].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
  const pages = Math.max(1, Math.ceil(all.length / PRINCIPALS_PER_PAGE));
  const number = page === 'all' ? 1 : Math.min(Math.max(1, page), pages);
  const shown = page === 'all' ? all : all.slice((number - 1) * PRINCIPALS_PER_PAGE, number * PRINCIPALS_PER_PAGE);
  const rows = shown.map((p) => [principalLabel(p.type), p.name, parseArn(p.arn)?.accountId ?? '', formatNumber(p.calls), formatNumber(p.failures), String(Object.keys(ipAddressCounts(Object.fromEntries([...p.ips].map((ip) => [ip, 1])))).length), String(sessionsPerIssuer.get(p.arn) ?? '')]);
  const title = page === 'all' || pages === 1 ? `Principals (${all.length}, by API calls)` : `Principals (${all.length}, by API calls; page ${number} of ${pages}: --page N or --all for the others)`;
  return ['', title, ...table(['TYPE', 'NAME', 'ACCOUNT', 'CALLS', 'FAILED', 'IPS', 'SESSIONS'], rows)];
}

function sessionsSection(sessions: SessionView[]): string[] {
  const byKind: Record<string, number> = {};
  for (const s of sessions) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
  const withEvent = sessions.filter((s) => s.creationEventSeen).length;
  const chained = sessions.filter((s) => s.parentSessionId).length;
  return [
    '',
    'Sessions',
    `  ${formatNumber(sessions.length)} sessions: ${formatNumber(withEvent)} with their creating event, ${formatNumber(sessions.length - withEvent)} known only from sessionContext; ${formatNumber(chained)} chained from another session`,
    `  by kind: ${Object.entries(byKind).map(([k, n]) => `${k} ${formatNumber(n)}`).join(', ')}`,
  ];
}

function sessionLabel(s: SessionView): string {
  const account = s.accountId ? ` (${s.accountId})` : '';
  const extras = [s.sourceIp ? `from ${s.sourceIp}` : '', s.sourceIdentity ? `sourceIdentity=${s.sourceIdentity}` : '', s.eventCount > 0 ? `${formatNumber(s.eventCount)} calls seen` : ""].filter(Boolean).join(', ');
  return `${s.issuerName}${account} as "${s.sessionName ?? '?'}" [${s.sessionId}] ${shortTime(s.createdAt)}, ${extras}`;
}

async function chainsSection(sessions: SessionView[], queries: TrailQueries): Promise<string[]> {
  const children = new Map<string, SessionView[]>();
  for (const s of sessions) {
    if (!s.parentSessionId) continue;
    const list = children.get(s.parentSessionId) ?? [];
    list.push(s);
    children.set(s.parentSessionId, list);
  }
  const byId = new Map(sessions.map((s) => [s.sessionId, s]));
  // Chain tops: parents that are not themselves children of a known session.
  const tops = [...children.keys()].map((id) => byId.get(id)).filter((s): s is SessionView => s !== undefined && !(s.parentSessionId && byId.has(s.parentSessionId)));
  const lines = ['', `Role chains (${tops.length})`];
  if (tops.length === 0) lines.push('  none: no session was used to assume another role');
  const render = (s: SessionView, depth: number): void => {
    lines.push(`  ${'   '.repeat(depth)}└ ${sessionLabel(s)}`);
    for (const child of (children.get(s.sessionId) ?? []).sort((a, b) => a.createdAt.localeCompare(b.createdAt))) render(child, depth + 1);
  };
  // The deepest chains first (a cross-account hop adds depth), then the most recent: those are what an analyst looks at.
  const depth = (s: SessionView): number => 1 + Math.max(0, ...(children.get(s.sessionId) ?? []).map(depth));
  const shown = tops.sort((a, b) => depth(b) - depth(a) || b.createdAt.localeCompare(a.createdAt)).slice(0, 6);
  for (const top of shown) {
    const { root } = await queries.withRoot(top);
    lines.push(`  ${root ? `${root.name} (${principalLabel(root.type)})` : 'unknown principal (creating event not ingested)'}`);
    render(top, 1);
  }
  if (tops.length > shown.length) lines.push(`  … and ${tops.length - shown.length} more chains`);
  return lines;
}

async function instancesSection(sessions: SessionView[], queries: TrailQueries, range: { from: string; to: string }): Promise<string[]> {
  const instanceIds = [...new Set(sessions.map((s) => s.instanceId).filter((id): id is string => id !== undefined))].sort();
  const lines = ['', `EC2 instances (${instanceIds.length}; API activity through their instance-profile sessions)`];
  for (const id of instanceIds.slice(0, 10)) {
    const activity = await queries.instanceActivity(id, range.from, range.to);
    const roles = [...new Set(activity.sessions.map((s) => s.issuerName))].join(', ');
    const topApis = Object.entries(activity.totals.apis).sort((a, b) => b[1].calls - a[1].calls).slice(0, 4).map(([api, c]) => `${api} ${c.calls}`).join(', ');
    const ips = topEntries(ipAddressCounts(activity.totals.sourceIps), 4).map(([ip]) => ip).join(', ');
    lines.push(`  ${id}  role ${roles}  ${activity.sessions.length} sessions  ${formatNumber(activity.totals.total)} calls (${formatNumber(activity.totals.failures)} failed)`);
    lines.push(`     top APIs: ${topApis || '-'}; source IPs: ${ips || '-'}`);
  }
  return lines;
}

async function crossAccountSection(sessions: SessionView[], queries: TrailQueries, range: { from: string; to: string }): Promise<string[]> {
  const roles = [...new Set(sessions.filter((s) => s.crossAccount).map((s) => s.issuerArn))].sort();
  const lines = ['', `Cross-account roles (${roles.length}; who used them)`];
  for (const role of roles.slice(0, 10)) {
    lines.push(`  ${role}`);
    for (const user of await queries.principalsUsingRole(role, range.from, range.to)) {
      const via = user.viaRoleChain ? ' via a role chain' : ' directly';
      lines.push(`     ${user.principal.name} (${principalLabel(user.principal.type)})${via}: ${user.sessions} session(s), from accounts ${user.callerAccounts.join(', ') || '?'}, ${shortTime(user.firstSession)} → ${shortTime(user.lastSession)}`);
    }
  }
  return lines;
}

/** Per day from the indexes' principal rows; top APIs from the account-wide items of the same hours. */
async function volumeSection(indexes: readonly HourIndex[], ranges: ReadonlyMap<string, { from: string; to: string }>, queries: TrailQueries): Promise<string[]> {
  const perDay = new Map<string, { calls: number; failures: number }>();
  for (const index of indexes) {
    const day = perDay.get(index.hour.slice(0, 10)) ?? perDay.set(index.hour.slice(0, 10), { calls: 0, failures: 0 }).get(index.hour.slice(0, 10))!;
    for (const row of index.principals) {
      day.calls += row[4];
      day.failures += row[5];
    }
  }
  const days = [...perDay.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const max = Math.max(...days.map(([, t]) => t.calls));
  const lines = ['', 'API call volume per day (all principals)'];
  for (const [day, totals] of days) lines.push(`  ${day}  ${formatNumber(totals.calls).padStart(7)} calls  ${formatNumber(totals.failures).padStart(5)} failed  ${bar(totals.calls, max)}`);
  const overall = emptyTotals();
  const perAccount = await mapWithConcurrency([...ranges], 4, ([account, r]) => queries.hourItems(subjectOfAccount(account), `${r.from}:00:00.000Z`, hourEnd(r.to)));
  for (const item of perAccount.flat()) addActivity(overall, item);
  const topApis = Object.entries(overall.apis).sort((a, b) => b[1].calls - a[1].calls).slice(0, 10);
  lines.push('', 'Top APIs', ...table(['API', 'CALLS', 'FAILED'], topApis.map(([api, c]) => [api, formatNumber(c.calls), formatNumber(c.failures)])));
  return lines;
}

/**
 * The instances with the most VPC flow traffic over the hours this run's flow logs touched: the console
 * summary's "EC2 instances by traffic", from each account's hour manifests (one Query per account).
 */
async function trafficSection(flows: FlowQueries, ranges: ReadonlyMap<string, { from: string; to: string }>): Promise<string[]> {
  if (ranges.size === 0) return [];
  const bounds = [...ranges.values()];
  const from = `${bounds.map((r) => r.from).sort()[0]}:00:00.000Z`;
  const to = hourEnd(bounds.map((r) => r.to).sort().at(-1) as string);
  const { ranks } = await flows.topInstances({ from, to }, TRAFFIC_TOP, [...ranges.keys()].sort());
  const lines = ['', `VPC flow traffic, ${shortTime(from)} to ${shortTime(to)} (UTC): the ${ranks.length} busiest EC2 instances, or interfaces where no instance is known`];
  if (ranks.length === 0) return [...lines, '  none: the flow logs held no traffic (NODATA, SKIPDATA or records outside the retention)'];
  const rows = ranks.map((rank) => [
    rank.instanceId ?? rank.interfaceIds[0],
    rank.accountId,
    formatNumber(rank.bytesIn),
    formatNumber(rank.bytesOut),
    formatNumber(rank.bytesUnknownDirection),
    formatNumber(rank.rejectedFlows),
    rank.interfaceIds.join(' '),
  ]);
  lines.push(...table(['INSTANCE', 'ACCOUNT', 'BYTES IN', 'BYTES OUT', 'UNKNOWN DIR.', 'REJECTED FLOWS', 'INTERFACES'], rows));
  return lines;
}

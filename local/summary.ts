import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArn } from '../lambdas/core/cloudtrail/arn';
import { addActivity, emptyTotals, topEntries, type ActivityTotals } from '../lambdas/core/queries/activity-totals';
import { sessionViewsOf, type SessionView } from '../lambdas/core/queries/session-view';
import type { ActivityItem, IngestedObjectItem } from '../lambdas/core/model/items';
import { unpackActivity } from '../lambdas/core/storage/activity-body';
import { entriesOfPacks, isSessionPack, type SessionPackItem } from '../lambdas/core/storage/session-packs';
import type { TrailQueries } from '../lambdas/queries/trail-queries';
import { bar, formatNumber, principalLabel, shortTime, table } from './format';
import { ipAddressCounts } from '../lambdas/core/analysis/ip-address';

/**
 * The readable report `npm start` prints after ingesting: what was ingested (and what was not, and why),
 * the principals and their API volume, sessions, role chains, EC2 instances, cross-account roles.
 * It reads the local tables directly (Scan is fine at local sizes) and answers the per-entity questions
 * through TrailQueries, the same library the investigation stages use.
 */
export interface SummaryInput {
  documents: DynamoDBDocumentClient;
  queries: TrailQueries;
  tables: { sessions: string; activity: string; ingestedObjects: string };
  /** What the dead-letter lists hold: the objects of ingest messages, the account-hours of compaction ones. */
  deadLettered: string[];
}

async function scanAll<T>(documents: DynamoDBDocumentClient, table: string): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const output = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...((output.Items ?? []) as T[]));
    ExclusiveStartKey = output.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export async function buildSummary(input: SummaryInput): Promise<string[]> {
  const [objects, sessionTableItems, activityTableItems] = await Promise.all([
    scanAll<IngestedObjectItem>(input.documents, input.tables.ingestedObjects),
    scanAll<SessionPackItem>(input.documents, input.tables.sessions),
    scanAll<Record<string, unknown>>(input.documents, input.tables.activity),
  ]);
  // Hour indexes and the accounts registry share the table; what is summed here is activity.
  const activityItems = activityTableItems.filter((item) => typeof item.total === 'number').map((item) => unpackActivity<ActivityItem>(item));
  const sessions = sessionViewsOf(entriesOfPacks(sessionTableItems.filter(isSessionPack)));
  const lines: string[] = [];
  lines.push(...ingestionSection(objects, input.deadLettered));
  if (activityItems.length === 0) {
    lines.push('', 'No CloudTrail activity was ingested.');
    return lines;
  }
  const range = timeRange(activityItems);
  lines.push('', `Activity from ${shortTime(range.from)} to ${shortTime(range.to)} (UTC)`);
  lines.push(...principalsSection(activityItems, sessions));
  lines.push(...sessionsSection(sessions));
  lines.push(...(await chainsSection(sessions, input.queries)));
  lines.push(...(await instancesSection(sessions, input.queries, range)));
  lines.push(...(await crossAccountSection(sessions, input.queries, range)));
  lines.push(...volumeSection(activityItems));
  return lines;
}

/** Principal subjects; `session#` and `account#` aggregates count the same calls again. */
function isPrincipalSubject(subject: string): boolean {
  return !subject.startsWith('session#') && !subject.startsWith('account#');
}

function timeRange(items: ActivityItem[]): { from: string; to: string } {
  let from = items[0].firstEvent;
  let to = items[0].lastEvent;
  for (const item of items) {
    if (item.firstEvent < from) from = item.firstEvent;
    if (item.lastEvent > to) to = item.lastEvent;
  }
  return { from, to };
}

function ingestionSection(objects: IngestedObjectItem[], deadLettered: readonly string[]): string[] {
  const byStatus: Record<string, number> = {};
  const skippedByReason: Record<string, number> = {};
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const o of objects) {
    byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    if (o.status === 'SKIPPED') skippedByReason[o.reason ?? 'unknown'] = (skippedByReason[o.reason ?? 'unknown'] ?? 0) + 1;
    accepted += o.accepted ?? 0;
    duplicates += o.duplicates ?? 0;
    rejected += o.rejected ?? 0;
  }
  const lines = [
    'Ingestion',
    `  objects: ${formatNumber(byStatus.DONE ?? 0)} ingested, ${formatNumber(byStatus.DONE_WITH_ERRORS ?? 0)} ingested with errors, ${formatNumber(byStatus.FAILED ?? 0)} failed, ${formatNumber(byStatus.SKIPPED ?? 0)} skipped, ${deadLettered.length} dead-lettered`,
    `  records: ${formatNumber(accepted)} ingested, ${formatNumber(duplicates)} duplicates dropped, ${formatNumber(rejected)} rejected`,
  ];
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

function principalsSection(items: ActivityItem[], sessions: SessionView[]): string[] {
  const principals = new Map<string, { type: string; name: string; account?: string; totals: ActivityTotals }>();
  for (const item of items) {
    if (!isPrincipalSubject(item.subject)) continue;
    let entry = principals.get(item.subject);
    if (!entry) {
      entry = { type: item.principalType, name: item.principalName, account: parseArn(item.principalArn)?.accountId, totals: emptyTotals() };
      principals.set(item.subject, entry);
    }
    addActivity(entry.totals, item);
  }
  const sessionsPerIssuer = new Map<string, number>();
  for (const s of sessions) sessionsPerIssuer.set(s.issuerArn, (sessionsPerIssuer.get(s.issuerArn) ?? 0) + 1);
  const top = [...principals.entries()].sort((a, b) => b[1].totals.total - a[1].totals.total).slice(0, 12);
  const rows = top.map(([key, p]) => {
    const arn = key.slice(key.indexOf('#') + 1);
    return [principalLabel(p.type), p.name, p.account ?? '', formatNumber(p.totals.total), formatNumber(p.totals.failures), String(Object.keys(ipAddressCounts(p.totals.sourceIps)).length), String(sessionsPerIssuer.get(arn) ?? '')];
  });
  return ['', `Principals (${principals.size}; top ${top.length} by API calls)`, ...table(['TYPE', 'NAME', 'ACCOUNT', 'CALLS', 'FAILED', 'IPS', 'SESSIONS'], rows)];
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

function volumeSection(items: ActivityItem[]): string[] {
  const perDay = new Map<string, ActivityTotals>();
  const overall = emptyTotals();
  for (const item of items) {
    if (!isPrincipalSubject(item.subject)) continue; // sessions and accounts repeat their principals' calls
    const day = item.hour.slice(0, 10);
    addActivity(perDay.get(day) ?? perDay.set(day, emptyTotals()).get(day)!, item);
    addActivity(overall, item);
  }
  const days = [...perDay.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const max = Math.max(...days.map(([, t]) => t.total));
  const lines = ['', 'API call volume per day (all principals)'];
  for (const [day, totals] of days) lines.push(`  ${day}  ${formatNumber(totals.total).padStart(7)} calls  ${formatNumber(totals.failures).padStart(5)} failed  ${bar(totals.total, max)}`);
  const topApis = Object.entries(overall.apis).sort((a, b) => b[1].calls - a[1].calls).slice(0, 10);
  lines.push('', 'Top APIs', ...table(['API', 'CALLS', 'FAILED'], topApis.map(([api, c]) => [api, formatNumber(c.calls), formatNumber(c.failures)])));
  return lines;
}

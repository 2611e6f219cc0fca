import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { normalizeRoleArn } from '../core/cloudtrail/arn';
import type { Principal } from '../core/cloudtrail/principal';
import { hourlyVolume, sumActivity, type ActivityTotals, type HourlyVolume } from '../core/queries/activity-totals';
import { descendantsOf, flattenChain, resolveRoot, type ChainNode, type RootResolution, type SessionSource } from '../core/queries/chains';
import { hoursBefore, MAX_SESSION_HOURS, sessionOverlaps, sessionViewOf, sessionViewsOf, type SessionView } from '../core/queries/session-view';
import type { ActivityItem, SessionItem } from '../core/model/items';
import { subjectOfSession } from '../core/cloudtrail/activity';
import { mapWithConcurrency } from '../shared/concurrency';
import { ACTIVITY_TABLE, SESSIONS_TABLE } from '../shared/table-design';

/** Reads in flight at once when a question fans out over sessions. */
const CONCURRENT_READS = 16;

/**
 * The questions Trailhound answers from its tables (the investigation stages and the HTTP API build on
 * these). Time ranges are ISO-8601 instants; sessions count as "in range" when they may have been used in it.
 */
export interface TableNames {
  sessions: string;
  activity: string;
}

export interface SessionWithRoot extends SessionView {
  root?: Principal;
  /** Number of role assumptions between the root principal and this session (0 = created by the root). */
  chainDepth: number;
  rootUnresolved: boolean;
}

export interface RoleUser {
  principal: Principal | { type: 'unresolved'; key: string; name: string };
  sessions: number;
  viaRoleChain: boolean;
  firstSession: string;
  lastSession: string;
  sourceIps: string[];
  callerAccounts: string[];
}

export interface InstanceActivity {
  instanceId: string;
  sessions: SessionView[];
  totals: ActivityTotals;
  hourly: HourlyVolume[];
}

const index = (name: string) => {
  const design = SESSIONS_TABLE.globalSecondaryIndexes.find((i) => i.indexName === name);
  if (!design) throw new Error(`no index ${name} in the Sessions table design`);
  return design;
};

export class TrailQueries implements SessionSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  private async queryAll<T>(input: QueryCommandInput): Promise<T[]> {
    const items: T[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      items.push(...((output.Items ?? []) as T[]));
      ExclusiveStartKey = output.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** Items found in a Sessions index, for sessions created in [from - 36 h, to]. */
  private async itemsInIndex(indexName: string, keyValue: string, from: string, to: string): Promise<SessionItem[]> {
    const design = index(indexName);
    return this.queryAll<SessionItem>({
      TableName: this.tables.sessions,
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': design.partitionKey.name, '#sk': design.sortKey?.name ?? 'createdAt' },
      ExpressionAttributeValues: { ':pk': keyValue, ':from': hoursBefore(from, MAX_SESSION_HOURS), ':to': to },
    });
  }

  async session(sessionId: string): Promise<SessionView | undefined> {
    const items = await this.queryAll<SessionItem>({
      TableName: this.tables.sessions,
      KeyConditionExpression: 'sessionId = :id',
      ExpressionAttributeValues: { ':id': sessionId },
    });
    return sessionViewOf(items);
  }

  /** SessionSource: loads complete views (all items of each session). */
  async sessions(ids: readonly string[]): Promise<Map<string, SessionView>> {
    const views = await mapWithConcurrency([...new Set(ids)], CONCURRENT_READS, (id) => this.session(id));
    return new Map(views.filter((v): v is SessionView => v !== undefined).map((v) => [v.sessionId, v]));
  }

  async children(sessionId: string): Promise<SessionView[]> {
    const ids = await this.queryAll<{ sessionId: string }>({
      TableName: this.tables.sessions,
      IndexName: 'byParent',
      KeyConditionExpression: 'parentSessionId = :id',
      ExpressionAttributeValues: { ':id': sessionId },
      ProjectionExpression: 'sessionId',
    });
    return [...(await this.sessions(ids.map((i) => i.sessionId))).values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async withRoot(session: SessionView): Promise<SessionWithRoot> {
    const resolution: RootResolution = await resolveRoot(session, this);
    return { ...session, ...(resolution.root ? { root: resolution.root } : {}), chainDepth: resolution.ancestors.length, rootUnresolved: resolution.unresolved };
  }

  /** Sessions of a role (any ARN form: with path, or an assumed-role ARN) used in [from, to], with their root principals. */
  async sessionsOfRole(roleArn: string, from: string, to: string): Promise<SessionWithRoot[]> {
    const issuer = normalizeRoleArn(roleArn) ?? roleArn;
    // Every item of a session carries its issuer, so the index returns whole sessions in one query; only a
    // session with an estimated creation time (its items' createdAt differ) is re-read in full.
    const items = await this.itemsInIndex('byIssuer', issuer, from, to);
    const partial = new Set(items.filter((item) => 'createdAtEstimated' in item && item.createdAtEstimated).map((item) => item.sessionId));
    const complete = sessionViewsOf(items.filter((item) => !partial.has(item.sessionId)));
    const views = [...complete, ...(await this.sessions([...partial])).values()].filter((s) => sessionOverlaps(s, from, to));
    const withRoots = await mapWithConcurrency(views, CONCURRENT_READS, (view) => this.withRoot(view));
    return withRoots.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sessionId.localeCompare(b.sessionId));
  }

  /** The whole chain a session belongs to: its ancestors up to the root principal, and every session created from it. */
  async chain(sessionId: string): Promise<{ session: SessionView; root?: Principal; ancestors: SessionView[]; rootUnresolved: boolean; descendants: ChainNode } | undefined> {
    const session = await this.session(sessionId);
    if (!session) return undefined;
    const resolution = await resolveRoot(session, this);
    const descendants = await descendantsOf(session, this);
    return { session, ...(resolution.root ? { root: resolution.root } : {}), ancestors: resolution.ancestors, rootUnresolved: resolution.unresolved, descendants };
  }

  /** Sessions started directly by a principal (by its key, e.g. `iam-user#arn…`, `sso-user#bob`, `ec2-instance#i-…`) and every session chained from them. */
  async sessionsFromOrigin(originKey: string, from: string, to: string): Promise<SessionView[]> {
    // Only some items of a session carry its origin: load the sessions the index names in full.
    const ids = [...new Set((await this.itemsInIndex('byOrigin', originKey, from, to)).map((item) => item.sessionId))];
    const direct = [...(await this.sessions(ids)).values()].filter((s) => sessionOverlaps(s, from, to));
    const all = new Map<string, SessionView>();
    for (const session of direct) for (const s of flattenChain(await descendantsOf(session, this))) all.set(s.sessionId, s);
    return [...all.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Activity items of one subject (a principal key or `session#<id>`) whose hour lies in [from, to]. */
  async activityItems(subject: string, from: string, to: string): Promise<ActivityItem[]> {
    return this.queryAll<ActivityItem>({
      TableName: this.tables.activity,
      KeyConditionExpression: 'subject = :s AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':s': subject, ':from': from.slice(0, 13), ':to': `${to.slice(0, 13)}#\uffff` },
    });
  }

  /** API call volume per hour, with successes and failures by service:API. */
  async apiVolume(subject: string, from: string, to: string): Promise<HourlyVolume[]> {
    return hourlyVolume(await this.activityItems(subject, from, to));
  }

  /** Activity performed with a set of sessions in [from, to]. */
  async activityOfSessions(sessions: readonly SessionView[], from: string, to: string): Promise<{ totals: ActivityTotals; hourly: HourlyVolume[] }> {
    const items = (await mapWithConcurrency(sessions, CONCURRENT_READS, (s) => this.activityItems(subjectOfSession(s.sessionId), from, to))).flat();
    return { totals: sumActivity(items), hourly: hourlyVolume(items) };
  }

  /** All API activity of an EC2 instance, through the sessions of its instance profile (and what was chained from them). */
  async instanceActivity(instanceId: string, from: string, to: string): Promise<InstanceActivity> {
    const sessions = await this.sessionsFromOrigin(`ec2-instance#${instanceId}`, from, to);
    return { instanceId, sessions, ...(await this.activityOfSessions(sessions, from, to)) };
  }

  /** Who used a role in [from, to]: the root principals behind its sessions (cross-account callers included). */
  async principalsUsingRole(roleArn: string, from: string, to: string): Promise<RoleUser[]> {
    const users = new Map<string, RoleUser>();
    for (const session of await this.sessionsOfRole(roleArn, from, to)) {
      const principal = session.root ?? { type: 'unresolved' as const, key: `unresolved#${session.sessionId}`, name: `unknown caller of ${session.sessionId}` };
      let user = users.get(principal.key);
      if (!user) {
        user = { principal, sessions: 0, viaRoleChain: false, firstSession: session.createdAt, lastSession: session.createdAt, sourceIps: [], callerAccounts: [] };
        users.set(principal.key, user);
      }
      user.sessions++;
      user.viaRoleChain ||= session.chainDepth > 0;
      if (session.createdAt < user.firstSession) user.firstSession = session.createdAt;
      if (session.createdAt > user.lastSession) user.lastSession = session.createdAt;
      if (session.sourceIp && !user.sourceIps.includes(session.sourceIp)) user.sourceIps.push(session.sourceIp);
      const callerAccount = session.caller?.accountId;
      if (callerAccount && !user.callerAccounts.includes(callerAccount)) user.callerAccounts.push(callerAccount);
    }
    return [...users.values()].sort((a, b) => b.sessions - a.sessions || a.principal.key.localeCompare(b.principal.key));
  }
}

export function tableNamesFromEnv(env: NodeJS.ProcessEnv = process.env): TableNames {
  const sessions = env[SESSIONS_TABLE.envVar];
  const activity = env[ACTIVITY_TABLE.envVar];
  if (!sessions || !activity) throw new Error(`${SESSIONS_TABLE.envVar} and ${ACTIVITY_TABLE.envVar} must be set`);
  return { sessions, activity };
}

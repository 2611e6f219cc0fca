import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { normalizeRoleArn } from '../core/cloudtrail/arn';
import type { Principal } from '../core/cloudtrail/principal';
import { hourlyVolume, sumActivity, type ActivityTotals, type HourlyVolume } from '../core/queries/activity-totals';
import { descendantsOf, flattenChain, resolveRoot, type ChainNode, type RootResolution, type SessionSource } from '../core/queries/chains';
import { MAX_SESSION_HOURS, sessionOverlaps, sessionViewOf, sessionViewsOf, type SessionView } from '../core/queries/session-view';
import { entriesOfPacks, issuerKey, parentKey, type ParentPointerItem, type SessionPackItem } from '../core/storage/session-packs';
import { unpackActivity } from '../core/storage/activity-body';
import { decodeHourIndex, indexSubject, type HourIndex } from '../core/storage/hour-index';
import { ACCOUNTS_SUBJECT, activitySlot, afterHourSlots, type AccountRegistryItem, type ActivityItem, type HourIndexItem, type SessionItem } from '../core/model/items';
import type { CompactEvent } from '../core/storage/compact-event';
import { HOUR_MS, hourOfMs, hourWithin } from '../core/storage/hours';
import { addSessionCounts, countsSessionsAlone, cutItem, earliestCreation, eventsWithin, mergeHourParts, sessionItems, sessionsByPrincipal, splitBySource, type SessionCounts } from '../core/storage/scope-cut';
import type { EventsStore, HourEventsHeader } from '../adapters/events-store';
import { IamStore } from '../adapters/iam-store';
import { subjectOfAccount } from '../core/cloudtrail/activity';
import { mapWithConcurrency } from '../shared/concurrency';
import { ACTIVITY_TABLE, INDEX_BUCKET_ENV, SESSIONS_TABLE } from '../shared/table-design';

const INSTANCE_PREFIX = 'ec2-instance#';

/** Reads in flight at once when a question fans out over sessions or hours. */
const CONCURRENT_READS = 16;

/**
 * The questions Trailhound answers from its tables (the investigation stages and the HTTP API build on
 * these). Time ranges are half-open, [from, to), ISO-8601 instants, and cut exactly: hours inside the range
 * come from their compacted items, and an hour cut by an edge from its compact events.
 * Sessions count as "in range" when they may have been used in it.
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

export interface ActivityReadOptions {
  /** One aggregate per hour and source address (read from the events), for analyses that attribute calls to addresses. */
  bySource?: boolean;
}

/** A session, by what finds its pack: its issuer, and when it was created (or a time it was not created after). */
export interface SessionRef {
  sessionId: string;
  issuerArn: string;
  createdAt?: string;
  notAfter?: string;
}

/** The account a principal key's ARN names (`role#arn:aws:iam::<account>:role/…`), if any. */
function homeAccountOf(subject: string): string | undefined {
  return /:(\d{12}):/.exec(subject)?.[1];
}

function ms(iso: string): number {
  const value = Date.parse(iso);
  if (!Number.isFinite(value)) throw new Error(`not an ISO-8601 instant: ${iso}`);
  return value;
}

export class TrailQueries implements SessionSource {
  private iamStore?: IamStore;
  /** Reads already made by this view (forRequest): the same key is read once per request. */
  private readCache?: Map<string, Promise<unknown>>;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly eventsStore: EventsStore,
  ) {}

  /** IAM histories and snapshots (permissions over time), kept in the same Activity table under their own keys. */
  get iam(): IamStore {
    return (this.iamStore ??= new IamStore(this.client, this.tables.activity));
  }

  /**
   * A view of the same tables for one API request, whose reads are cached by key: a route that asks for the
   * same hour indexes, packs or events several times (the summary's 25 instances all read the accounts' hour
   * indexes of the same window) pays for them once. Not for a container-wide instance: the data changes.
   */
  forRequest(): TrailQueries {
    const view = new TrailQueries(this.client, this.tables, this.eventsStore);
    view.readCache = new Map();
    return view;
  }

  /** `read()` once per key in a request view; callers get their own copy of the array. */
  private async cached<T>(key: string, read: () => Promise<T[]>): Promise<T[]> {
    if (!this.readCache) return read();
    let pending = this.readCache.get(key) as Promise<T[]> | undefined;
    if (!pending) {
      pending = read();
      this.readCache.set(key, pending);
      // A failed read is not remembered: the caller's retry reads again.
      pending.catch(() => this.readCache?.delete(key));
    }
    return [...(await pending)];
  }

  private async queryAll<T>(input: QueryCommandInput): Promise<T[]> {
    return this.cached(`query ${JSON.stringify(input)}`, () => this.queryAllUncached<T>(input));
  }

  private async queryAllUncached<T>(input: QueryCommandInput): Promise<T[]> {
    const items: T[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      items.push(...((output.Items ?? []) as T[]));
      ExclusiveStartKey = output.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** The session entries of an issuer's packs for the account-hours in [fromHour, toHour]. */
  private async packEntries(issuerArn: string, fromHour: string, toHour: string): Promise<SessionItem[]> {
    if (toHour < fromHour) return [];
    // Cached decoded, as the hour indexes are: a busy instance role's packs hold hundreds of sessions an hour,
    // and each of the summary's instances of that role, and each chained session created in the hour, reads them.
    return this.cached(`packs ${issuerArn} ${fromHour} ${toHour}`, async () => {
      const items = await this.queryAllUncached<SessionPackItem>({
        TableName: this.tables.sessions,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': issuerKey(issuerArn), ':from': fromHour, ':to': afterHourSlots(toHour) },
      });
      return entriesOfPacks(items);
    });
  }

  /** The sessions of an issuer (a role, or the user of session tokens) that may have been in use in [from, to). */
  async sessionsOfIssuer(issuerArn: string, from: string, to: string): Promise<SessionView[]> {
    const fromHour = hourOfMs(ms(from) - MAX_SESSION_HOURS * HOUR_MS);
    const toHour = hourOfMs(ms(to) - 1);
    // The views too: building them is most of the cost of an issuer with hundreds of sessions.
    return this.cached(`issuer sessions ${issuerArn} ${fromHour} ${toHour}`, async () => sessionViewsOf(await this.packEntries(issuerArn, fromHour, toHour)));
  }

  /**
   * One session, through its issuer and its creation time (a call's sessionContext names both; so does a child's
   * creating event for its parent). Without a creation time, `notAfter` bounds it.
   */
  async session(ref: SessionRef): Promise<SessionView | undefined> {
    const pick = (entries: readonly SessionItem[]) => sessionViewOf(entries.filter((entry) => entry.sessionId === ref.sessionId));
    if (ref.createdAt) {
      const created = ms(ref.createdAt);
      const atCreation = pick(await this.packEntries(ref.issuerArn, hourOfMs(created), hourOfMs(created)));
      if (atCreation?.creationEventSeen) return atCreation;
      return pick(await this.packEntries(ref.issuerArn, hourOfMs(created), hourOfMs(created + MAX_SESSION_HOURS * HOUR_MS)));
    }
    const end = ref.notAfter ? ms(ref.notAfter) : Date.now();
    return pick(await this.packEntries(ref.issuerArn, hourOfMs(end - MAX_SESSION_HOURS * HOUR_MS), hourOfMs(end)));
  }

  /** SessionSource: the session a chained session was created from. */
  async parentOf(session: SessionView): Promise<SessionView | undefined> {
    if (!session.parentSessionId || !session.parentIssuerArn) return undefined;
    return this.session({ sessionId: session.parentSessionId, issuerArn: session.parentIssuerArn, ...(session.parentCreatedAt ? { createdAt: session.parentCreatedAt } : { notAfter: session.createdAt }) });
  }

  /** SessionSource: the sessions created with a session's credentials, through their parent pointers. */
  async children(session: SessionView): Promise<SessionView[]> {
    const pointers = await this.queryAll<ParentPointerItem>({ TableName: this.tables.sessions, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': parentKey(session.sessionId) } });
    const unique = [...new Map(pointers.map((p) => [p.sessionId, p])).values()];
    const views = await mapWithConcurrency(unique, CONCURRENT_READS, (p) => this.session({ sessionId: p.sessionId, issuerArn: p.issuerArn, createdAt: p.createdAt }));
    return views.filter((v): v is SessionView => v !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async withRoot(session: SessionView): Promise<SessionWithRoot> {
    const resolution: RootResolution = await resolveRoot(session, this);
    return { ...session, ...(resolution.root ? { root: resolution.root } : {}), chainDepth: resolution.ancestors.length, rootUnresolved: resolution.unresolved };
  }

  /**
   * Sessions of a role (any ARN form: with path, or an assumed-role ARN) that made calls in [from, to), with
   * their root principals. The role's hourly items name the sessions behind its calls; an hour cut by an edge,
   * or whose list of sessions was trimmed, is read from its events.
   */
  async sessionsOfRole(roleArn: string, from: string, to: string): Promise<SessionWithRoot[]> {
    const role = normalizeRoleArn(roleArn) ?? roleArn;
    const [ids, known] = await Promise.all([this.sessionIdsOf(`role#${role}`, from, to), this.sessionsOfIssuer(role, from, to)]);
    const used = new Set(ids);
    const views = known.filter((view) => used.has(view.sessionId));
    const withRoots = await mapWithConcurrency(views, CONCURRENT_READS, (view) => this.withRoot(view));
    return withRoots.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sessionId.localeCompare(b.sessionId));
  }

  /** Ids of the sessions whose calls a principal's items in [from, to) hold. */
  async sessionIdsOf(principalKey: string, from: string, to: string): Promise<string[]> {
    const fromMs = ms(from);
    const toMs = ms(to);
    const ids = new Set<string>();
    const items = await this.hourItems(principalKey, from, to);
    const needEvents = items.filter((item) => !hourWithin(item.hour, fromMs, toMs) || (item.overflow?.sessions ?? 0) > 0);
    for (const item of items) if (!needEvents.includes(item)) for (const id of Object.keys(item.sessions ?? {})) ids.add(id);
    const fromEvents = await mapWithConcurrency(needEvents, CONCURRENT_READS, async (item) => eventsWithin(item.hour, await this.eventsOfItem(item), fromMs, toMs).map((e) => e.s));
    for (const id of fromEvents.flat()) if (id) ids.add(id);
    return [...ids].sort();
  }

  /** The whole chain a session belongs to: its ancestors up to the root principal, and every session created from it. */
  async chain(ref: SessionRef): Promise<{ session: SessionView; root?: Principal; ancestors: SessionView[]; rootUnresolved: boolean; descendants: ChainNode } | undefined> {
    const session = await this.session(ref);
    if (!session) return undefined;
    const resolution = await resolveRoot(session, this);
    const descendants = await descendantsOf(session, this);
    return { session, ...(resolution.root ? { root: resolution.root } : {}), ancestors: resolution.ancestors, rootUnresolved: resolution.unresolved, descendants };
  }

  /**
   * Sessions started directly by a principal (by its key, e.g. `iam-user#arn…`, `sso-user#bob`, `ec2-instance#i-…`)
   * that may have been in use in [from, to), and every session chained from them. A principal's own activity
   * names the roles it assumed; an EC2 instance (which calls nothing itself: EC2 assumes its role) is found in
   * its account's hour index (`accountId`, else every registered account's). Those roles' packs hold the sessions.
   */
  async sessionsFromOrigin(originKey: string, from: string, to: string, options: { accountId?: string } = {}): Promise<SessionView[]> {
    const windowFrom = new Date(ms(from) - MAX_SESSION_HOURS * HOUR_MS).toISOString();
    const issuers = originKey.startsWith(INSTANCE_PREFIX)
      ? await this.rolesOfInstance(originKey.slice(INSTANCE_PREFIX.length), windowFrom, to, options.accountId)
      : await this.issuersStartedBy(originKey, windowFrom, to);
    const perIssuer = await mapWithConcurrency(issuers, CONCURRENT_READS, (issuer) => this.sessionsOfIssuer(issuer, from, to));
    const direct = perIssuer.flat().filter((s) => s.origin?.key === originKey && !s.parentSessionId && sessionOverlaps(s, from, to));
    const all = new Map<string, SessionView>();
    const chains = await mapWithConcurrency(direct, CONCURRENT_READS, (session) => descendantsOf(session, this));
    for (const chain of chains) for (const s of flattenChain(chain)) all.set(s.sessionId, s);
    return [...all.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The roles a principal assumed in [from, to) (the resources of its STS calls), and itself for its own session tokens. */
  private async issuersStartedBy(principalKey: string, from: string, to: string): Promise<string[]> {
    const issuers = new Set<string>();
    for (const item of await this.hourItems(principalKey, from, to)) {
      const resources = (item.overflow?.resources ?? 0) > 0 ? (await this.eventsOfItem(item)).flatMap((e) => e.x ?? []) : Object.keys(item.resources ?? {});
      for (const arn of resources) if (/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(arn)) issuers.add(normalizeRoleArn(arn) ?? arn);
      if (item.principalArn && (item.apis['sts:GetSessionToken'] || item.apis['sts:GetFederationToken'])) issuers.add(item.principalArn);
    }
    return [...issuers].sort();
  }

  /**
   * The sessions EC2 itself created for an instance (its instance-profile credentials, session name = instance id)
   * that may have been in use in [from, to), without the sessions chained from them: what names the instance's
   * role. Reads the account's hour indexes and the packs of the roles they name, never the events.
   */
  async instanceProfileSessions(instanceId: string, from: string, to: string, accountId?: string): Promise<SessionView[]> {
    const origin = `${INSTANCE_PREFIX}${instanceId}`;
    const roles = await this.rolesOfInstance(instanceId, new Date(ms(from) - MAX_SESSION_HOURS * HOUR_MS).toISOString(), to, accountId);
    const perRole = await mapWithConcurrency(roles, CONCURRENT_READS, (role) => this.sessionsOfIssuer(role, from, to));
    return perRole
      .flat()
      .filter((s) => s.origin?.key === origin && !s.parentSessionId && sessionOverlaps(s, from, to))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The roles whose instance-profile credentials an EC2 instance received or used in [from, to). */
  private async rolesOfInstance(instanceId: string, from: string, to: string, accountId?: string): Promise<string[]> {
    const accounts = accountId ? [accountId] : await this.accounts();
    const indexes = (await mapWithConcurrency(accounts, CONCURRENT_READS, (account) => this.hourIndexes(account, from, to))).flat();
    return [...new Set(indexes.flatMap((index) => index.instances[instanceId] ?? []))].sort();
  }

  /** The reverse indexes of an account's hours overlapping [from, to) (see core/storage/hour-index.ts). */
  async hourIndexes(accountId: string, from: string, to: string): Promise<HourIndex[]> {
    const fromMs = ms(from);
    const toMs = ms(to);
    if (toMs <= fromMs) return [];
    const fromHour = hourOfMs(fromMs);
    const toHour = hourOfMs(toMs - 1);
    // Cached decoded: an index item can be large, and decoding it again for each caller costs CPU.
    return this.cached(`index ${accountId} ${fromHour} ${toHour}`, async () => {
      const items = await this.queryAllUncached<HourIndexItem>({
        TableName: this.tables.activity,
        KeyConditionExpression: '#s = :s AND #k BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#s': ACTIVITY_TABLE.partitionKey.name, '#k': ACTIVITY_TABLE.sortKey?.name as string },
        ExpressionAttributeValues: { ':s': indexSubject(accountId), ':from': fromHour, ':to': afterHourSlots(toHour) },
      });
      return items.map((item) => decodeHourIndex(item.body));
    });
  }

  /** The accounts whose logs were compacted. */
  async accounts(): Promise<string[]> {
    const items = await this.queryAll<AccountRegistryItem>({
      TableName: this.tables.activity,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': ACTIVITY_TABLE.partitionKey.name },
      ExpressionAttributeValues: { ':s': ACCOUNTS_SUBJECT },
    });
    return items.map((item) => item.accountId).sort();
  }

  /**
   * The hour items of a subject for the hours that overlap [from, to), one per hour: an hour that several
   * accounts' trails recorded calls of is merged from their items and events (see mergeHourParts).
   */
  async hourItems(subject: string, from: string, to: string): Promise<ActivityItem[]> {
    const stored = await this.storedHourItems(subject, from, to);
    const byHour = new Map<string, ActivityItem[]>();
    for (const item of stored) byHour.set(item.hour, [...(byHour.get(item.hour) ?? []), item]);
    const home = homeAccountOf(subject);
    return mapWithConcurrency([...byHour.values()], CONCURRENT_READS, async (parts) => {
      if (parts.length === 1) return parts[0];
      const merged = mergeHourParts(await Promise.all(parts.map(async (item) => ({ item, events: await this.eventsOfItem(item) }))), home);
      this.mergedEvents.set(merged.item, merged.events);
      return merged.item;
    });
  }

  /**
   * The stored items of a subject for the hours that overlap [from, to), one per hour and recording account, not
   * merged: each keeps its account, which is what names the log objects of its events (see hourObjects).
   */
  async storedHourItems(subject: string, from: string, to: string): Promise<ActivityItem[]> {
    const fromMs = ms(from);
    const toMs = ms(to);
    if (toMs <= fromMs) return [];
    const stored = await this.queryAll<Record<string, unknown>>({
      TableName: this.tables.activity,
      KeyConditionExpression: '#s = :s AND #k BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#s': ACTIVITY_TABLE.partitionKey.name, '#k': ACTIVITY_TABLE.sortKey?.name as string },
      ExpressionAttributeValues: { ':s': subject, ':from': hourOfMs(fromMs), ':to': afterHourSlots(hourOfMs(toMs - 1)) },
    });
    return stored.map((item) => unpackActivity<ActivityItem>(item));
  }

  /**
   * The log objects of a compacted account-hour, by index (what a compact event's `o` points at): the header
   * of the hour's events object, found through the account's manifest item. Undefined when the hour is gone.
   */
  async hourObjects(accountId: string, hour: string): Promise<HourEventsHeader['objects'] | undefined> {
    const output = await this.client.send(new GetCommand({ TableName: this.tables.activity, Key: { [ACTIVITY_TABLE.partitionKey.name]: subjectOfAccount(accountId), [ACTIVITY_TABLE.sortKey?.name as string]: activitySlot(hour, accountId) } }));
    const ref = (output.Item as ActivityItem | undefined)?.events;
    if (!ref) return undefined;
    try {
      return (await this.eventsStore.header(accountId, hour, ref)).objects;
    } catch (error) {
      // A recompaction between the two reads removed that generation: the hour is read again by the caller's retry.
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** Events of hour items merged from several accounts' items (they have no events object of their own). */
  private readonly mergedEvents = new WeakMap<ActivityItem, readonly CompactEvent[]>();

  /** A subject's compact events of one stored (or merged) hour. */
  async eventsOfItem(item: ActivityItem): Promise<CompactEvent[]> {
    const merged = this.mergedEvents.get(item);
    if (merged) return [...merged];
    if (!item.events) return [];
    const ref = item.events;
    return this.cached(`events ${item.accountId} ${item.hour} ${JSON.stringify(ref)}`, () => this.eventsStore.events(item.accountId, item.hour, ref));
  }

  /**
   * Activity of one subject (a principal key or `account#<id>`) in [from, to), one aggregate per hour, exact to
   * the millisecond for principals. Account-wide items have no events of their own: their edge hours are left
   * out, which suits their one use, a baseline that ends where a scope starts.
   */
  async activityItems(subject: string, from: string, to: string, options: ActivityReadOptions = {}): Promise<ActivityItem[]> {
    const fromMs = ms(from);
    const toMs = ms(to);
    const items = await this.hourItems(subject, from, to);
    if (options.bySource && !subject.startsWith('account#')) {
      const split = await mapWithConcurrency(items, CONCURRENT_READS, async (item) => splitBySource(item, await this.eventsOfItem(item), fromMs, toMs));
      return split.flat().sort((a, b) => a.hour.localeCompare(b.hour));
    }
    const whole = items.filter((item) => hourWithin(item.hour, fromMs, toMs));
    if (subject.startsWith('account#')) return whole;
    const edges = items.filter((item) => !hourWithin(item.hour, fromMs, toMs));
    const cut = await mapWithConcurrency(edges, CONCURRENT_READS, async (item) => cutItem(item, await this.eventsOfItem(item), fromMs, toMs));
    return [...whole, ...cut.filter((item) => item.total > 0)].sort((a, b) => a.hour.localeCompare(b.hour));
  }

  /** The earliest stored hour of a subject in [from, to), read as one key (not the whole range). */
  async firstHour(subject: string, from: string, to: string): Promise<string | undefined> {
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tables.activity,
        KeyConditionExpression: '#s = :s AND #k BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#s': ACTIVITY_TABLE.partitionKey.name, '#k': ACTIVITY_TABLE.sortKey?.name as string, '#f': 'firstEvent' },
        ExpressionAttributeValues: { ':s': subject, ':from': hourOfMs(ms(from)), ':to': afterHourSlots(hourOfMs(ms(to) - 1)) },
        ProjectionExpression: '#f',
        Limit: 1,
      }),
    );
    return (output.Items?.[0] as { firstEvent?: string } | undefined)?.firstEvent;
  }

  /** API call volume per hour, with successes and failures by service:API. */
  async apiVolume(subject: string, from: string, to: string): Promise<HourlyVolume[]> {
    return hourlyVolume(await this.activityItems(subject, from, to));
  }

  /**
   * Per session and hour, the activity performed with `sessions` in [from, to) (subject `session#<id>`). It is
   * read from the events of the principals the sessions belong to, in the hours those principals were active.
   */
  async sessionActivity(sessions: readonly SessionView[], from: string, to: string, options: ActivityReadOptions = {}): Promise<ActivityItem[]> {
    const fromMs = ms(from);
    const toMs = ms(to);
    const perPrincipal = await mapWithConcurrency([...sessionsByPrincipal(sessions)], CONCURRENT_READS, async ([principalKey, group]) => {
      // A session's calls cannot precede its creation: reads for a group of sessions start at the earliest.
      const items = await this.hourItems(principalKey, new Date(Math.max(fromMs, earliestCreation(group) - HOUR_MS)).toISOString(), to);
      // An hour whose session list is complete and names none of these sessions needs no events read.
      const relevant = items.filter((item) => (item.overflow?.sessions ?? 0) > 0 || [...group.keys()].some((id) => item.sessions?.[id] !== undefined));
      const perHour = await mapWithConcurrency(relevant, CONCURRENT_READS, async (item) => sessionItems(item, await this.eventsOfItem(item), group, fromMs, toMs, options.bySource));
      return perHour.flat();
    });
    return perPrincipal.flat().sort((a, b) => a.hour.localeCompare(b.hour) || a.subject.localeCompare(b.subject));
  }

  /** Activity performed with a set of sessions in [from, to). */
  async activityOfSessions(sessions: readonly SessionView[], from: string, to: string): Promise<{ totals: ActivityTotals; hourly: HourlyVolume[] }> {
    const items = await this.sessionActivity(sessions, from, to);
    return { totals: sumActivity(items), hourly: hourlyVolume(items) };
  }

  /** All API activity of an EC2 instance, through the sessions of its instance profile (and what was chained from them). */
  async instanceActivity(instanceId: string, from: string, to: string, accountId?: string): Promise<InstanceActivity> {
    const sessions = await this.sessionsFromOrigin(`${INSTANCE_PREFIX}${instanceId}`, from, to, accountId ? { accountId } : {});
    return { instanceId, sessions, ...(await this.activityOfSessions(sessions, from, to)) };
  }

  /**
   * Calls and failed calls made with each of `sessions` in [from, to). Where an instance role's hour holds
   * every instance's calls, its events are read only for an edge hour or an item that does not itemise its
   * sessions' failures (addSessionCounts): a whole hour costs its item alone.
   */
  async sessionCallCounts(sessions: readonly SessionView[], from: string, to: string): Promise<Map<string, SessionCounts>> {
    const fromMs = ms(from);
    const toMs = ms(to);
    const counts = new Map<string, SessionCounts>();
    await mapWithConcurrency([...sessionsByPrincipal(sessions)], CONCURRENT_READS, async ([principalKey, group]) => {
      const items = await this.hourItems(principalKey, new Date(Math.max(fromMs, earliestCreation(group) - HOUR_MS)).toISOString(), to);
      const relevant = items.filter((item) => (item.overflow?.sessions ?? 0) > 0 || [...group.keys()].some((id) => item.sessions?.[id] !== undefined));
      await mapWithConcurrency(relevant, CONCURRENT_READS, async (item) => addSessionCounts(counts, item, countsSessionsAlone(item, fromMs, toMs) ? undefined : await this.eventsOfItem(item), group, fromMs, toMs));
    });
    return counts;
  }

  /** The calls and failed calls of several EC2 instances in [from, to), through their sessions (sessionCallCounts), in their order. */
  async instancesCallCounts(instanceIds: readonly string[], from: string, to: string): Promise<{ instanceId: string; sessions: SessionView[]; calls: number; failures: number }[]> {
    const sessionsOf = await mapWithConcurrency(instanceIds, CONCURRENT_READS, (id) => this.sessionsFromOrigin(`${INSTANCE_PREFIX}${id}`, from, to));
    const counts = await this.sessionCallCounts([...new Map(sessionsOf.flat().map((s) => [s.sessionId, s])).values()], from, to);
    return instanceIds.map((instanceId, i) => {
      const own = sessionsOf[i].map((s) => counts.get(s.sessionId) ?? { calls: 0, failures: 0 });
      return { instanceId, sessions: sessionsOf[i], calls: own.reduce((n, c) => n + c.calls, 0), failures: own.reduce((n, c) => n + c.failures, 0) };
    });
  }

  /** Who used a role in [from, to): the root principals behind its sessions (cross-account callers included). */
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

export function indexBucketFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const bucket = env[INDEX_BUCKET_ENV];
  if (!bucket) throw new Error(`${INDEX_BUCKET_ENV} must be set`);
  return bucket;
}

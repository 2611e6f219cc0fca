import type { Principal } from '../cloudtrail/principal';
import type { FederationDetails, SessionKind } from '../cloudtrail/sessions';
import type { CreatedSessionItem, SeenSessionItem, SessionItem } from '../model/items';

/**
 * One session as the queries present it, merged from its items: the creating event's view when one was
 * ingested (preferring the caller's account's copy of a cross-account assumption, which names the caller in
 * full), completed with what API calls made with it showed.
 */
export interface SessionView {
  sessionId: string;
  kind: SessionKind;
  issuerArn: string;
  issuerName: string;
  sessionName?: string;
  sessionArn?: string;
  accountId?: string;
  createdAt: string;
  /** Where createdAt comes from: the creating event, sessionContext.creationDate, or the first call seen. */
  createdAtSource: 'creation-event' | 'session-context' | 'first-seen';
  /** False when no session-creating event was ingested: the session is known from sessionContext only. */
  creationEventSeen: boolean;
  creationEvent?: string;
  creationEventId?: string;
  credentialExpiration?: string;
  caller?: Principal;
  parentSessionId?: string;
  /** Where the parent's pack lies (see session-packs.ts). */
  parentIssuerArn?: string;
  parentCreatedAt?: string;
  origin?: Principal;
  federation?: FederationDetails;
  instanceId?: string;
  mfa?: boolean;
  sourceIdentity?: string;
  sourceIp?: string;
  userAgent?: string;
  crossAccount?: boolean;
  region?: string;
  /** Accounts whose trails logged the creating event. */
  recordedIn?: string[];
  firstSeen?: string;
  lastSeen?: string;
  /** API calls made with the session, summed over log objects. */
  eventCount: number;
}

function isCreated(item: SessionItem): item is CreatedSessionItem {
  return item.sk.startsWith('CREATED#');
}

function nameOf(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** Merges the items of ONE session; undefined when there are none. */
export function sessionViewOf(items: readonly SessionItem[]): SessionView | undefined {
  if (items.length === 0) return undefined;
  const created = items.filter(isCreated);
  const seen = items.filter((item): item is SeenSessionItem => !isCreated(item));
  // The role owner's copy of a cross-account AssumeRole names only the caller's account.
  const primary = created.find((item) => item.caller.type !== 'aws-account') ?? created[0];

  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  let eventCount = 0;
  for (const item of seen) {
    if (!firstSeen || item.firstSeen < firstSeen) firstSeen = item.firstSeen;
    if (!lastSeen || item.lastSeen > lastSeen) lastSeen = item.lastSeen;
    eventCount += item.eventCount;
  }
  const observed = seen.find((item) => !item.createdAtEstimated) ?? seen[0];
  const observedWith = <K extends keyof SeenSessionItem>(key: K): SeenSessionItem[K] | undefined => seen.find((item) => item[key] !== undefined)?.[key];

  if (primary) {
    return definedOnly<SessionView>({
      sessionId: primary.sessionId,
      kind: primary.kind,
      issuerArn: primary.issuerArn,
      issuerName: nameOf(primary.issuerArn),
      sessionName: primary.sessionName,
      sessionArn: primary.sessionArn,
      accountId: primary.accountId,
      createdAt: primary.createdAt,
      createdAtSource: 'creation-event',
      creationEventSeen: true,
      creationEvent: primary.creationEvent,
      creationEventId: primary.creationEventId,
      credentialExpiration: primary.credentialExpiration,
      caller: primary.caller,
      parentSessionId: primary.parentSessionId,
      parentIssuerArn: primary.parentIssuerArn,
      parentCreatedAt: primary.parentCreatedAt,
      origin: primary.origin ?? observedWith('origin'),
      federation: primary.federation,
      instanceId: primary.instanceId ?? observedWith('instanceId'),
      mfa: primary.mfa,
      sourceIdentity: primary.sourceIdentity ?? observedWith('sourceIdentity'),
      sourceIp: primary.sourceIp,
      userAgent: primary.userAgent,
      crossAccount: primary.crossAccount,
      region: primary.region,
      recordedIn: [...new Set(created.map((item) => item.recipientAccountId))].sort(),
      firstSeen,
      lastSeen,
      eventCount,
    });
  }
  // A console session's calls are not all marked sessionCredentialFromConsole: one marked call names the kind.
  const kind = seen.some((item) => item.kind === 'console') ? 'console' : observed.kind;
  return definedOnly<SessionView>({
    sessionId: observed.sessionId,
    kind,
    issuerArn: observed.issuerArn,
    issuerName: nameOf(observed.issuerArn),
    sessionName: observed.sessionName,
    sessionArn: observed.sessionArn,
    accountId: observed.accountId,
    createdAt: observed.createdAtEstimated ? (firstSeen ?? observed.createdAt) : observed.createdAt,
    createdAtSource: observed.createdAtEstimated ? 'first-seen' : 'session-context',
    creationEventSeen: false,
    origin: observedWith('origin'),
    instanceId: observedWith('instanceId'),
    mfa: observedWith('mfa'),
    sourceIdentity: observedWith('sourceIdentity'),
    firstSeen,
    lastSeen,
    eventCount,
  });
}

function definedOnly<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Groups items by session and merges each group. */
export function sessionViewsOf(items: readonly SessionItem[]): SessionView[] {
  const bySession = new Map<string, SessionItem[]>();
  for (const item of items) {
    const group = bySession.get(item.sessionId);
    if (group) group.push(item);
    else bySession.set(item.sessionId, [item]);
  }
  return [...bySession.values()].map((group) => sessionViewOf(group) as SessionView);
}

/** Longest lifetime of STS credentials (GetSessionToken / GetFederationToken: 36 h); bounds time-range lookups. */
export const MAX_SESSION_HOURS = 36;

/** True when the session may have been in use during [from, to]. */
export function sessionOverlaps(session: SessionView, from: string, to: string): boolean {
  if (session.createdAt > to) return false;
  if (session.createdAt >= from) return true;
  if (session.lastSeen && session.lastSeen >= from) return true;
  if (session.credentialExpiration && session.credentialExpiration >= from) return true;
  return false;
}

export function hoursBefore(iso: string, hours: number): string {
  return new Date(Date.parse(iso) - hours * 3_600_000).toISOString().replace('.000Z', 'Z');
}

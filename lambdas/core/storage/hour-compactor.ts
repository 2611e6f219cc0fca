import { accountPrincipal, isSessionCall, subjectOfAccount } from '../cloudtrail/activity';
import { PrincipalCache, type Principal } from '../cloudtrail/principal';
import { mergeObservation, sessionCreatedBy, sessionObservedIn, type SessionCreation, type SessionObservation } from '../cloudtrail/sessions';
import type { CloudTrailRecord } from '../cloudtrail/types';
import { compactEventOf, type CompactEvent } from './compact-event';
import { aggregateEvents, type HourAggregate, type SubjectMeta } from './hour-aggregate';
import { hourOf, hourStartMs } from './hours';
import { accountOfRecord } from './object-scan';
import type { RecordSink } from '../cloudtrail/read-log';
import { validateRecord } from '../cloudtrail/validate-record';
import { IAM_EVENT_SOURCE, iamChangesOf } from '../iam/events';
import type { IamChange } from '../iam/types';

/**
 * Merges every log object of one account's hour into what is stored for it: per principal, one aggregate and
 * its compact events; one account-wide aggregate; the sessions created and observed. Each event counts once,
 * whatever object or key it arrived under (a copied bucket, an organization trail beside an account trail,
 * CloudTrail's rare duplicate delivery): events are identified by eventID. The output depends only on the
 * set of records, not on their order, so recompacting an hour is idempotent.
 */
export interface PrincipalHour {
  meta: SubjectMeta;
  aggregate: HourAggregate;
  events: CompactEvent[];
}

export interface CompactedHour {
  accountId: string;
  hour: string;
  principals: PrincipalHour[];
  account: HourAggregate;
  sessionsCreated: SessionCreation[];
  sessionsObserved: SessionObservation[];
  /**
   * Role sessions' temporary access key id → the role's principal id (`AROA…`, the part of
   * `userIdentity.principalId` before the colon): with the session name it makes Detective's role session id.
   */
  rolePrincipalIds?: Record<string, string>;
  counts: { events: number; duplicates: number };
  /** The hour's IAM changes (issue 11), each event once: what the entities' stored histories merge. */
  iamChanges: IamChange[];
}

function byTimeThenId(a: CompactEvent, b: CompactEvent): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.o - b.o || a.n - b.n);
}

/** `AROA…:<session name>`: a role's unique id (upper-case letters and digits) before the colon. */
const ROLE_PRINCIPAL_ID = /^(AROA[A-Z0-9]{1,124}):/;

export class HourCompactor {
  private readonly principalCache = new PrincipalCache();
  private readonly start: number;
  private readonly seen = new Set<string>();
  private readonly principals = new Map<string, { meta: SubjectMeta; events: CompactEvent[] }>();
  private readonly created = new Map<string, SessionCreation>();
  private readonly observed = new Map<string, SessionObservation>();
  private readonly rolePrincipalIds = new Map<string, string>();
  private duplicates = 0;
  private readonly iamChanges: IamChange[] = [];

  /** `retainedFrom`: events before it are past the retention and left out, as ingestion leaves them out. */
  constructor(
    readonly accountId: string,
    readonly hour: string,
    private readonly retainedFrom = '',
  ) {
    this.start = hourStartMs(hour);
  }

  /**
   * The sink that feeds one log object's records to this hour: each valid record of this account and hour is
   * added, by the same rules as ingestion's ObjectScan; everything else belongs elsewhere or was counted there.
   * `fallbackAccountId` is the account the object's key names.
   */
  sinkFor(objectIndex: number, fallbackAccountId?: string): RecordSink {
    return {
      addUnparsable: () => undefined,
      addRaw: (value, position) => {
        const check = validateRecord(value);
        if (!check.ok) return;
        const record = check.record;
        if (hourOf(record.eventTime) !== this.hour || record.eventTime < this.retainedFrom) return;
        if (accountOfRecord(record, fallbackAccountId) !== this.accountId) return;
        this.add(record, objectIndex, position);
      },
    };
  }

  /** Adds one valid record of this account and hour; false when its event was already added. */
  add(record: CloudTrailRecord, objectIndex: number, recordIndex: number): boolean {
    // Records without an eventID (not seen in real logs) cannot be matched, so each counts.
    const eventId = record.eventID ?? `no-event-id:${objectIndex}:${recordIndex}`;
    if (this.seen.has(eventId)) {
      this.duplicates++;
      return false;
    }
    this.seen.add(eventId);
    const principal = this.principalOf(record);
    let entry = this.principals.get(principal.key);
    if (!entry) {
      const meta: SubjectMeta = { subject: principal.key, principalType: principal.type, principalName: principal.name, ...(principal.arn ? { principalArn: principal.arn } : {}) };
      this.principals.set(principal.key, (entry = { meta, events: [] }));
    }
    entry.events.push(compactEventOf(record, this.start, eventId, objectIndex, recordIndex));

    const created = sessionCreatedBy(record);
    if (created) this.keepCreation(created);
    if (isSessionCall(record)) this.observe(record);
    this.keepRolePrincipalId(record);
    // IAM writes are rare: only their records are decoded, after the eventID check (a duplicate adds nothing).
    if (record.eventSource === IAM_EVENT_SOURCE) this.iamChanges.push(...iamChangesOf(record));
    return true;
  }

  finish(): CompactedHour {
    const principals: PrincipalHour[] = [];
    const all: CompactEvent[] = [];
    for (const { meta, events } of [...this.principals.values()].sort((a, b) => (a.meta.subject < b.meta.subject ? -1 : 1))) {
      events.sort(byTimeThenId);
      principals.push({ meta, aggregate: aggregateEvents(meta, this.hour, events), events });
      all.push(...events);
    }
    const accountMeta: SubjectMeta = { subject: subjectOfAccount(this.accountId), principalType: 'aws-account', principalName: accountPrincipal(this.accountId).name };
    return {
      accountId: this.accountId,
      hour: this.hour,
      principals,
      account: aggregateEvents(accountMeta, this.hour, all),
      sessionsCreated: [...this.created.values()].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0)),
      sessionsObserved: [...this.observed.values()].sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1)),
      rolePrincipalIds: Object.fromEntries([...this.rolePrincipalIds].sort(([a], [b]) => (a < b ? -1 : 1))),
      counts: { events: this.seen.size, duplicates: this.duplicates },
      iamChanges: [...this.iamChanges],
    };
  }

  /** One creation per session and recording account; of two copies the earlier eventID wins, whatever the order. */
  private keepCreation(created: SessionCreation): void {
    const key = `${created.sessionId}#${created.recipientAccountId}`;
    const known = this.created.get(key);
    if (!known || (created.creationEventId ?? '') < (known.creationEventId ?? '')) this.created.set(key, created);
  }

  private observe(record: CloudTrailRecord): void {
    const observation = sessionObservedIn(record);
    if (!observation) return;
    const known = this.observed.get(observation.sessionId);
    if (known) mergeObservation(known, observation);
    else this.observed.set(observation.sessionId, observation);
  }

  /**
   * A role session's principal id. A key belongs to one role, so its calls agree; were they not to (forged
   * records), the smallest id is kept, so that the result does not depend on the order of the records.
   */
  private keepRolePrincipalId(record: CloudTrailRecord): void {
    const identity = record.userIdentity;
    if (identity.type !== 'AssumedRole' || !identity.accessKeyId || typeof identity.principalId !== 'string') return;
    const roleId = ROLE_PRINCIPAL_ID.exec(identity.principalId)?.[1];
    if (!roleId) return;
    const known = this.rolePrincipalIds.get(identity.accessKeyId);
    if (known === undefined || roleId < known) this.rolePrincipalIds.set(identity.accessKeyId, roleId);
  }

  private principalOf(record: CloudTrailRecord): Principal {
    return this.principalCache.of(record);
  }

}

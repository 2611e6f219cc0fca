import { ActivityAccumulator, accountPrincipal, hourOf, isSessionCall, resourcesOf, subjectOfAccount, subjectOfSession, type ActivityAggregate } from './activity';
import { PrincipalCache, type Principal } from './principal';
import { mergeObservation, sessionCreatedBy, sessionObservedIn, type SessionCreation, type SessionObservation } from './sessions';
import type { CloudTrailRecord } from './types';
import { validateRecord } from './validate-record';

/**
 * Everything one CloudTrail log file contributes to the tables, folded in memory so that a file turns into
 * a few hundred item writes however many records it holds. A digest is a pure function of the file's
 * records (their order does not matter), which is what makes re-ingesting a file idempotent.
 */
export interface DigestCounts {
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export class CloudTrailFileDigest {
  private readonly principalCache = new PrincipalCache();
  readonly sessionsCreated = new Map<string, SessionCreation>();
  readonly sessionsObserved = new Map<string, SessionObservation>();
  private readonly activity = new Map<string, ActivityAccumulator>();
  readonly counts: DigestCounts = { records: 0, accepted: 0, duplicates: 0, rejected: 0 };
  /** Reason → number of records rejected for it. */
  readonly rejections: Record<string, number> = {};
  private readonly seenEventIds = new Set<string>();

  /** Adds one raw record (already JSON-parsed); invalid ones are counted by reason, not thrown. */
  addRaw(value: unknown): void {
    this.counts.records++;
    const check = validateRecord(value);
    if (!check.ok) {
      this.reject(check.reason);
      return;
    }
    this.add(check.record);
  }

  /** Counts a record that could not even be parsed as JSON. */
  addUnparsable(reason: string): void {
    this.counts.records++;
    this.reject(reason);
  }

  private reject(reason: string): void {
    this.counts.rejected++;
    this.rejections[reason] = (this.rejections[reason] ?? 0) + 1;
  }

  private add(record: CloudTrailRecord): void {
    // CloudTrail can repeat an event within a delivery; eventID identifies it.
    if (record.eventID) {
      if (this.seenEventIds.has(record.eventID)) {
        this.counts.duplicates++;
        return;
      }
      this.seenEventIds.add(record.eventID);
    }
    this.counts.accepted++;

    const created = sessionCreatedBy(record);
    if (created) this.sessionsCreated.set(`${created.sessionId}#${created.recipientAccountId}`, created);

    const principal = this.principalOf(record);
    const hour = hourOf(record.eventTime);
    const resources = resourcesOf(record);
    this.aggregate(principal.key, hour, record, resources, () => new ActivityAccumulator(principal.key, hour, principal, record.eventTime));
    // The whole account's activity: the baseline behind "new for the entire account" in investigations.
    const account = record.recipientAccountId;
    if (account) {
      const subject = subjectOfAccount(account);
      this.aggregate(subject, hour, record, resources, () => new ActivityAccumulator(subject, hour, accountPrincipal(account), record.eventTime));
    }

    if (isSessionCall(record)) {
      const sessionId = record.userIdentity.accessKeyId as string;
      const known = this.sessionsObserved.get(sessionId);
      // Building an observation reads the whole sessionContext; for a session already seen in this file,
      // only the time bounds and the count change.
      if (known && known.createdAt !== undefined) {
        if (record.eventTime < known.firstSeen) known.firstSeen = record.eventTime;
        if (record.eventTime > known.lastSeen) known.lastSeen = record.eventTime;
        known.eventCount++;
      } else {
        const observation = sessionObservedIn(record);
        if (observation && known) mergeObservation(known, observation);
        else if (observation) this.sessionsObserved.set(sessionId, observation);
      }
      const subject = subjectOfSession(sessionId);
      const issuerArn = this.sessionsObserved.get(sessionId)?.issuerArn;
      this.aggregate(subject, hour, record, resources, () => new ActivityAccumulator(subject, hour, principal, record.eventTime, issuerArn));
    }
  }

  /** The file's activity: one aggregate per subject and hour. */
  activityAggregates(): ActivityAggregate[] {
    return [...this.activity.values()].map((accumulator) => accumulator.toAggregate());
  }

  private principalOf(record: CloudTrailRecord): Principal {
    return this.principalCache.of(record);
  }


  private aggregate(subject: string, hour: string, record: CloudTrailRecord, resources: string[], create: () => ActivityAccumulator): void {
    const key = `${subject}|${hour}`;
    let accumulator = this.activity.get(key);
    if (!accumulator) {
      accumulator = create();
      this.activity.set(key, accumulator);
    }
    accumulator.add(record, resources);
  }
}

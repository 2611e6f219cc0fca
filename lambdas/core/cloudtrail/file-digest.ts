import { addCall, hourOf, isSessionCall, newAggregate, resourcesOf, subjectOfSession, type ActivityAggregate } from './activity';
import { actorPrincipal } from './principal';
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
  readonly sessionsCreated = new Map<string, SessionCreation>();
  readonly sessionsObserved = new Map<string, SessionObservation>();
  readonly activity = new Map<string, ActivityAggregate>();
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

    const principal = actorPrincipal(record);
    const hour = hourOf(record.eventTime);
    const resources = resourcesOf(record);
    this.aggregate(principal.key, hour, record, resources, () => newAggregate(principal.key, hour, principal, record.eventTime));

    if (isSessionCall(record)) {
      const observation = sessionObservedIn(record);
      if (observation) {
        const known = this.sessionsObserved.get(observation.sessionId);
        if (known) mergeObservation(known, observation);
        else this.sessionsObserved.set(observation.sessionId, observation);
      }
      const sessionId = record.userIdentity.accessKeyId as string;
      const subject = subjectOfSession(sessionId);
      this.aggregate(subject, hour, record, resources, () => newAggregate(subject, hour, principal, record.eventTime, observation?.issuerArn));
    }
  }

  private aggregate(subject: string, hour: string, record: CloudTrailRecord, resources: string[], create: () => ActivityAggregate): void {
    const key = `${subject}|${hour}`;
    let aggregate = this.activity.get(key);
    if (!aggregate) {
      aggregate = create();
      this.activity.set(key, aggregate);
    }
    addCall(aggregate, record, resources);
  }
}

import type { ScenarioContext } from './context';
import { aliceDay, bobDay, daveDay, rootSignIn } from './people';
import {
  ciDeployerDay,
  cognitoDay,
  kmsRotation,
  lambdaCarryOver,
  lambdaDay,
  ordersApiCarryOver,
  ordersApiDay,
  reportingDay,
  webServerCarryOver,
  webServerDay,
} from './workloads';
import { buildDigestFiles, deliverLogFiles, type DigestFile, type LogFile } from './delivery';
import { incident, type IncidentFacts } from './incident';
import { buildOrg, type Org, REGIONS } from './org';
import { Prng } from './prng';
import type { Session } from './sts';
import { Timeline } from './timeline';
import { DAY, HOUR, MINUTE, utc } from './time';
import type { CloudTrailEvent, GeneratedObject } from './types';

/**
 * The sample scenario: an organisation with a management account (111122223333) and a workload account
 * (444455556666) in us-east-1 and eu-west-1. Three weeks of quiet activity (2026-10-01 .. 2026-10-21),
 * then the incident day (2026-10-22), on which normal activity goes on around the attack.
 * examples/README.md tells the story and what an analyst should find.
 */

export const FIRST_DAY = utc(2026, 10, 1);
export const INCIDENT_DAY = utc(2026, 10, 22);
export const LAST_DAY = INCIDENT_DAY;
export const DEFAULT_SEED = 20261022;

export interface SessionWithoutCreation {
  accessKeyId: string;
  label: string;
  reason: string;
}

export interface ScenarioOutput {
  org: Org;
  /** Log files, in delivery order. */
  logFiles: LogFile[];
  digestFiles: DigestFile[];
  /** Every object of the bucket (log and digest files), sorted by key. */
  objects: GeneratedObject[];
  records: CloudTrailEvent[];
  sessions: Session[];
  /** Sessions used in the data whose session-creating event is deliberately absent, and why. */
  sessionsWithoutCreation: SessionWithoutCreation[];
  incident: IncidentFacts;
}

export function generateScenario(seed: number = DEFAULT_SEED): ScenarioOutput {
  const root = new Prng(`trailhound-sample/${seed}`);
  const org = buildOrg(root);
  const ctx: ScenarioContext = { org, timeline: new Timeline([org.mgmt, org.workload]), seed: root.fork('actors'), instanceSessions: new Map() };
  const webOffsets = [
    [org.instances.web1, HOUR + 37 * MINUTE],
    [org.instances.web2, 3 * HOUR + 12 * MINUTE],
  ] as const;

  // Sessions that already exist when the data starts.
  for (const [instance, offset] of webOffsets) webServerCarryOver(ctx, FIRST_DAY, instance, offset);
  lambdaCarryOver(ctx, FIRST_DAY);
  ordersApiCarryOver(ctx, FIRST_DAY);

  let stolen: Session | undefined;
  for (let day = FIRST_DAY; day <= LAST_DAY; day += DAY) {
    const alice = aliceDay(ctx, day);
    if (day === INCIDENT_DAY) stolen = alice.mfaSession;
    bobDay(ctx, day);
    daveDay(ctx, day);
    ordersApiDay(ctx, day);
    for (const [instance, offset] of webOffsets) webServerDay(ctx, day, instance, offset);
    lambdaDay(ctx, day);
    ciDeployerDay(ctx, day);
    reportingDay(ctx, day);
    cognitoDay(ctx, day);
  }
  rootSignIn(ctx, utc(2026, 10, 9, 16, 20, 7));
  kmsRotation(ctx, utc(2026, 10, 14, 3, 11, 42));
  if (!stolen) throw new Error('Alice has no MFA session on the incident day (it must be a weekday)');
  const facts = incident(ctx, INCIDENT_DAY, stolen);

  // The sample ends at midnight after the incident day; later activity of still-valid sessions is cut off.
  const end = LAST_DAY + DAY;
  const records = ctx.timeline.records.filter((r) => Date.parse(r.eventTime) < end);
  const logFiles = deliverLogFiles(root.fork('delivery'), records, new Map(org.layouts.map((l) => [l.accountId, l])));
  const digestFiles = buildDigestFiles(root.fork('digests'), logFiles, org.layouts, REGIONS, FIRST_DAY, LAST_DAY);
  const objects = [...logFiles, ...digestFiles].map(({ key, body }) => ({ key, body })).sort((a, b) => a.key.localeCompare(b.key));
  const used = new Set(records.map((r) => r.userIdentity.accessKeyId));
  const sessionsWithoutCreation = ctx.timeline.sessions
    .filter((s): s is Session & { missingCreationReason: string } => s.missingCreationReason !== undefined && used.has(s.accessKeyId))
    .map((s) => ({ accessKeyId: s.accessKeyId, label: s.label, reason: s.missingCreationReason }));
  return { org, logFiles, digestFiles, objects, records, sessions: ctx.timeline.sessions, sessionsWithoutCreation, incident: facts };
}

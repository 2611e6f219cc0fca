import type { GuardDutyFindingSummary } from '../analysis/related-findings';
import type { EntityType } from '../investigation/model';
import type { EntityMapping } from './entity';
import { activityWindow, type FindingRecord } from './finding';

/**
 * What the Findings table keeps of each received finding: the parsed finding, the IAM entity it maps to, why
 * it started no investigation (if so), and the raw JSON, bounded so that an item stays far below DynamoDB's
 * 400 KB limit even with the `byEntity` index projecting it a second time.
 */
export const MAX_RAW_CHARS = 32 * 1024;

export interface RecordedFinding extends FindingRecord {
  /** The investigable IAM user or role (path-less ARN), the `byEntity` index key. */
  entityArn?: string;
  entityType?: EntityType;
  /** A principal the finding names that cannot be investigated (root, federated user). */
  principalArn?: string;
  /** Start of eventFirstSeen..eventLastSeen (creation..update when absent), for range queries. */
  activityStart: string;
  activityEnd: string;
  /** Why this version of the finding started no investigation. */
  skipReason?: string;
  /** The finding's JSON, cut at MAX_RAW_CHARS (then rawTruncated is true). */
  raw: string;
  rawTruncated?: boolean;
}

export function recordFinding(record: FindingRecord, entity: EntityMapping, detail: unknown, skipReason?: string): RecordedFinding {
  const json = JSON.stringify(detail) ?? '';
  const window = activityWindow(record);
  const recorded: RecordedFinding = { ...record, activityStart: window.start, activityEnd: window.end, raw: json.slice(0, MAX_RAW_CHARS) };
  if (json.length > MAX_RAW_CHARS) recorded.rawTruncated = true;
  if (entity.kind === 'entity') {
    recorded.entityArn = entity.entityArn;
    recorded.entityType = entity.entityType;
  } else if (entity.principalArn) {
    recorded.principalArn = entity.principalArn;
  }
  if (skipReason !== undefined) recorded.skipReason = skipReason;
  return recorded;
}

/** The shape the RELATED_FINDING stage analyses (lambdas/core/analysis/related-findings.ts). */
export function toFindingSummary(finding: RecordedFinding): GuardDutyFindingSummary {
  const principal = finding.entityArn ?? finding.principalArn;
  const accessKeyId = finding.accessKey?.accessKeyId;
  return {
    id: finding.id,
    arn: finding.arn,
    type: finding.type,
    severity: finding.severity,
    createdAt: finding.createdAt,
    updatedAt: finding.updatedAt,
    ...(finding.eventFirstSeen ? { firstSeen: finding.eventFirstSeen } : {}),
    ...(finding.eventLastSeen ? { lastSeen: finding.eventLastSeen } : {}),
    entityArns: principal ? [principal] : [],
    ...(accessKeyId && !finding.sample ? { accessKeyIds: [accessKeyId] } : {}),
    remoteIps: [...finding.remoteIps],
  };
}

import type { InvestigationClaim } from '../../core/guardduty/ports';
import type { RecordedFinding } from '../../core/guardduty/recorded-finding';
import { listDayOf, listSortOf } from '../../core/guardduty/finding-list';
import { DAY_MS } from '../../core/investigation/time';

/**
 * Items of the Findings table (lambdas/shared/table-design.ts: key `findingId`, index `byEntity` on
 * `entityArn` + `updatedAt`). Two kinds live there:
 *
 * - FINDING, `findingId = <GuardDuty finding id>`: the latest version of a finding, plus its investigation
 *   claim (`investigationId`, …). `entityArn` is set only for an investigable IAM user or role, so the index
 *   lists the findings of an entity by update time. `listDay` and `listSort` key it in the `byDay` index,
 *   the list of findings by day of update.
 * - REF, `findingId = ref#<lookup key>#<finding id>`: one per remote IP (`ip#<address>`) and access key
 *   (`key#<id>`) of a finding. Their `entityArn` holds the lookup key, which overloads `byEntity` into "the
 *   findings that share this IP / key" without another index. Lookup keys cannot collide with ARNs (`arn:…`).
 *
 * Every item carries the TTL attribute, counted from the finding's update time: a re-published finding lives on.
 */
export const FINDING_KIND = 'FINDING';
export const REF_KIND = 'REF';

export const ipLookupKey = (ip: string): string => `ip#${ip}`;
export const accessKeyLookupKey = (accessKeyId: string): string => `key#${accessKeyId}`;

export type FindingItem = RecordedFinding & {
  findingId: string;
  kind: typeof FINDING_KIND;
  expiresAt: number;
  listDay: string;
  listSort: string;
};

/** The investigation claim as stored on the finding item. */
export interface ClaimAttributes {
  investigationId: string;
  investigationStatus: InvestigationClaim['status'];
  investigationClaimedAt: string;
  investigationRequest: InvestigationClaim['request'];
  investigationStartedAt?: string;
}

/** A finding as read back: the recorded finding, its investigation reservation, and when it first arrived. */
export interface StoredFinding extends RecordedFinding {
  investigation?: InvestigationClaim;
  firstReceivedAt?: string;
}

export interface RefItem {
  findingId: string;
  kind: typeof REF_KIND;
  /** The lookup key (`ip#…`, `key#…`), the byEntity partition key. */
  entityArn: string;
  updatedAt: string;
  refFindingId: string;
  activityStart: string;
  activityEnd: string;
  expiresAt: number;
}

export function expiresAt(updatedAt: string, retentionDays: number): number {
  return Math.floor((Date.parse(updatedAt) + retentionDays * DAY_MS) / 1000);
}

export function toFindingItem(finding: RecordedFinding, retentionDays: number): FindingItem {
  return {
    ...finding,
    findingId: finding.id,
    kind: FINDING_KIND,
    expiresAt: expiresAt(finding.updatedAt, retentionDays),
    listDay: listDayOf(finding.updatedAt),
    listSort: listSortOf(finding.updatedAt, finding.id),
  };
}

export function lookupKeysOf(finding: RecordedFinding): string[] {
  const keys = finding.remoteIps.map(ipLookupKey);
  // Sample findings carry placeholder keys that every sample shares: they would relate unrelated findings.
  if (finding.accessKey?.accessKeyId && !finding.sample) keys.push(accessKeyLookupKey(finding.accessKey.accessKeyId));
  return keys;
}

export function refItemsOf(finding: RecordedFinding, retentionDays: number): RefItem[] {
  return lookupKeysOf(finding).map((key) => ({
    findingId: `ref#${key}#${finding.id}`,
    kind: REF_KIND,
    entityArn: key,
    updatedAt: finding.updatedAt,
    refFindingId: finding.id,
    activityStart: finding.activityStart,
    activityEnd: finding.activityEnd,
    expiresAt: expiresAt(finding.updatedAt, retentionDays),
  }));
}

const STORAGE_ONLY = ['findingId', 'kind', 'expiresAt', 'listDay', 'listSort', 'firstReceivedAt', 'investigationId', 'investigationStatus', 'investigationClaimedAt', 'investigationRequest', 'investigationStartedAt'];

/** The recorded finding of a FINDING item, without storage and claim attributes. */
export function fromFindingItem(item: Record<string, unknown>): RecordedFinding {
  const copy = { ...item };
  for (const name of STORAGE_ONLY) delete copy[name];
  return copy as unknown as RecordedFinding;
}

export function claimOfItem(item: Record<string, unknown>): InvestigationClaim | undefined {
  const { investigationId, investigationStatus, investigationClaimedAt, investigationRequest } = item as Partial<ClaimAttributes>;
  if (!investigationId || !investigationStatus || !investigationClaimedAt || !investigationRequest) return undefined;
  return { investigationId, status: investigationStatus, claimedAt: investigationClaimedAt, request: investigationRequest };
}

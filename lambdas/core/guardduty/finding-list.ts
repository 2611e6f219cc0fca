import { DAY_MS } from '../investigation/time';

/**
 * The list of findings that arrived through the GuardDuty trigger (`POST /graph/listFindings`), pure: the keys
 * of the Findings table's `byDay` index, what a listed finding shows, its outcome, and the filters. Findings
 * are few (GuardDuty publishes a finding and its updates, not events), so a day's partition is small and the
 * filters are applied to what the keyed Query returns.
 */
export const FINDING_OUTCOMES = ['STARTED', 'SKIPPED', 'PENDING'] as const;
export type FindingOutcomeKind = (typeof FINDING_OUTCOMES)[number];

/** The `byDay` partition of a finding updated at `updatedAt` (a normalized ISO timestamp). */
export function listDayOf(updatedAt: string): string {
  return `day#${updatedAt.slice(0, 10)}`;
}

/** The `byDay` sort key: newest first when read backwards; the id makes it unique within a millisecond. */
export function listSortOf(updatedAt: string, findingId: string): string {
  return `${updatedAt}#${findingId}`;
}

/** The days from..to touches, newest first (the order the list is read in). */
export function daysOf(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const first = Math.floor(fromMs / DAY_MS) * DAY_MS;
  for (let day = Math.floor(toMs / DAY_MS) * DAY_MS; day >= first; day -= DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

/** What the index holds of a finding item (FINDING_LIST_ATTRIBUTES in lambdas/shared/table-design.ts). */
export interface ListedFindingItem {
  id: string;
  type: string;
  severity: number;
  title?: string;
  accountId: string;
  region: string;
  updatedAt: string;
  entityArn?: string;
  entityType?: string;
  principalArn?: string;
  skipReason?: string;
  investigationId?: string;
  investigationStatus?: string;
}

export interface ListedFinding {
  FindingId: string;
  Type: string;
  Severity: number;
  Title?: string;
  AccountId: string;
  Region: string;
  /** The investigable IAM role or user it maps to, or the principal it names that cannot be investigated. */
  Entity?: { EntityType?: string; EntityArn: string };
  UpdatedAt: string;
  Outcome: FindingOutcomeKind;
  SkipReason?: string;
  InvestigationId?: string;
}

/**
 * STARTED: an investigation was started (or reserved: its start is being retried) for the finding. SKIPPED:
 * its latest version was recorded with the reason it starts nothing. PENDING: neither yet (a delivery is
 * between recording and claiming, or a failed start was released for Lambda's retry).
 */
export function outcomeOf(item: Pick<ListedFindingItem, 'investigationId' | 'skipReason'>): FindingOutcomeKind {
  if (item.investigationId) return 'STARTED';
  return item.skipReason !== undefined ? 'SKIPPED' : 'PENDING';
}

export function toListedFinding(item: ListedFindingItem): ListedFinding {
  const outcome = outcomeOf(item);
  const entityArn = item.entityArn ?? item.principalArn;
  return {
    FindingId: item.id,
    Type: item.type,
    Severity: item.severity,
    ...(item.title !== undefined ? { Title: item.title } : {}),
    AccountId: item.accountId,
    Region: item.region,
    ...(entityArn ? { Entity: { ...(item.entityArn && item.entityType ? { EntityType: item.entityType } : {}), EntityArn: entityArn } } : {}),
    UpdatedAt: item.updatedAt,
    Outcome: outcome,
    // A started finding's later version may be skipped (e.g. archived): its investigation is what matters.
    ...(outcome === 'SKIPPED' ? { SkipReason: item.skipReason } : {}),
    ...(item.investigationId ? { InvestigationId: item.investigationId } : {}),
  };
}

/** GuardDuty's severity bands, as its console and Detective's filters name them. */
export const SEVERITY_BANDS = { LOW: [1, 4], MEDIUM: [4, 7], HIGH: [7, 9], CRITICAL: [9, 10.01] } as const;
export type SeverityBand = keyof typeof SEVERITY_BANDS;

export const SEVERITY_BAND_NAMES = Object.keys(SEVERITY_BANDS) as SeverityBand[];

export interface FindingFilter {
  severity?: SeverityBand;
  /** A prefix of the finding type, e.g. `UnauthorizedAccess:` or `Backdoor:EC2/`. */
  typePrefix?: string;
  outcome?: FindingOutcomeKind;
}

export function severityBandOf(severity: number): SeverityBand {
  if (severity >= SEVERITY_BANDS.CRITICAL[0]) return 'CRITICAL';
  if (severity >= SEVERITY_BANDS.HIGH[0]) return 'HIGH';
  if (severity >= SEVERITY_BANDS.MEDIUM[0]) return 'MEDIUM';
  return 'LOW';
}

export function matchesFilter(finding: ListedFinding, filter: FindingFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.severity && severityBandOf(finding.Severity) !== filter.severity) return false;
  if (filter.typePrefix !== undefined && !finding.Type.startsWith(filter.typePrefix)) return false;
  if (filter.outcome && finding.Outcome !== filter.outcome) return false;
  return true;
}

/** A NextToken's position: the day and sort key of the last finding returned. */
export interface FindingListPosition {
  d: string;
  s: string;
}

export function isFindingListPosition(value: unknown): value is FindingListPosition {
  const v = value as Partial<FindingListPosition> | null;
  return typeof v === 'object' && v !== null && typeof v.d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.d) && typeof v.s === 'string' && v.s.length <= 600 && Object.keys(v).length === 2;
}

export const FINDINGS_CSV_HEADER = ['FindingId', 'Type', 'Severity', 'AccountId', 'Region', 'EntityType', 'EntityArn', 'UpdatedAt', 'Outcome', 'SkipReason', 'InvestigationId'];

export function findingCsvRows(findings: readonly ListedFinding[]): (string | number)[][] {
  return findings.map((f) => [f.FindingId, f.Type, f.Severity, f.AccountId, f.Region, f.Entity?.EntityType ?? '', f.Entity?.EntityArn ?? '', f.UpdatedAt, f.Outcome, f.SkipReason ?? '', f.InvestigationId ?? '']);
}

import type { Indicator, IndicatorDetail, IndicatorType, Investigation } from '../../core/investigation/model';
import { LIST_KEY, listingAttributes } from '../../core/investigation/listing';
import { DAY_MS } from '../../core/investigation/time';

/**
 * Table items of the Investigations and Indicators tables (see lambdas/shared/table-design.ts). Items carry
 * the TTL attribute of the deployment's retention, counted from the investigation's creation, so an
 * investigation and its indicators expire with the data they were computed from.
 */
export interface InvestigationItem extends Investigation {
  /** Constant partition key of the `byCreatedTime` index: every investigation, by creation time, without a Scan. */
  listKey: typeof LIST_KEY;
  /** Partition keys of the two-attribute listing indexes (`statusSeverity`, …), see listingAttributes. */
  [indexAttribute: string]: unknown;
  updatedTime: string;
  expiresAt: number;
}

export interface IndicatorItem {
  investigationId: string;
  sk: string;
  indicatorType: IndicatorType;
  indicatorDetail: IndicatorDetail;
  expiresAt: number;
}

export function expiresAt(fromMillis: number, retentionDays: number): number {
  return Math.floor((fromMillis + retentionDays * DAY_MS) / 1000);
}

export function toInvestigationItem(investigation: Investigation, retentionDays: number): InvestigationItem {
  return { ...investigation, ...listingAttributes(investigation), listKey: LIST_KEY, updatedTime: investigation.createdTime, expiresAt: expiresAt(Date.parse(investigation.createdTime), retentionDays) };
}

/** Drops storage-only attributes so that what the API returns is exactly the domain object. */
export function fromInvestigationItem(item: Record<string, unknown>): Investigation {
  const { investigationId, graphArn, entityArn, entityType, status, state, severity, createdTime, scopeStartTime, scopeEndTime, failureReason } = item as unknown as InvestigationItem;
  return {
    investigationId,
    ...(graphArn !== undefined ? { graphArn } : {}),
    entityArn,
    entityType,
    status,
    state,
    severity,
    createdTime,
    scopeStartTime,
    scopeEndTime,
    ...(failureReason !== undefined ? { failureReason } : {}),
  };
}

export function fromIndicatorItem(item: Record<string, unknown>): Indicator {
  const { indicatorType, indicatorDetail } = item as unknown as IndicatorItem;
  return { IndicatorType: indicatorType, IndicatorDetail: indicatorDetail };
}

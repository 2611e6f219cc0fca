import { ApiError } from '../investigation/errors';
import { parseStartInvestigation, type StartInvestigationRequest } from '../investigation/requests';
import type { EntityMapping } from './entity';
import { activityWindow, type FindingRecord } from './finding';
import { investigationScope } from './scope';

/**
 * Whether a received finding should start an investigation, and of what. Every finding is recorded
 * whatever the answer; this only decides the investigation.
 */
export interface TriggerSettings {
  /** The API's longest scope (INVESTIGATION_MAX_SCOPE_DAYS). */
  maxScopeDays: number;
  /**
   * Findings below this severity are recorded but start nothing. The EventBridge rule already filters on the
   * same threshold in AWS; the check here makes local deliveries (which have no rule) behave alike.
   */
  minSeverity: number;
  nowMillis: number;
}

export type InvestigationDecision = { kind: 'start'; request: StartInvestigationRequest; scopeClamped: boolean } | { kind: 'skip'; reason: string };

/** Why a finding starts nothing whatever it names (checked before any lookup of an EC2 instance's role). */
export function findingSkipReason(record: FindingRecord, settings: Pick<TriggerSettings, 'minSeverity'>): string | undefined {
  if (record.sample) return 'a sample finding (CreateSampleFindings): its principal is a placeholder';
  if (record.archived) return 'the finding is archived';
  if (record.severity < settings.minSeverity) return `severity ${record.severity} is below the threshold ${settings.minSeverity}`;
  return undefined;
}

/** The scope an investigation of the finding gets: also the window in which an EC2 instance's sessions are looked up. */
export function findingScope(record: FindingRecord, settings: Pick<TriggerSettings, 'maxScopeDays'>) {
  return investigationScope(activityWindow(record), settings.maxScopeDays);
}

export function decideInvestigation(record: FindingRecord, entity: EntityMapping, settings: TriggerSettings): InvestigationDecision {
  const skip = findingSkipReason(record, settings);
  if (skip !== undefined) return { kind: 'skip', reason: skip };
  if (entity.kind === 'none') return { kind: 'skip', reason: entity.reason };
  const scope = findingScope(record, settings);
  try {
    // The very validation StartInvestigation applies (ARN shape, scope length, start not in the future), so a
    // finding starts exactly the investigations a caller of the API could start.
    const request = parseStartInvestigation(
      { EntityArn: entity.entityArn, ScopeStartTime: scope.scopeStartTime, ScopeEndTime: scope.scopeEndTime },
      { nowMillis: settings.nowMillis, maxScopeDays: settings.maxScopeDays },
    );
    return { kind: 'start', request, scopeClamped: scope.clamped };
  } catch (error) {
    if (error instanceof ApiError) return { kind: 'skip', reason: `not a valid investigation: ${error.message}` };
    throw error;
  }
}

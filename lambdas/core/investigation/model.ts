import type { IndicatorDetail } from '../analysis/detective-types';

/**
 * The investigation domain, in the vocabulary of Amazon Detective's Investigation API so that responses can
 * be written field for field. Enumerations are `as const` arrays: the same list validates requests and types them.
 */

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['RUNNING', 'FAILED', 'SUCCESSFUL'] as const;
export type Status = (typeof STATUSES)[number];

export const STATES = ['ACTIVE', 'ARCHIVED'] as const;
export type State = (typeof STATES)[number];

export const ENTITY_TYPES = ['IAM_ROLE', 'IAM_USER'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const INDICATOR_TYPES = [
  'TTP_OBSERVED',
  'IMPOSSIBLE_TRAVEL',
  'FLAGGED_IP_ADDRESS',
  'NEW_GEOLOCATION',
  'NEW_ASO',
  'NEW_USER_AGENT',
  'RELATED_FINDING',
  'RELATED_FINDING_GROUP',
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const SORT_FIELDS = ['SEVERITY', 'STATUS', 'CREATED_TIME'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export const SORT_ORDERS = ['ASC', 'DESC'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** An investigation as stored and returned. Times are UTC ISO 8601 strings with milliseconds. */
export interface Investigation {
  investigationId: string;
  graphArn?: string;
  entityArn: string;
  entityType: EntityType;
  status: Status;
  state: State;
  severity: Severity;
  createdTime: string;
  scopeStartTime: string;
  scopeEndTime: string;
  /** Why the run failed (Status FAILED); kept for operators, not part of Detective's response. */
  failureReason?: string;
}

/** Detective's indicator detail shapes: one definition, shared with the analyses that produce them. */
export type {
  FlaggedIpAddressDetail,
  ImpossibleTravelDetail,
  IndicatorDetail,
  NewAsoDetail,
  NewGeolocationDetail,
  NewUserAgentDetail,
  RelatedFindingDetail,
  RelatedFindingGroupDetail,
  TTPsObservedDetail,
} from '../analysis/detective-types';

export interface Indicator {
  IndicatorType: IndicatorType;
  IndicatorDetail: IndicatorDetail;
}

/** What the state machine receives for one investigation (the Step Functions execution input). */
export interface InvestigationExecutionInput {
  investigationId: string;
  entityArn: string;
  entityType: EntityType;
  scopeStartTime: string;
  scopeEndTime: string;
  /**
   * When the scope ends less than LOG_DELIVERY_DELAY before the start, the analysis waits until then:
   * CloudTrail delivers logs some minutes after the calls, and an early run would miss the scope's end.
   */
  notBefore?: string;
}

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/**
 * Amazon Detective's Investigation API shapes, mirrored field for field from the official client's type
 * declarations (@aws-sdk/client-detective, dist-types/models/models_0.d.ts and enums.d.ts, 3.1048.0).
 *
 * The core must not import the SDK, so these are our own declarations. Names and string values are exactly
 * Detective's, so an indicator stored or returned by Trailhound can be handed to anything that reads
 * Detective's ListIndicators output. test/analysis/detective-types.test.ts checks assignability both ways
 * against the SDK types, so a drift in either direction fails the type check.
 */

export const IndicatorType = {
  TTP_OBSERVED: 'TTP_OBSERVED',
  IMPOSSIBLE_TRAVEL: 'IMPOSSIBLE_TRAVEL',
  FLAGGED_IP_ADDRESS: 'FLAGGED_IP_ADDRESS',
  NEW_GEOLOCATION: 'NEW_GEOLOCATION',
  NEW_ASO: 'NEW_ASO',
  NEW_USER_AGENT: 'NEW_USER_AGENT',
  RELATED_FINDING: 'RELATED_FINDING',
  RELATED_FINDING_GROUP: 'RELATED_FINDING_GROUP',
} as const;
export type IndicatorType = (typeof IndicatorType)[keyof typeof IndicatorType];

export const Severity = {
  INFORMATIONAL: 'INFORMATIONAL',
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
  CRITICAL: 'CRITICAL',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Why an IP address was flagged. Detective's enum has this single value. */
export const Reason = {
  AWS_THREAT_INTELLIGENCE: 'AWS_THREAT_INTELLIGENCE',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const EntityType = { IAM_ROLE: 'IAM_ROLE', IAM_USER: 'IAM_USER' } as const;
export type EntityType = (typeof EntityType)[keyof typeof EntityType];

export const Status = { RUNNING: 'RUNNING', FAILED: 'FAILED', SUCCESSFUL: 'SUCCESSFUL' } as const;
export type Status = (typeof Status)[keyof typeof Status];

export const State = { ACTIVE: 'ACTIVE', ARCHIVED: 'ARCHIVED' } as const;
export type State = (typeof State)[keyof typeof State];

export interface TTPsObservedDetail {
  Tactic?: string;
  Technique?: string;
  Procedure?: string;
  IpAddress?: string;
  APIName?: string;
  APISuccessCount?: number;
  APIFailureCount?: number;
}

export interface ImpossibleTravelDetail {
  StartingIpAddress?: string;
  EndingIpAddress?: string;
  StartingLocation?: string;
  EndingLocation?: string;
  HourlyTimeDelta?: number;
}

export interface FlaggedIpAddressDetail {
  IpAddress?: string;
  Reason?: Reason;
}

export interface NewGeolocationDetail {
  Location?: string;
  IpAddress?: string;
  IsNewForEntireAccount?: boolean;
}

export interface NewAsoDetail {
  Aso?: string;
  IsNewForEntireAccount?: boolean;
}

export interface NewUserAgentDetail {
  UserAgent?: string;
  IsNewForEntireAccount?: boolean;
}

/** Note: Detective identifies a related finding by its ARN (`Arn`), not by its id. */
export interface RelatedFindingDetail {
  Arn?: string;
  Type?: string;
  IpAddress?: string;
}

export interface RelatedFindingGroupDetail {
  Id?: string;
}

export interface IndicatorDetail {
  TTPsObservedDetail?: TTPsObservedDetail;
  ImpossibleTravelDetail?: ImpossibleTravelDetail;
  FlaggedIpAddressDetail?: FlaggedIpAddressDetail;
  NewGeolocationDetail?: NewGeolocationDetail;
  NewAsoDetail?: NewAsoDetail;
  NewUserAgentDetail?: NewUserAgentDetail;
  RelatedFindingDetail?: RelatedFindingDetail;
  RelatedFindingGroupDetail?: RelatedFindingGroupDetail;
}

export interface Indicator {
  IndicatorType?: IndicatorType;
  IndicatorDetail?: IndicatorDetail;
}

/*
 * Narrower views of the same shape, one per indicator type, so that analyzers state exactly what they emit
 * and consumers can switch on IndicatorType. Each is assignable to Indicator.
 */
export interface TtpObservedIndicator extends Indicator {
  IndicatorType: 'TTP_OBSERVED';
  IndicatorDetail: { TTPsObservedDetail: TTPsObservedDetail };
}
export interface ImpossibleTravelIndicator extends Indicator {
  IndicatorType: 'IMPOSSIBLE_TRAVEL';
  IndicatorDetail: { ImpossibleTravelDetail: ImpossibleTravelDetail };
}
export interface FlaggedIpAddressIndicator extends Indicator {
  IndicatorType: 'FLAGGED_IP_ADDRESS';
  IndicatorDetail: { FlaggedIpAddressDetail: FlaggedIpAddressDetail };
}
export interface NewGeolocationIndicator extends Indicator {
  IndicatorType: 'NEW_GEOLOCATION';
  IndicatorDetail: { NewGeolocationDetail: NewGeolocationDetail };
}
export interface NewAsoIndicator extends Indicator {
  IndicatorType: 'NEW_ASO';
  IndicatorDetail: { NewAsoDetail: NewAsoDetail };
}
export interface NewUserAgentIndicator extends Indicator {
  IndicatorType: 'NEW_USER_AGENT';
  IndicatorDetail: { NewUserAgentDetail: NewUserAgentDetail };
}
export interface RelatedFindingIndicator extends Indicator {
  IndicatorType: 'RELATED_FINDING';
  IndicatorDetail: { RelatedFindingDetail: RelatedFindingDetail };
}
export interface RelatedFindingGroupIndicator extends Indicator {
  IndicatorType: 'RELATED_FINDING_GROUP';
  IndicatorDetail: { RelatedFindingGroupDetail: RelatedFindingGroupDetail };
}

export type KnownIndicator =
  | TtpObservedIndicator
  | ImpossibleTravelIndicator
  | FlaggedIpAddressIndicator
  | NewGeolocationIndicator
  | NewAsoIndicator
  | NewUserAgentIndicator
  | RelatedFindingIndicator
  | RelatedFindingGroupIndicator;

/** Copies an object without its undefined-valued keys: Detective omits absent fields rather than sending null. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

import type * as Sdk from '@aws-sdk/client-detective';
import {
  EntityType as SdkEntityType,
  IndicatorType as SdkIndicatorType,
  Reason as SdkReason,
  Severity as SdkSeverity,
  State as SdkState,
  Status as SdkStatus,
} from '@aws-sdk/client-detective';
import * as Ours from '../../lambdas/core/analysis/detective-types';

/**
 * Our mirror of Detective's shapes must stay interchangeable with the official client's: each check below
 * fails `tsc --noEmit` (which `npm test` runs) when a field is renamed, added or retyped on either side.
 */
type Assignable<From, To> = [From] extends [To] ? true : false;
type Both<A, B> = Assignable<A, B> extends true ? (Assignable<B, A> extends true ? true : false) : false;
const check = <T extends true>(): T => true as T;

check<Both<Ours.IndicatorType, Sdk.IndicatorType>>();
check<Both<Ours.Severity, Sdk.Severity>>();
check<Both<Ours.Reason, Sdk.Reason>>();
check<Both<Ours.EntityType, Sdk.EntityType>>();
check<Both<Ours.Status, Sdk.Status>>();
check<Both<Ours.State, Sdk.State>>();
check<Both<Ours.TTPsObservedDetail, Sdk.TTPsObservedDetail>>();
check<Both<Ours.ImpossibleTravelDetail, Sdk.ImpossibleTravelDetail>>();
check<Both<Ours.FlaggedIpAddressDetail, Sdk.FlaggedIpAddressDetail>>();
check<Both<Ours.NewGeolocationDetail, Sdk.NewGeolocationDetail>>();
check<Both<Ours.NewAsoDetail, Sdk.NewAsoDetail>>();
check<Both<Ours.NewUserAgentDetail, Sdk.NewUserAgentDetail>>();
check<Both<Ours.RelatedFindingDetail, Sdk.RelatedFindingDetail>>();
check<Both<Ours.RelatedFindingGroupDetail, Sdk.RelatedFindingGroupDetail>>();
check<Both<Ours.IndicatorDetail, Sdk.IndicatorDetail>>();
check<Both<Ours.Indicator, Sdk.Indicator>>();
// Field names must match exactly, not just be compatible (all are optional, so {} would be assignable).
check<Both<keyof Ours.TTPsObservedDetail, keyof Sdk.TTPsObservedDetail>>();
check<Both<keyof Ours.ImpossibleTravelDetail, keyof Sdk.ImpossibleTravelDetail>>();
check<Both<keyof Ours.FlaggedIpAddressDetail, keyof Sdk.FlaggedIpAddressDetail>>();
check<Both<keyof Ours.NewGeolocationDetail, keyof Sdk.NewGeolocationDetail>>();
check<Both<keyof Ours.NewAsoDetail, keyof Sdk.NewAsoDetail>>();
check<Both<keyof Ours.NewUserAgentDetail, keyof Sdk.NewUserAgentDetail>>();
check<Both<keyof Ours.RelatedFindingDetail, keyof Sdk.RelatedFindingDetail>>();
check<Both<keyof Ours.RelatedFindingGroupDetail, keyof Sdk.RelatedFindingGroupDetail>>();
check<Both<keyof Ours.IndicatorDetail, keyof Sdk.IndicatorDetail>>();
check<Both<keyof Ours.Indicator, keyof Sdk.Indicator>>();
// Every narrowed indicator is a valid SDK indicator.
check<Assignable<Ours.KnownIndicator, Sdk.Indicator>>();

describe('Detective shapes', () => {
  it('enum values equal the official client', () => {
    expect(Ours.IndicatorType).toEqual({ ...SdkIndicatorType });
    expect(Ours.Severity).toEqual({ ...SdkSeverity });
    expect(Ours.Reason).toEqual({ ...SdkReason });
    expect(Ours.EntityType).toEqual({ ...SdkEntityType });
    expect(Ours.Status).toEqual({ ...SdkStatus });
    expect(Ours.State).toEqual({ ...SdkState });
  });

  it('withoutUndefined drops absent fields rather than sending null', () => {
    expect(Ours.withoutUndefined({ IpAddress: '192.0.2.1', Reason: undefined })).toEqual({ IpAddress: '192.0.2.1' });
  });
});

import { baselineIsMature, baselineWindow, newnessIndicators } from '../../core/analysis';
import { subjectOfAccount } from '../../core/cloudtrail/activity';
import { apiBehaviour } from '../../core/graph/api-behaviour';
import { sumActivity, type ActivityTotals } from '../../core/queries/activity-totals';
import type { ProfileDependencies } from './dependencies';

const DAY_MS = 86_400_000;

/**
 * New behaviour of a principal against its baseline, the NewBehaviour stage's rules plus Detective's API
 * panels (core/graph/api-behaviour.ts). The baseline (the principal's and its account's items of the days
 * before the scope) is read once; while it is immature (fewer than minBaselineDays of data) nothing is
 * reported, as in Detective's training period, since everything would look new.
 */
export async function newBehaviourPanel(deps: ProfileDependencies, subject: string, accountId: string, from: string, to: string, scope: ActivityTotals) {
  const baseline = baselineWindow(from, deps.config.baselineDays);
  const dataFrom = await deps.queries.firstHour(subjectOfAccount(accountId), baseline.from, from);
  const mature = baselineIsMature(from, dataFrom, deps.config.minBaselineDays);
  const window = { BaselineStartTime: baseline.from, BaselineEndTime: baseline.to, BaselineMature: mature };
  if (!mature) {
    return { ...window, SkippedReason: `less than ${deps.config.minBaselineDays} days of data before the scope`, NewGeolocations: [], NewAsos: [], NewUserAgents: [], NewApiCalls: [], IncreasedVolumeApiCalls: [] };
  }
  const [own, account] = await Promise.all([deps.queries.activityItems(subject, baseline.from, from), deps.queries.activityItems(subjectOfAccount(accountId), baseline.from, from)]);
  const ownBaseline = sumActivity(own);
  const newness = newnessIndicators({ scope, baseline: ownBaseline, accountBaseline: sumActivity(account), geo: deps.geo, options: deps.config.newness });
  const dataStart = Math.max(Date.parse(dataFrom ?? baseline.from), Date.parse(baseline.from));
  const apis = apiBehaviour({ scope: scope.apis, baseline: ownBaseline.apis, scopeDays: (Date.parse(to) - Date.parse(from)) / DAY_MS, baselineDataDays: (Date.parse(from) - dataStart) / DAY_MS });
  return {
    ...window,
    NewGeolocations: newness.geolocations.map((i) => i.IndicatorDetail.NewGeolocationDetail),
    NewAsos: newness.asos.map((i) => i.IndicatorDetail.NewAsoDetail),
    NewUserAgents: newness.userAgents.map((i) => i.IndicatorDetail.NewUserAgentDetail),
    ...apis,
  };
}

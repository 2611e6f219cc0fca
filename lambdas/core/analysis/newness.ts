import type { NewAsoIndicator, NewGeolocationIndicator, NewUserAgentIndicator } from './detective-types';
import { asoLabel, locationKey, locationLabel, SourceIntelCache, type GeoLookup, type LocationGranularity } from './geo';

/**
 * NEW_GEOLOCATION, NEW_ASO and NEW_USER_AGENT: what the entity did in scope from places, networks and clients
 * it had not used in the baseline window before the scope (Detective: the 45 days before the scope time; see
 * config.ts). IsNewForEntireAccount says whether the value was also unseen for every principal of the account
 * over the same baseline; it is left out when no account-wide baseline is supplied rather than guessed.
 */

/** Counts maps as in ActivityTotals (`sourceIps`, `userAgents`), or plain sets of values. */
export type ObservedValues = Record<string, number> | Iterable<string>;

export interface ObservedSources {
  sourceIps: ObservedValues;
  userAgents: ObservedValues;
}

export interface NewnessOptions {
  /** `city` (default, as Detective's map) or `country`. */
  locationGranularity: LocationGranularity;
  /** `exact` (default) compares whole user-agent strings; `product` only the first product token (`aws-cli`, `Boto3`), so upgrades are not "new". */
  userAgentMatch: 'exact' | 'product';
  /** User agents that are AWS services acting on the entity's behalf (`AWS Internal`, `*.amazonaws.com`) say nothing about a new client. */
  ignoreAwsServiceUserAgents: boolean;
}

export const DEFAULT_NEWNESS_OPTIONS: NewnessOptions = { locationGranularity: 'city', userAgentMatch: 'exact', ignoreAwsServiceUserAgents: true };

export interface NewnessInput {
  scope: ObservedSources;
  /** The entity's own activity in the baseline window. */
  baseline: ObservedSources;
  /** Activity of the whole account in the baseline window; enables IsNewForEntireAccount. */
  accountBaseline?: ObservedSources;
  geo: GeoLookup;
  options?: Partial<NewnessOptions>;
}

export interface NewnessIndicators {
  geolocations: NewGeolocationIndicator[];
  asos: NewAsoIndicator[];
  userAgents: NewUserAgentIndicator[];
}

function valuesOf(observed: ObservedValues): string[] {
  if (typeof (observed as Iterable<string>)[Symbol.iterator] === 'function') return [...(observed as Iterable<string>)];
  return Object.keys(observed);
}

const AWS_SERVICE_USER_AGENT = /^(aws internal|[a-z0-9.-]+\.amazonaws\.com)$/i;

export function userAgentKey(userAgent: string, match: NewnessOptions['userAgentMatch']): string {
  const trimmed = userAgent.trim();
  if (match === 'exact') return trimmed;
  const firstToken = trimmed.split(/\s+/)[0] ?? '';
  return firstToken.split('/')[0].toLowerCase();
}

interface Keyed {
  key: string;
  label: string;
  ip?: string;
}

/**
 * Geolocations of addresses. A record without a city is only country-level (GeoLite2 then gives the country's
 * centroid): it is keyed by country, and a baseline location also registers its country (see baselineKeysOf),
 * so "United States" from a city-less record is not new for an entity that worked from Ashburn, US.
 */
function geolocationsOf(sources: ObservedValues, intel: SourceIntelCache, granularity: LocationGranularity): Keyed[] {
  const out: Keyed[] = [];
  for (const source of valuesOf(sources)) {
    const { ip, location } = intel.of(source);
    if (!ip || !location) continue;
    const key = locationKey(location, granularity);
    const label = granularity === 'country' ? locationLabel({ ...location, city: undefined }) : locationLabel(location);
    if (key && label) out.push({ key, label, ip });
  }
  return out;
}

/** Keys a baseline location makes "known": its own, and its country's (for city-less scope records). */
function geoBaselineKeys(values: readonly Keyed[]): Set<string> {
  const keys = new Set<string>();
  for (const value of values) {
    keys.add(value.key);
    keys.add(value.key.split('|')[0]);
  }
  return keys;
}

function asosOf(sources: ObservedValues, intel: SourceIntelCache): Keyed[] {
  const out: Keyed[] = [];
  for (const source of valuesOf(sources)) {
    const { ip, autonomousSystem } = intel.of(source);
    if (!ip || !autonomousSystem) continue;
    const label = asoLabel(autonomousSystem);
    out.push({ key: label.toLowerCase(), label, ip });
  }
  return out;
}

function userAgentsOf(userAgents: ObservedValues, options: NewnessOptions): Keyed[] {
  const out: Keyed[] = [];
  for (const userAgent of valuesOf(userAgents)) {
    if (userAgent.trim() === '') continue;
    if (options.ignoreAwsServiceUserAgents && AWS_SERVICE_USER_AGENT.test(userAgent.trim())) continue;
    out.push({ key: userAgentKey(userAgent, options.userAgentMatch), label: userAgent });
  }
  return out;
}

function keysOf(values: readonly Keyed[]): Set<string> {
  return new Set(values.map((v) => v.key));
}

/** Values of `scope` whose key is not in `baseline`, sorted by label (and IP). */
function newOnes(scope: readonly Keyed[], baseline: ReadonlySet<string>): Keyed[] {
  const seen = new Set<string>();
  return scope
    .filter((value) => !baseline.has(value.key))
    .filter((value) => {
      const id = `${value.key}\u0000${value.ip ?? value.label}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort((a, b) => a.label.localeCompare(b.label) || (a.ip ?? '').localeCompare(b.ip ?? ''));
}

export function newnessIndicators(input: NewnessInput): NewnessIndicators {
  const options = { ...DEFAULT_NEWNESS_OPTIONS, ...input.options };
  const intel = new SourceIntelCache(input.geo);
  const account = input.accountBaseline;
  // Keys seen account-wide; the entity belongs to the account, so its own baseline counts too.
  const accountKeys = (accountValues: Keyed[] | undefined, entityBaseline: Keyed[]) => (accountValues ? keysOf([...accountValues, ...entityBaseline]) : undefined);
  const isNewForAccount = (keys: ReadonlySet<string> | undefined, key: string) => (keys ? { IsNewForEntireAccount: !keys.has(key) } : {});

  const baselineGeo = geolocationsOf(input.baseline.sourceIps, intel, options.locationGranularity);
  const accountGeoValues = account && geolocationsOf(account.sourceIps, intel, options.locationGranularity);
  const accountGeo = accountGeoValues ? geoBaselineKeys([...accountGeoValues, ...baselineGeo]) : undefined;
  const geolocations: NewGeolocationIndicator[] = newOnes(geolocationsOf(input.scope.sourceIps, intel, options.locationGranularity), geoBaselineKeys(baselineGeo)).map(
    (value) => ({
      IndicatorType: 'NEW_GEOLOCATION',
      IndicatorDetail: { NewGeolocationDetail: { Location: value.label, IpAddress: value.ip, ...isNewForAccount(accountGeo, value.key) } },
    }),
  );

  // One NEW_ASO per organisation, whatever the number of addresses in it (NewAsoDetail has no address).
  const baselineAsos = asosOf(input.baseline.sourceIps, intel);
  const accountAsos = accountKeys(account && asosOf(account.sourceIps, intel), baselineAsos);
  const seenAso = new Set<string>();
  const asos: NewAsoIndicator[] = newOnes(asosOf(input.scope.sourceIps, intel), keysOf(baselineAsos))
    .filter((value) => !seenAso.has(value.key) && !!seenAso.add(value.key))
    .map((value) => ({ IndicatorType: 'NEW_ASO', IndicatorDetail: { NewAsoDetail: { Aso: value.label, ...isNewForAccount(accountAsos, value.key) } } }));

  const baselineAgents = userAgentsOf(input.baseline.userAgents, options);
  const accountAgents = accountKeys(account && userAgentsOf(account.userAgents, options), baselineAgents);
  const userAgents: NewUserAgentIndicator[] = newOnes(userAgentsOf(input.scope.userAgents, options), keysOf(baselineAgents)).map((value) => ({
    IndicatorType: 'NEW_USER_AGENT',
    IndicatorDetail: { NewUserAgentDetail: { UserAgent: value.label, ...isNewForAccount(accountAgents, value.key) } },
  }));

  return { geolocations, asos, userAgents };
}

/** All three kinds, in Detective's order of indicator types. */
export function analyzeNewness(input: NewnessInput): (NewGeolocationIndicator | NewAsoIndicator | NewUserAgentIndicator)[] {
  const { geolocations, asos, userAgents } = newnessIndicators(input);
  return [...geolocations, ...asos, ...userAgents];
}

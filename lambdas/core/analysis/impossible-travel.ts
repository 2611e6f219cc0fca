import { subjectOfSession } from '../cloudtrail/activity';
import type { ImpossibleTravelIndicator } from './detective-types';
import { haversineKm, locationLabel, SourceIntelCache, type GeoLocation, type GeoLookup } from './geo';

/**
 * IMPOSSIBLE_TRAVEL: the same credentials used from two places further apart than anyone could travel in the
 * time between the two uses.
 *
 * Time resolution. Activity is aggregated per (subject, hour, log object), so for an address we know only that
 * it was used at least once between the aggregate's firstEvent and lastEvent. Two cases:
 *  - the aggregate has a single source address: its firstEvent and lastEvent ARE uses of that address, so the
 *    elapsed time between the last use at A and the first use at B is known exactly. This is the common case:
 *    CloudTrail writes a file about every 5 minutes, so a session's aggregates are short and single-sourced.
 *    A session's creating event (sourceIp at createdAt) is also an exact use.
 *  - the aggregate has several sources: the use of A may lie anywhere in [firstEvent, lastEvent]. We then take
 *    the LONGEST elapsed time consistent with the data (A used as early, B as late, as possible). Taking the
 *    shortest would turn two addresses used in the same hour into "zero hours apart" and flag every VPN switch.
 * So the elapsed time used is always an upper bound on the real time between some use at A and some use at B,
 * and equals the shortest elapsed time whenever the observations pin it down. Speed computed from it is a
 * lower bound on the speed the traveller needed: when even that exceeds the limit, the travel was impossible.
 *
 * Distance. Great-circle (haversine) distance between the database coordinates, minus both accuracy radii when
 * the database gives them (MaxMind's official layout), and a minimum distance (default 500 km) below which
 * nothing is reported, since nearby cities are within geolocation noise. A record without a city is only
 * country-level: its coordinates are the country's centroid (GeoLite2 puts every city-less US address in
 * Kansas). Such a record gets a large uncertainty radius (default 1000 km), and is never compared with another
 * address in the same country, where the centroid says nothing about distance.
 *
 * Who travels. A role's sessions legitimately run in many places at once (a Lambda function in two regions), so
 * observations are grouped by subject: each session (and each IAM user principal) is one traveller.
 */

export interface TravelActivity {
  /** Activity subject (`session#<id>` or a principal key): each subject is one traveller. */
  subject?: string;
  sourceIps: Record<string, number>;
  firstEvent: string;
  lastEvent: string;
  overflow?: Record<string, number>;
}

export interface TravelSession {
  sessionId: string;
  /** From the session-creating event: its time is `createdAt`. */
  sourceIp?: string;
  createdAt: string;
  createdAtSource?: 'creation-event' | 'session-context' | 'first-seen';
}

export interface ImpossibleTravelOptions {
  /** Fastest plausible travel, km/h: about a commercial flight. */
  maxSpeedKmh: number;
  /** Pairs closer than this (after subtracting accuracy radii) are never reported. */
  minDistanceKm: number;
  /** Uncertainty assumed for a country-level record (no city, no accuracy radius): its coordinates are a centroid. */
  countryLevelRadiusKm: number;
}

export const DEFAULT_IMPOSSIBLE_TRAVEL_OPTIONS: ImpossibleTravelOptions = { maxSpeedKmh: 1000, minDistanceKm: 500, countryLevelRadiusKm: 1000 };

/** Effective distance between two locations, or undefined when they cannot be told apart. */
export function separationKm(a: GeoLocation & { latitude: number; longitude: number }, b: GeoLocation & { latitude: number; longitude: number }, countryLevelRadiusKm: number): number | undefined {
  const countryLevel = (l: GeoLocation) => !l.city && l.accuracyRadiusKm === undefined;
  if ((countryLevel(a) || countryLevel(b)) && a.countryCode !== undefined && a.countryCode === b.countryCode) return undefined;
  const radius = (l: GeoLocation) => l.accuracyRadiusKm ?? (countryLevel(l) ? countryLevelRadiusKm : 0);
  return haversineKm(a, b) - radius(a) - radius(b);
}

export interface ImpossibleTravelInput {
  activity: readonly TravelActivity[];
  sessions?: readonly TravelSession[];
  geo: GeoLookup;
  options?: Partial<ImpossibleTravelOptions>;
}

/** Evidence behind one indicator, for the report and for tests. */
export interface TravelLeg {
  subject: string;
  startingIp: string;
  endingIp: string;
  startingLocation: GeoLocation;
  endingLocation: GeoLocation;
  distanceKm: number;
  elapsedHours: number;
  speedKmh: number;
}

interface Observation {
  subject: string;
  ip: string;
  location: GeoLocation & { latitude: number; longitude: number };
  from: number;
  to: number;
  /** from and to are themselves uses of this address. */
  exact: boolean;
}

const HALF_EARTH_CIRCUMFERENCE_KM = 20_037.5;
const HOUR_MS = 3_600_000;

/** Upper bound, in ms, on the time between some use in `a` and some use in `b` (see the module comment). */
export function elapsedUpperBoundMs(a: Pick<Observation, 'from' | 'to' | 'exact'>, b: Pick<Observation, 'from' | 'to' | 'exact'>): number {
  if (a.exact && b.exact) {
    // Known uses at both ends of each window: the closest pair of them.
    let best = Infinity;
    for (const ta of [a.from, a.to]) for (const tb of [b.from, b.to]) best = Math.min(best, Math.abs(ta - tb));
    return best;
  }
  if (a.exact || b.exact) {
    const [known, unknown] = a.exact ? [a, b] : [b, a];
    // The unknown use may be anywhere in its window: take its worst position for each known use, then the best known use.
    return Math.min(...[known.from, known.to].map((t) => Math.max(Math.abs(t - unknown.from), Math.abs(t - unknown.to))));
  }
  return Math.max(b.to - a.from, a.to - b.from);
}

function observationsOf(input: ImpossibleTravelInput, intel: SourceIntelCache): Observation[] {
  const observations: Observation[] = [];
  const add = (subject: string, source: string, from: number, to: number, exact: boolean) => {
    const { ip, location } = intel.of(source);
    if (!ip || !location || location.latitude === undefined || location.longitude === undefined) return;
    if (Number.isNaN(from) || Number.isNaN(to)) return;
    observations.push({ subject, ip, location: { ...location, latitude: location.latitude, longitude: location.longitude }, from, to, exact });
  };
  for (const item of input.activity) {
    const sources = Object.keys(item.sourceIps ?? {});
    const exact = sources.length === 1 && (item.overflow?.sourceIps ?? 0) === 0;
    for (const source of sources) add(item.subject ?? '', source, Date.parse(item.firstEvent), Date.parse(item.lastEvent), exact);
  }
  for (const session of input.sessions ?? []) {
    // The source IP comes from the creating event, whose time is createdAt only when createdAt came from it too.
    if (!session.sourceIp || (session.createdAtSource !== undefined && session.createdAtSource !== 'creation-event')) continue;
    const at = Date.parse(session.createdAt);
    add(subjectOfSession(session.sessionId), session.sourceIp, at, at, true);
  }
  return observations;
}

/** Pairs of observations of the same traveller that no one could have travelled between. */
export function impossibleTravelLegs(input: ImpossibleTravelInput): TravelLeg[] {
  const options = { ...DEFAULT_IMPOSSIBLE_TRAVEL_OPTIONS, ...input.options };
  const intel = new SourceIntelCache(input.geo);
  // No pair further apart in time than this can be impossible: nothing on Earth is further than half its circumference.
  const lookbackMs = (HALF_EARTH_CIRCUMFERENCE_KM / options.maxSpeedKmh) * HOUR_MS + HOUR_MS;

  const bySubject = new Map<string, Observation[]>();
  for (const observation of observationsOf(input, intel)) {
    const list = bySubject.get(observation.subject);
    if (list) list.push(observation);
    else bySubject.set(observation.subject, [observation]);
  }

  const legs = new Map<string, TravelLeg & { startedAt: number }>();
  for (const [subject, observations] of bySubject) {
    observations.sort((a, b) => a.from - b.from || a.to - b.to || a.ip.localeCompare(b.ip));
    for (let i = 0; i < observations.length; i++) {
      const later = observations[i];
      for (let j = i - 1; j >= 0 && later.from - observations[j].from <= lookbackMs; j--) {
        const earlier = observations[j];
        if (earlier.ip === later.ip) continue;
        const distanceKm = separationKm(earlier.location, later.location, options.countryLevelRadiusKm);
        if (distanceKm === undefined || distanceKm < options.minDistanceKm) continue;
        const elapsedHours = elapsedUpperBoundMs(earlier, later) / HOUR_MS;
        const speedKmh = elapsedHours > 0 ? distanceKm / elapsedHours : Infinity;
        if (speedKmh <= options.maxSpeedKmh) continue;
        const key = `${subject}\u0000${earlier.ip}\u0000${later.ip}`;
        const existing = legs.get(key);
        if (existing && existing.elapsedHours <= elapsedHours) continue;
        legs.set(key, {
          subject,
          startingIp: earlier.ip,
          endingIp: later.ip,
          startingLocation: earlier.location,
          endingLocation: later.location,
          distanceKm,
          elapsedHours,
          speedKmh,
          startedAt: earlier.from,
        });
      }
    }
  }
  return [...legs.values()]
    .sort((a, b) => a.startedAt - b.startedAt || a.startingIp.localeCompare(b.startingIp) || a.endingIp.localeCompare(b.endingIp))
    .map(({ startedAt: _startedAt, ...leg }) => leg);
}

/**
 * Detective reports a leg once per (starting, ending) address pair, whichever traveller made it; we keep the
 * tightest instance of each pair (shortest elapsed time), in order of first occurrence.
 */
export function impossibleTravelIndicators(legs: readonly TravelLeg[]): ImpossibleTravelIndicator[] {
  const tightest = new Map<string, TravelLeg>();
  for (const leg of legs) {
    const key = `${leg.startingIp}\u0000${leg.endingIp}`;
    const kept = tightest.get(key);
    if (!kept || leg.elapsedHours < kept.elapsedHours) tightest.set(key, leg);
  }
  return [...tightest.values()].map((leg) => {
    const starting = locationLabel(leg.startingLocation);
    const ending = locationLabel(leg.endingLocation);
    return {
      IndicatorType: 'IMPOSSIBLE_TRAVEL',
      IndicatorDetail: {
        ImpossibleTravelDetail: {
          StartingIpAddress: leg.startingIp,
          EndingIpAddress: leg.endingIp,
          ...(starting ? { StartingLocation: starting } : {}),
          ...(ending ? { EndingLocation: ending } : {}),
          HourlyTimeDelta: Math.round(leg.elapsedHours * 100) / 100,
        },
      },
    };
  });
}

export function analyzeImpossibleTravel(input: ImpossibleTravelInput): ImpossibleTravelIndicator[] {
  return impossibleTravelIndicators(impossibleTravelLegs(input));
}

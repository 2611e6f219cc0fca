import type { AnalysisConfig, GeoLookup } from '../../core/analysis';
import type { InvestigationRepository } from '../../core/investigation/ports';
import type { LoadedThreatIntel } from '../../adapters/threat-intel';
import { stageDependencies, type FindingSource } from '../../investigation-stages/stage-context';
import type { TrailQueries } from '../../queries/trail-queries';
import type { FlowQueries } from '../../queries/flow-queries';
import { retentionDays } from '../../shared/config';

/**
 * What the graph routes read: the trail tables (TrailQueries), the geolocation databases and threat-intel
 * lists, related findings, and the investigations. The same adapters the investigation stages use, built
 * once per container from the same environment variables.
 */
export interface ProfileDependencies {
  queries: TrailQueries;
  /** The VPC flow-log reads: the summary's top talkers (left out without them). */
  flows?: FlowQueries;
  geo: GeoLookup;
  threatIntel(): Promise<LoadedThreatIntel>;
  findingSources: FindingSource[];
  investigations: InvestigationRepository;
  config: AnalysisConfig;
  retentionDays: number;
  maxScopeDays: number;
  now(): number;
}

/**
 * Adapters are reached through getters, so that a request is validated before they are built (a bad body is
 * a 400 even where the trail tables are not configured) and built once (stageDependencies caches them).
 * Built once per request (InvestigationApi.profiles): `queries` is a request view of the container's
 * TrailQueries, whose reads are cached for this request only (the same index, pack or events read once).
 */
export function profileDependenciesFromEnv(investigations: InvestigationRepository, maxScopeDays: number, now: () => number, env: NodeJS.ProcessEnv = process.env): ProfileDependencies {
  let requestQueries: TrailQueries | undefined;
  return {
    get queries() {
      return (requestQueries ??= stageDependencies(env).queries.forRequest());
    },
    get flows() {
      return stageDependencies(env).flows;
    },
    get geo() {
      return stageDependencies(env).geo;
    },
    threatIntel: () => stageDependencies(env).threatIntel(),
    get findingSources() {
      return stageDependencies(env).findingSources;
    },
    get config() {
      return stageDependencies(env).config;
    },
    investigations,
    retentionDays: retentionDays(env),
    maxScopeDays,
    now,
  };
}

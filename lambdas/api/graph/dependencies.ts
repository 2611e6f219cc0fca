import type { AnalysisConfig, GeoLookup } from '../../core/analysis';
import type { InvestigationRepository } from '../../core/investigation/ports';
import type { LoadedThreatIntel } from '../../adapters/threat-intel';
import { stageDependencies, type FindingSource } from '../../investigation-stages/stage-context';
import type { TrailQueries } from '../../queries/trail-queries';
import { retentionDays } from '../../shared/config';

/**
 * What the graph routes read: the trail tables (TrailQueries), the geolocation databases and threat-intel
 * lists, related findings, and the investigations. The same adapters the investigation stages use, built
 * once per container from the same environment variables.
 */
export interface GraphDependencies {
  queries: TrailQueries;
  geo: GeoLookup;
  threatIntel(): Promise<LoadedThreatIntel>;
  findingSources: FindingSource[];
  investigations: InvestigationRepository;
  config: AnalysisConfig;
  retentionDays: number;
  maxScopeDays: number;
  now(): number;
}

export function graphDependenciesFromEnv(investigations: InvestigationRepository, maxScopeDays: number, now: () => number, env: NodeJS.ProcessEnv = process.env): GraphDependencies {
  const stage = stageDependencies(env);
  return { queries: stage.queries, geo: stage.geo, threatIntel: stage.threatIntel, findingSources: stage.findingSources, investigations, config: stage.config, retentionDays: retentionDays(env), maxScopeDays, now };
}

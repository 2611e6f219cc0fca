import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseThreatIntelList, ThreatIntelMatcher, type ThreatIntelList } from '../../core/analysis/threat-intel';

/**
 * Threat-intel lists from local files. The lists are GuardDuty's plain-text format (one IP or CIDR per line),
 * so the files a team already uploads to GuardDuty as threat lists work unchanged. Reading them from S3 is the
 * stage handler's job: fetch each object's text and pass it to `threatIntelMatcherFromTexts`.
 *
 * THREAT_INTEL_FILES: comma-separated paths; each file's name (without directory) becomes its list name.
 */

export const THREAT_INTEL_ENV = 'THREAT_INTEL_FILES';

/** The example list shipped in data/threat-intel (documentation ranges only): for local runs and tests. */
export const EXAMPLE_THREAT_INTEL_FILE = join(__dirname, '..', '..', '..', 'data', 'threat-intel', 'example-blocklist.txt');

export interface ThreatIntelText {
  name: string;
  text: string;
}

export function loadThreatIntelFile(path: string, name: string = basename(path)): ThreatIntelList {
  return parseThreatIntelList(readFileSync(path, 'utf8'), name);
}

export interface LoadedThreatIntel {
  matcher: ThreatIntelMatcher;
  /** The parsed lists, with the lines each one rejected (log them: a rejected line is a silent gap otherwise). */
  lists: ThreatIntelList[];
}

export function threatIntelMatcherFromTexts(sources: readonly ThreatIntelText[]): LoadedThreatIntel {
  const lists = sources.map((source) => parseThreatIntelList(source.text, source.name));
  return { matcher: new ThreatIntelMatcher(lists), lists };
}

const cache = new Map<string, LoadedThreatIntel>();

/** The lists named by THREAT_INTEL_FILES, read once per process; an empty matcher when the variable is unset. */
export function threatIntelFromEnv(env: Record<string, string | undefined> = process.env): LoadedThreatIntel {
  const value = env[THREAT_INTEL_ENV]?.trim() ?? '';
  let loaded = cache.get(value);
  if (!loaded) {
    const files = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const lists = files.map((file) => loadThreatIntelFile(file));
    loaded = { matcher: new ThreatIntelMatcher(lists), lists };
    cache.set(value, loaded);
  }
  return loaded;
}

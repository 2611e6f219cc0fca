import catalogJson from '../../../data/mitre-attack-cloudtrail.json';

/**
 * The mapping of CloudTrail API calls to MITRE ATT&CK tactics, techniques and procedures, kept as data in
 * data/mitre-attack-cloudtrail.json (reviewable, citable, editable without touching code) and checked here
 * when the module loads, so a malformed edit fails fast rather than silently dropping indicators.
 */

export interface TtpCatalogEntry {
  /** `service:EventName`, service = eventSource without `.amazonaws.com`, as in ActivityItem.apis. */
  api: string;
  tactic: string;
  tacticId: string;
  techniqueId: string;
  technique: string;
  procedure: string;
  /** Report only when the API was called at least this many times in scope. */
  minCalls?: number;
  /** Report only when at least this many calls failed in scope. */
  minFailures?: number;
  /** The request parameters that make the call malicious (aggregates do not keep them: the indicator means "possible"). */
  parameterDependent?: string;
  references: string[];
  guardDutyFindingTypes?: string[];
}

export interface TtpCatalog {
  attackVersion: string;
  entries: TtpCatalogEntry[];
}

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;
const TACTIC_ID = /^TA\d{4}$/;
const API = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The ATT&CK page of a technique: T1562.008 → https://attack.mitre.org/techniques/T1562/008/ */
export function attackTechniqueUrl(techniqueId: string): string {
  return `https://attack.mitre.org/techniques/${techniqueId.replace('.', '/')}/`;
}

/** Checks one entry; returns the problems found (empty when valid). */
export function entryProblems(entry: unknown): string[] {
  if (typeof entry !== 'object' || entry === null) return ['not an object'];
  const e = entry as Record<string, unknown>;
  const problems: string[] = [];
  const str = (key: string) => typeof e[key] === 'string' && (e[key] as string).length > 0;
  if (!str('api') || !API.test(e.api as string)) problems.push(`api must look like service:EventName, got ${String(e.api)}`);
  for (const key of ['tactic', 'technique', 'procedure']) if (!str(key)) problems.push(`${key} missing`);
  if (!str('tacticId') || !TACTIC_ID.test(e.tacticId as string)) problems.push(`bad tacticId ${String(e.tacticId)}`);
  if (!str('techniqueId') || !TECHNIQUE_ID.test(e.techniqueId as string)) problems.push(`bad techniqueId ${String(e.techniqueId)}`);
  for (const key of ['minCalls', 'minFailures']) {
    if (e[key] !== undefined && !(Number.isInteger(e[key]) && (e[key] as number) > 0)) problems.push(`${key} must be a positive integer`);
  }
  if (e.parameterDependent !== undefined && !str('parameterDependent')) problems.push('parameterDependent must be a non-empty string');
  if (!isStringArray(e.references) || e.references.length === 0) problems.push('references missing');
  else if (str('techniqueId') && !e.references.includes(attackTechniqueUrl(e.techniqueId as string))) problems.push('references must cite the ATT&CK technique page');
  if (e.guardDutyFindingTypes !== undefined && !isStringArray(e.guardDutyFindingTypes)) problems.push('guardDutyFindingTypes must be strings');
  return problems;
}

export function parseTtpCatalog(raw: unknown): TtpCatalog {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { entries?: unknown }).entries)) throw new Error('TTP catalog: no entries array');
  const { entries, attackVersion } = raw as { entries: unknown[]; attackVersion?: unknown };
  const problems = entries.flatMap((entry, i) => entryProblems(entry).map((p) => `entry ${i}: ${p}`));
  if (problems.length > 0) throw new Error(`TTP catalog is invalid:\n${problems.join('\n')}`);
  return { attackVersion: typeof attackVersion === 'string' ? attackVersion : 'unknown', entries: entries as TtpCatalogEntry[] };
}

/**
 * CloudTrail names some Lambda events with their API version (`CreateFunction20150331`,
 * `UpdateFunctionCode20150331v2`, `PublishLayerVersion20181031`); the catalog uses the plain names.
 */
export function normalizeApiName(api: string): string {
  return api.replace(/(\d{8})(v\d+)?$/, '');
}

export const DEFAULT_TTP_CATALOG: TtpCatalog = parseTtpCatalog(catalogJson);

/** Entries by normalized API name. */
export function indexCatalog(catalog: TtpCatalog): Map<string, TtpCatalogEntry[]> {
  const byApi = new Map<string, TtpCatalogEntry[]>();
  for (const entry of catalog.entries) {
    const key = normalizeApiName(entry.api);
    const list = byApi.get(key);
    if (list) list.push(entry);
    else byApi.set(key, [entry]);
  }
  return byApi;
}

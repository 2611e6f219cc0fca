import type { ApiCounts } from '../cloudtrail/activity';
import { isIpAddress } from './ip-address';
import type { TtpObservedIndicator } from './detective-types';
import { DEFAULT_TTP_CATALOG, indexCatalog, normalizeApiName, type TtpCatalog, type TtpCatalogEntry } from './ttp-catalog';

/**
 * TTP_OBSERVED: the entity's API calls in scope that the ATT&CK catalog names, one indicator per
 * (tactic/technique/procedure, API, source IP) with success and failure counts, as Detective reports them.
 *
 * Attribution of calls to an IP: activity aggregates keep API counts and source IPs as two separate maps per
 * (subject, hour, log object), not their cross product. When an aggregate has exactly one source (and its
 * source map did not overflow) every call in it came from that source, so the attribution is exact. CloudTrail
 * delivers a file about every five minutes, so most aggregates of a session have a single source. Calls in an
 * aggregate with several sources cannot be split without guessing; they are reported on an indicator without
 * IpAddress rather than spread over the sources. A single source that is not an address (`AWS Internal`, a
 * service's host name: AWS calling on the entity's behalf) gives no IpAddress either. An IAM user's own
 * aggregates come with its temporary sessions' calls taken out (core/queries/entity-activity), which is what
 * leaves most of them with a single address.
 *
 * Calls made through a chained role session carry `via`: they are grouped per session and the procedure
 * says which role session they came through.
 */

/** The fields of an activity item (or any per-hour aggregate) that TTP attribution needs. */
export interface TtpActivity {
  apis: Record<string, ApiCounts>;
  sourceIps: Record<string, number>;
  overflow?: Record<string, number>;
  /** The chained role session the calls came through, when the entity made them through one (named in the procedure). */
  via?: string;
  /** Successful console sign-ins without MFA among the calls. */
  consoleLoginsWithoutMfa?: number;
}

/** The procedure of the console-sign-in-without-MFA indicator (severity rules recognise it by this text). */
export const CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE =
  'Signed in to the AWS Management Console with a password alone: the ConsoleLogin event says MFAUsed "No".';

/** TTP_OBSERVED (T1078.004 Valid Accounts: Cloud Accounts) for successful console sign-ins without MFA, per source. */
export function consoleLoginsWithoutMfa(activity: readonly TtpActivity[]): TtpObservedIndicator[] {
  const bySource = new Map<string, number>();
  for (const item of activity) {
    if (!item.consoleLoginsWithoutMfa) continue;
    const source = singleSource(item) ?? '';
    bySource.set(source, (bySource.get(source) ?? 0) + item.consoleLoginsWithoutMfa);
  }
  return [...bySource].sort((a, b) => a[0].localeCompare(b[0])).map(([source, count]) => ({
    IndicatorType: 'TTP_OBSERVED',
    IndicatorDetail: {
      TTPsObservedDetail: {
        Tactic: 'Initial Access',
        Technique: 'T1078.004 - Valid Accounts: Cloud Accounts',
        Procedure: CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE,
        ...(source !== '' ? { IpAddress: source } : {}),
        APIName: 'signin:ConsoleLogin',
        APISuccessCount: count,
        APIFailureCount: 0,
      },
    },
  }));
}

export interface TtpInput {
  /** Activity items of the entity in the scope window (principal or session subjects, not both: they would count calls twice). */
  activity: readonly TtpActivity[];
  catalog?: TtpCatalog;
}

/** Kill-chain order, for stable, readable output. */
const TACTIC_ORDER = [
  'Reconnaissance',
  'Resource Development',
  'Initial Access',
  'Execution',
  'Persistence',
  'Privilege Escalation',
  'Defense Evasion',
  'Credential Access',
  'Discovery',
  'Lateral Movement',
  'Collection',
  'Command and Control',
  'Exfiltration',
  'Impact',
];

/** The item's only source when it is an IP address (`AWS Internal` and service names are sources, not addresses). */
function singleSource(item: TtpActivity): string | undefined {
  const sources = Object.keys(item.sourceIps ?? {});
  if (sources.length !== 1 || (item.overflow?.sourceIps ?? 0) > 0) return undefined;
  return isIpAddress(sources[0]) ? sources[0] : undefined;
}

/** `technique` field value: the ATT&CK id and name, e.g. `T1562.008 - Impair Defenses: Disable or Modify Cloud Logs`. */
export function techniqueLabel(entry: Pick<TtpCatalogEntry, 'techniqueId' | 'technique'>): string {
  return `${entry.techniqueId} - ${entry.technique}`;
}

export function procedureText(entry: Pick<TtpCatalogEntry, 'procedure' | 'parameterDependent'>): string {
  return entry.parameterDependent ? `${entry.procedure} Possible only: confirm in the CloudTrail event that ${entry.parameterDependent}.` : entry.procedure;
}

export function analyzeTtps(input: TtpInput): TtpObservedIndicator[] {
  const byApi = indexCatalog(input.catalog ?? DEFAULT_TTP_CATALOG);

  // Scope totals per normalized API (for the volume thresholds) and counts per (API as logged, source).
  const scopeTotals = new Map<string, ApiCounts>();
  const bySource = new Map<string, Map<string, ApiCounts>>();
  for (const item of input.activity) {
    const source = JSON.stringify([singleSource(item) ?? '', item.via ?? '']);
    for (const [api, counts] of Object.entries(item.apis ?? {})) {
      const normalized = normalizeApiName(api);
      if (!byApi.has(normalized)) continue;
      const total = scopeTotals.get(normalized) ?? { calls: 0, failures: 0 };
      total.calls += counts.calls;
      total.failures += counts.failures;
      scopeTotals.set(normalized, total);
      let sources = bySource.get(api);
      if (!sources) bySource.set(api, (sources = new Map()));
      const sum = sources.get(source) ?? { calls: 0, failures: 0 };
      sum.calls += counts.calls;
      sum.failures += counts.failures;
      sources.set(source, sum);
    }
  }

  const indicators: { entry: TtpCatalogEntry; api: string; source: string; indicator: TtpObservedIndicator }[] = [];
  for (const [api, sources] of bySource) {
    const normalized = normalizeApiName(api);
    const total = scopeTotals.get(normalized) ?? { calls: 0, failures: 0 };
    for (const entry of byApi.get(normalized) ?? []) {
      if (entry.minCalls !== undefined && total.calls < entry.minCalls) continue;
      if (entry.minFailures !== undefined && total.failures < entry.minFailures) continue;
      for (const [sourceAndVia, counts] of sources) {
        if (counts.calls === 0) continue;
        const [source, via] = JSON.parse(sourceAndVia) as [string, string];
        indicators.push({
          entry,
          api,
          source: sourceAndVia,
          indicator: {
            IndicatorType: 'TTP_OBSERVED',
            IndicatorDetail: {
              TTPsObservedDetail: {
                Tactic: entry.tactic,
                Technique: techniqueLabel(entry),
                Procedure: via !== '' ? `${procedureText(entry)} Called through ${via}.` : procedureText(entry),
                ...(source !== '' ? { IpAddress: source } : {}),
                APIName: api,
                APISuccessCount: counts.calls - counts.failures,
                APIFailureCount: counts.failures,
              },
            },
          },
        });
      }
    }
  }

  const tacticRank = (tactic: string) => {
    const rank = TACTIC_ORDER.indexOf(tactic);
    return rank < 0 ? TACTIC_ORDER.length : rank;
  };
  return indicators
    .sort(
      (a, b) =>
        tacticRank(a.entry.tactic) - tacticRank(b.entry.tactic) ||
        a.entry.techniqueId.localeCompare(b.entry.techniqueId) ||
        a.api.localeCompare(b.api) ||
        a.source.localeCompare(b.source),
    )
    .map((x) => x.indicator);
}

import { analyzeRelatedFindings, classifySource, SourceIntelCache, type GeoLookup } from '../../core/analysis';
import { topEntries, type ActivityTotals, type HourlyVolume } from '../../core/queries/activity-totals';
import type { SessionView } from '../../core/queries/session-view';
import { toInvestigationDetail } from '../../core/investigation/responses';
import type { InvestigationDetail } from '../../core/investigation/responses';
import { mapWithConcurrency } from '../../shared/concurrency';
import type { ProfileDependencies } from './dependencies';

/**
 * The panels several profiles share, in the API's PascalCase: API call volume, sessions, address details,
 * related findings and investigations.
 */
const TOP = 10;

export const hourStart = (hour: string) => `${hour}:00:00.000Z`;

export function volumePanel(totals: ActivityTotals, hourly: readonly HourlyVolume[]) {
  return {
    Calls: totals.total,
    FailedCalls: totals.failures,
    Hourly: hourly.map((h) => ({ Hour: hourStart(h.hour), Calls: h.total, FailedCalls: h.failures })),
    TopApis: Object.entries(totals.apis)
      .sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]))
      .slice(0, TOP)
      .map(([api, c]) => ({ ApiName: api, Calls: c.calls, FailedCalls: c.failures })),
    SourceIpAddresses: topEntries(totals.sourceIps, TOP).map(([ip, calls]) => ({ IpAddress: ip, Calls: calls })),
    UserAgents: topEntries(totals.userAgents, TOP).map(([agent, calls]) => ({ UserAgent: agent, Calls: calls })),
    ErrorCodes: topEntries(totals.errorCodes, TOP).map(([code, calls]) => ({ ErrorCode: code, Calls: calls })),
  };
}

export function sessionPanel(session: SessionView & { root?: { name: string; type: string }; chainDepth?: number }) {
  return {
    SessionId: session.sessionId,
    ...(session.sessionName ? { SessionName: session.sessionName } : {}),
    RoleArn: session.issuerArn,
    ...(session.accountId ? { AccountId: session.accountId } : {}),
    CreatedAt: session.createdAt,
    CreationEventSeen: session.creationEventSeen,
    ...(session.creationEvent ? { CreationEvent: session.creationEvent } : {}),
    ...(session.creationEventId ? { CreationEventId: session.creationEventId } : {}),
    ...(session.caller ? { Caller: session.caller.name, CallerType: session.caller.type } : {}),
    ...(session.root ? { RootPrincipal: session.root.name, RootPrincipalType: session.root.type } : {}),
    ...(session.chainDepth !== undefined ? { ChainDepth: session.chainDepth } : {}),
    ...(session.parentSessionId ? { ParentSessionId: session.parentSessionId } : {}),
    ...(session.sourceIp ? { SourceIpAddress: session.sourceIp } : {}),
    ...(session.mfa !== undefined ? { MfaAuthenticated: session.mfa } : {}),
    ...(session.crossAccount ? { CrossAccount: true } : {}),
    ...(session.firstSeen ? { FirstSeen: session.firstSeen } : {}),
    ...(session.lastSeen ? { LastSeen: session.lastSeen } : {}),
    CallsSeen: session.eventCount,
  };
}

/** Geolocation, autonomous system and threat-intel flag of one address (offline databases, loaded lists). */
export async function addressPanel(ip: string, geo: GeoLookup, deps: Pick<ProfileDependencies, 'threatIntel'>) {
  const intel = new SourceIntelCache(geo).of(ip);
  const matches = (await deps.threatIntel()).matcher.match(ip);
  const location = intel.location;
  return {
    SourceKind: classifySource(ip).kind,
    ...(location
      ? {
          Geolocation: {
            ...(location.city ? { City: location.city } : {}),
            ...(location.region ? { Region: location.region } : {}),
            ...(location.countryName ? { Country: location.countryName } : {}),
            ...(location.countryCode ? { CountryCode: location.countryCode } : {}),
            ...(location.latitude !== undefined ? { Latitude: location.latitude } : {}),
            ...(location.longitude !== undefined ? { Longitude: location.longitude } : {}),
          },
        }
      : {}),
    ...(intel.autonomousSystem ? { Asn: { Number: intel.autonomousSystem.number, ...(intel.autonomousSystem.organization ? { Organization: intel.autonomousSystem.organization } : {}) } } : {}),
    ThreatIntel: { Flagged: matches.length > 0, Matches: matches.map((m) => ({ ListName: m.listName, Cidr: m.cidr })) },
  };
}

/** GuardDuty findings naming the entity, its access keys or its addresses, and their groups. */
export async function findingsPanel(deps: ProfileDependencies, entityArn: string, from: string, to: string, ips: readonly string[], accessKeyIds: readonly string[] = []) {
  const found = (await mapWithConcurrency(deps.findingSources, 4, (source) => source.findingsFor(entityArn, from, to, ips))).flat();
  // Each finding once; the trigger's copy (which names the investigation it started) wins over GuardDuty's API's.
  const byId = new Map<string, (typeof found)[number]>();
  for (const finding of found) if (!byId.get(finding.id)?.investigationId) byId.set(finding.id, finding);
  const unique = [...byId.values()];
  const { related, groups } = analyzeRelatedFindings({ entityArn, scopeStart: from, scopeEnd: to, scopeIps: ips, scopeAccessKeyIds: accessKeyIds, findings: unique });
  return {
    RelatedFindings: related.map((r) => ({
      Id: r.finding.id,
      Arn: r.finding.arn,
      Type: r.finding.type,
      Severity: r.finding.severity,
      UpdatedAt: r.finding.updatedAt,
      Reasons: r.reasons,
      ...(r.finding.investigationId ? { InvestigationId: r.finding.investigationId } : {}),
    })),
    RelatedFindingGroups: groups.map((g) => ({ Id: g.id, FindingIds: g.findingIds })),
  };
}

/** The entity's investigations, newest first (the Investigations table's byEntity index: one Query). */
export async function investigationsPanel(deps: ProfileDependencies, entityArn: string): Promise<InvestigationDetail[]> {
  const page = await deps.investigations.listInvestigations({ filter: { entityArn }, sort: { field: 'CREATED_TIME', order: 'DESC' }, maxResults: 20 });
  return page.items.map(toInvestigationDetail);
}

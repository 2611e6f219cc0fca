import { CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE } from '../analysis/ttp';
import { isIpAddress } from '../analysis/ip-address';
import type { Indicator } from '../investigation/model';
import type { CompactEvent } from '../storage/compact-event';

/**
 * Which of an investigation entity's calls in scope an indicator stands for, from the same rules the stages
 * used to emit it (investigation-stages/*, core/analysis/*):
 * - TTP_OBSERVED: the calls of its API from its source address (none: a source that is not an address, e.g.
 *   `AWS Internal`; the stage reads activity per hour and source, so every call has one source), made
 *   through the chained role session its procedure names (else the entity's own calls). The console
 *   sign-in without MFA indicator: the ConsoleLogin events without MFA from its source.
 * - FLAGGED_IP_ADDRESS, NEW_GEOLOCATION, RELATED_FINDING (with an address): the calls from that address.
 * - IMPOSSIBLE_TRAVEL: the calls from its starting and its ending address.
 * - NEW_USER_AGENT: the calls with that user agent.
 * NEW_ASO (an ASN stands for many addresses) and RELATED_FINDING_GROUP name no calls.
 */
export interface EvidenceCriteria {
  api?: string;
  /** The call's source must be one of these; `''` means "a source that is not an IP address". */
  sources?: readonly string[];
  userAgent?: string;
  /** Only sign-ins without MFA. */
  consoleLoginWithoutMfa?: boolean;
  /** The chained session label the call came through (`null`: the entity's own calls); undefined: any. */
  via?: string | null;
}

/** A call of the investigation's entity, as evidence reads it. */
export interface EvidenceCall {
  event: CompactEvent;
  accountId: string;
  hour: string;
  hourStart: number;
  /** The principal whose hour item holds the call (its ARN, else its name). */
  principal: string;
  /** The chained role session the entity made the call through (users only; see viaLabel). */
  via?: string;
}

const THROUGH = ' Called through ';

export function evidenceCriteria(indicator: Indicator): EvidenceCriteria | undefined {
  const detail = indicator.IndicatorDetail;
  switch (indicator.IndicatorType) {
    case 'TTP_OBSERVED': {
      const ttp = detail.TTPsObservedDetail;
      if (!ttp?.APIName) return undefined;
      const sources = [ttp.IpAddress ?? ''];
      if (ttp.Procedure === CONSOLE_LOGIN_WITHOUT_MFA_PROCEDURE) return { api: ttp.APIName, sources, consoleLoginWithoutMfa: true };
      const at = ttp.Procedure?.lastIndexOf(THROUGH) ?? -1;
      const via = at >= 0 && ttp.Procedure ? ttp.Procedure.slice(at + THROUGH.length).replace(/\.$/, '') : null;
      return { api: ttp.APIName, sources, via };
    }
    case 'FLAGGED_IP_ADDRESS':
      return detail.FlaggedIpAddressDetail?.IpAddress ? { sources: [detail.FlaggedIpAddressDetail.IpAddress] } : undefined;
    case 'NEW_GEOLOCATION':
      return detail.NewGeolocationDetail?.IpAddress ? { sources: [detail.NewGeolocationDetail.IpAddress] } : undefined;
    case 'RELATED_FINDING':
      return detail.RelatedFindingDetail?.IpAddress ? { sources: [detail.RelatedFindingDetail.IpAddress] } : undefined;
    case 'IMPOSSIBLE_TRAVEL': {
      const travel = detail.ImpossibleTravelDetail;
      const sources = [travel?.StartingIpAddress, travel?.EndingIpAddress].filter((ip): ip is string => ip !== undefined);
      return sources.length > 0 ? { sources } : undefined;
    }
    case 'NEW_USER_AGENT':
      return detail.NewUserAgentDetail?.UserAgent !== undefined ? { userAgent: detail.NewUserAgentDetail.UserAgent } : undefined;
    default:
      return undefined;
  }
}

function sourceOf(event: CompactEvent): string {
  return event.i !== undefined && isIpAddress(event.i) ? event.i : '';
}

export function isEvidence(call: EvidenceCall, criteria: EvidenceCriteria): boolean {
  const { event } = call;
  if (criteria.api !== undefined && event.a !== criteria.api) return false;
  if (criteria.sources && !criteria.sources.includes(sourceOf(event))) return false;
  // Stored user agents are capped at 512 bytes, as the indicator's (read from the same aggregates) is.
  if (criteria.userAgent !== undefined && (event.u ?? '') !== criteria.userAgent) return false;
  if (criteria.consoleLoginWithoutMfa && !event.m) return false;
  if (criteria.via !== undefined && (call.via ?? null) !== criteria.via) return false;
  return true;
}

/** Whether every member of `match` equals the same member of the indicator's detail. */
export function indicatorMatches(indicator: Indicator, match: Readonly<Record<string, string>>): boolean {
  const details = Object.values(indicator.IndicatorDetail ?? {}) as Record<string, unknown>[];
  const detail = details[0] ?? {};
  return Object.entries(match).every(([name, value]) => detail[name] === value);
}

/** Where an evidence page ended: the last call's time and eventID (calls are listed in that order). */
export interface EvidencePosition {
  t: number;
  id: string;
}

export function isEvidencePosition(value: unknown): value is EvidencePosition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { t, id, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length === 0 && typeof t === 'number' && Number.isSafeInteger(t) && typeof id === 'string' && id.length <= 256;
}

export function callTime(call: EvidenceCall): number {
  return call.hourStart + call.event.t;
}

export function compareCalls(a: EvidenceCall, b: EvidenceCall): number {
  return callTime(a) - callTime(b) || (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0);
}

export function isAfter(call: EvidenceCall, position: EvidencePosition): boolean {
  const time = callTime(call);
  return time > position.t || (time === position.t && call.event.id > position.id);
}

import type { GetInvestigationCommandOutput, Indicator } from '@aws-sdk/client-detective';
import { recommendedMitigation } from '../lambdas/core/analysis';
import type { ApiActivitySummary } from '../lambdas/investigation-stages/api-activity';
import type { ScoreResult } from '../lambdas/investigation-stages/score';
import { formatNumber, table } from './format';
import { escapeTerminal } from './terminal-text';
import { networkLines } from './network-report-lines';

/**
 * The investigation report `npm start -- investigate` prints: the Detective-style investigation, the
 * entity's API activity in scope, every indicator by type with its details, why the severity is what it
 * is, and what to do about each kind of indicator. Lines come back escaped for the terminal: entity ARNs,
 * user agents, locations and finding types are attacker-controlled.
 */
export interface ReportInput {
  investigation: GetInvestigationCommandOutput;
  indicators: Indicator[];
  /** The state machine's output: `analysis` (one result per parallel stage) and `result` (Score). */
  executionOutput?: { analysis?: { stage: string }[]; result?: ScoreResult; scope?: { sessionCount?: number; rootPrincipals?: string[]; baselineStartTime?: string; baselineMature?: boolean } };
  error?: string;
}

type Detail = NonNullable<Indicator['IndicatorDetail']>;

function describe(type: string, detail: Detail): string[] {
  switch (type) {
    case 'TTP_OBSERVED': {
      const d = detail.TTPsObservedDetail ?? {};
      return [d.Tactic ?? '', d.Technique ?? '', d.APIName ?? '', d.IpAddress ?? '(several sources)', `${d.APISuccessCount ?? 0} ok / ${d.APIFailureCount ?? 0} failed`];
    }
    case 'IMPOSSIBLE_TRAVEL': {
      const d = detail.ImpossibleTravelDetail ?? {};
      return [`${d.StartingIpAddress} (${d.StartingLocation})`, '→', `${d.EndingIpAddress} (${d.EndingLocation})`, `within ${d.HourlyTimeDelta} h`];
    }
    case 'FLAGGED_IP_ADDRESS': {
      const d = detail.FlaggedIpAddressDetail ?? {};
      return [d.IpAddress ?? '', d.Reason ?? ''];
    }
    case 'NEW_GEOLOCATION': {
      const d = detail.NewGeolocationDetail ?? {};
      return [d.Location ?? '', d.IpAddress ?? '', d.IsNewForEntireAccount ? 'new for the whole account' : 'seen elsewhere in the account'];
    }
    case 'NEW_ASO': {
      const d = detail.NewAsoDetail ?? {};
      return [d.Aso ?? '', d.IsNewForEntireAccount ? 'new for the whole account' : 'seen elsewhere in the account'];
    }
    case 'NEW_USER_AGENT': {
      const d = detail.NewUserAgentDetail ?? {};
      return [d.UserAgent ?? '', d.IsNewForEntireAccount ? 'new for the whole account' : 'seen elsewhere in the account'];
    }
    case 'RELATED_FINDING': {
      const d = detail.RelatedFindingDetail ?? {};
      return [d.Type ?? '', d.Arn ?? '', d.IpAddress ?? ''];
    }
    case 'RELATED_FINDING_GROUP': {
      return [detail.RelatedFindingGroupDetail?.Id ?? ''];
    }
    default:
      return [JSON.stringify(detail)];
  }
}

export function investigationReport(input: ReportInput): string[] {
  const { investigation: inv, indicators, executionOutput } = input;
  const lines = [
    `Investigation ${inv.InvestigationId}`,
    `  entity    ${inv.EntityArn} (${inv.EntityType})`,
    `  scope     ${inv.ScopeStartTime?.toISOString()} → ${inv.ScopeEndTime?.toISOString()}`,
    `  status    ${inv.Status}   state ${inv.State}   severity ${inv.Severity}`,
  ];
  if (input.error) lines.push(`  error     ${input.error}`);
  const scope = executionOutput?.scope;
  if (scope) {
    lines.push(`  sessions  ${scope.sessionCount ?? 0} in scope; behind them: ${(scope.rootPrincipals ?? []).join(', ') || '-'}`);
    lines.push(`  baseline  from ${scope.baselineStartTime ?? '?'}${scope.baselineMature === false ? ' (too little history: new-behaviour indicators skipped)' : ''}`);
  }
  const activity = executionOutput?.analysis?.find((a): a is ApiActivitySummary => a.stage === 'ApiActivity');
  if (activity) {
    lines.push('', `API activity in scope: ${formatNumber(activity.totalCalls)} calls, ${formatNumber(activity.failedCalls)} failed, ${activity.distinctApis} APIs, ${activity.distinctSourceIps} source IP addresses${activity.awsServiceCalls ? ` (and ${formatNumber(activity.awsServiceCalls)} calls made by AWS services on its behalf)` : ''}`);
    lines.push(...table(['API', 'CALLS', 'FAILED'], activity.topApis.slice(0, 10).map((a) => [a.api, formatNumber(a.calls), formatNumber(a.failures)])));
  }
  lines.push(...permissionsSection(activity?.permissions ?? []));
  lines.push(...networkLines(activity?.network));
  const byType = new Map<string, Indicator[]>();
  for (const indicator of indicators) {
    const type = indicator.IndicatorType ?? 'UNKNOWN';
    byType.set(type, [...(byType.get(type) ?? []), indicator]);
  }
  lines.push('', `Indicators (${indicators.length})`);
  if (indicators.length === 0) lines.push('  none');
  for (const [type, list] of byType) {
    lines.push('', `  ${type} (${list.length})`);
    // Each indicator's own advice, printed when it differs from the line before's (TTPs come sorted by tactic).
    let previous: string | undefined;
    for (const indicator of list.slice(0, 25)) {
      lines.push(`    - ${describe(type, indicator.IndicatorDetail ?? {}).filter(Boolean).join('  ')}`);
      const mitigation = recommendedMitigation(indicator as never);
      if (mitigation && mitigation !== previous) lines.push(`      what to do: ${mitigation}`);
      previous = mitigation;
    }
    if (list.length > 25) lines.push(`    … and ${list.length - 25} more`);
  }
  const rules = executionOutput?.result?.matchedRules ?? [];
  if (rules.length > 0) {
    lines.push('', `Why ${inv.Severity}:`);
    for (const rule of rules) lines.push(`  [${rule.severity}] ${rule.id}: ${rule.description}`);
  }
  return lines.map(escapeTerminal);
}

/** What the entity and the roles of its chains could do during the scope, and the IAM changes made in it (issue 11). */
function permissionsSection(entities: NonNullable<ApiActivitySummary['permissions']>): string[] {
  if (entities.length === 0) return [];
  const lines = ['', 'Permissions during the scope (from CloudTrail IAM events and IAM snapshots)'];
  const existence = (value: boolean | null) => (value === null ? 'unknown' : value ? 'existed' : 'did not exist');
  for (const entity of entities) {
    lines.push('', `  ${entity.EntityType.toLowerCase()} ${entity.Name} (account ${entity.AccountId}): ${existence(entity.ExistedAtStart)} at the start, ${existence(entity.ExistsAtEnd).replace('existed', 'exists').replace('did not exist', 'does not exist')} at the end; coverage ${entity.Coverage}${entity.Coverage === 'PARTIAL' ? ` (${entity.CoverageReason})` : ''}`);
    lines.push(`    attached policies: ${entity.AttachedPolicies.join(', ') || '(none)'}`);
    if (entity.InlinePolicies.length) lines.push(`    inline policies: ${entity.InlinePolicies.join(', ')}`);
    if (entity.PermissionsBoundaries.length) lines.push(`    permissions boundary: ${entity.PermissionsBoundaries.join(', ')}`);
    for (const principal of entity.ExternalPrincipals) lines.push(`    ! trusted: ${principal.Principal} (${principal.Flags.join(', ')})`);
    for (const change of entity.Changes) lines.push(`    ${change.Time}  ${change.Says}`);
    if (entity.ChangesInScope > entity.Changes.length) lines.push(`    … and ${entity.ChangesInScope - entity.Changes.length} more changes (npm start -- permissions shows them all)`);
  }
  return lines;
}

import { sumActivity, topEntries } from '../core/queries/activity-totals';
import { ipAddressCounts } from '../core/analysis';
import { activityBySession, stageDependencies, type StageDependencies, type StageInput } from './stage-context';
import { stageHandler } from './stage-handler';
import { permissionsOfScope } from './permissions-in-scope';
import type { PermissionsInScope } from '../core/iam/scope-report';
import type { NetworkSection } from '../core/flowlogs/network-report';
import { instancesOfSessions, networkSection } from '../queries/instance-network';

/**
 * Stage: the entity's API call volume in scope (Detective's "Overall API call volume"): totals, failures,
 * the busiest APIs, sources and user agents. For an IAM user, calls made through the role sessions it
 * started (directly or chained) are included, as in the TTP stage. Returned in the execution output, small by construction.
 */
export interface ApiActivitySummary {
  stage: 'ApiActivity';
  indicators: Record<string, number>;
  totalCalls: number;
  failedCalls: number;
  distinctApis: number;
  distinctSourceIps: number;
  topApis: { api: string; calls: number; failures: number }[];
  /** Source IP addresses only: `AWS Internal` and service host names are counted in awsServiceCalls. */
  topSourceIps: { ip: string; calls: number }[];
  /** Calls whose source is AWS acting on the entity's behalf (`AWS Internal`, `<service>.amazonaws.com`). */
  awsServiceCalls: number;
  topUserAgents: { userAgent: string; calls: number }[];
  errorCodes: Record<string, number>;
  firstEvent?: string;
  lastEvent?: string;
  /** The entity's and its chains' roles' permissions during the scope, and the IAM changes made in it (see permissions-in-scope.ts). */
  permissions?: PermissionsInScope[];
  /**
   * The VPC flows of the EC2 instances the entity's sessions ran on (an instance-profile role): per instance, top
   * peers, new peers and unusual ports against the baseline, rejected traffic (core/flowlogs/network-report.ts).
   * Absent when no session ran on an instance or flow logs are not read.
   */
  network?: NetworkSection;
}

export async function apiActivity(input: StageInput, deps: StageDependencies): Promise<ApiActivitySummary> {
  const { sessions, activity } = await activityBySession(input, deps);
  const totals = sumActivity(activity);
  const permissions = await permissionsOfScope(input, sessions, deps);
  const instances = instancesOfSessions(sessions);
  const network =
    deps.flows && instances.length > 0
      ? await networkSection(deps.flows, instances, { from: input.scopeStartTime, to: input.scopeEndTime }, { baselineDays: deps.config.baselineDays, minBaselineDays: deps.config.minBaselineDays, nowMs: Date.now() })
      : undefined;
  const addresses = ipAddressCounts(totals.sourceIps);
  return {
    stage: 'ApiActivity',
    indicators: {},
    totalCalls: totals.total,
    failedCalls: totals.failures,
    distinctApis: Object.keys(totals.apis).length,
    distinctSourceIps: Object.keys(addresses).length,
    topApis: Object.entries(totals.apis)
      .sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]))
      .slice(0, 15)
      .map(([api, c]) => ({ api, calls: c.calls, failures: c.failures })),
    topSourceIps: topEntries(addresses, 10).map(([ip, calls]) => ({ ip, calls })),
    awsServiceCalls: Object.values(totals.sourceIps).reduce((sum, calls) => sum + calls, 0) - Object.values(addresses).reduce((sum, calls) => sum + calls, 0),
    topUserAgents: topEntries(totals.userAgents, 5).map(([userAgent, calls]) => ({ userAgent, calls })),
    errorCodes: totals.errorCodes,
    ...(totals.firstEvent ? { firstEvent: totals.firstEvent } : {}),
    ...(totals.lastEvent ? { lastEvent: totals.lastEvent } : {}),
    permissions,
    ...(network ? { network } : {}),
  };
}

export const handler = stageHandler('ApiActivity', (input: StageInput) => apiActivity(input, stageDependencies()));

import { normalizeRoleArn } from '../../core/cloudtrail/arn';
import { ApiError, notFound } from '../../core/investigation/errors';
import type { NetworkSection } from '../../core/flowlogs/network-report';
import { parseGetNetworkReport } from '../../core/graph/network-request';
import { instancesOfSessions, networkSection } from '../../queries/instance-network';
import type { ProfileDependencies } from './dependencies';

/**
 * POST /graph/getNetworkReport: the investigation report's network section (what the ApiActivity stage puts in
 * the execution output as `network`), for the console and API users who cannot read Step Functions: of an
 * investigation, the instances its entity's sessions ran on over its scope; or of one EC2 instance over a scope.
 * Computed from the tables by the same code as the stage (queries/instance-network.ts), so the same reads: the
 * instances' interface-hour items of the scope, and the baseline before it from per-day digests (built once,
 * then one Query per interface), Query on keys only.
 */
export interface NetworkReportResponse extends NetworkSection {
  GraphArn?: string;
  InvestigationId?: string;
  EntityArn?: string;
}

export async function getNetworkReport(deps: ProfileDependencies, body: unknown): Promise<NetworkReportResponse> {
  const request = parseGetNetworkReport(body, { nowMillis: deps.now(), maxScopeDays: deps.maxScopeDays });
  const flows = deps.flows;
  if (!flows) throw new ApiError('InternalServerException', 'The flow-log reads are not configured.');
  // Settled baseline days come from digests, built by the first report that needs them (queries/baseline-reads.ts).
  const window = { baselineDays: deps.config.baselineDays, minBaselineDays: deps.config.minBaselineDays, nowMs: deps.now() };
  const graph = request.graphArn ? { GraphArn: request.graphArn } : {};
  if ('instanceId' in request) {
    const scope = { from: new Date(request.fromMs).toISOString(), to: new Date(request.toMs).toISOString() };
    return { ...graph, ...(await networkSection(flows, [request.instanceId], scope, window)) };
  }
  const investigation = await deps.investigations.getInvestigation(request.investigationId);
  if (!investigation) throw notFound(`Investigation ${request.investigationId} does not exist.`);
  const { scopeStartTime: from, scopeEndTime: to, entityArn } = investigation;
  const sessions =
    investigation.entityType === 'IAM_ROLE' ? await deps.queries.sessionsOfRole(normalizeRoleArn(entityArn) ?? entityArn, from, to) : await deps.queries.sessionsFromOrigin(`iam-user#${entityArn}`, from, to);
  const section = await networkSection(flows, instancesOfSessions(sessions), { from, to }, window);
  return { ...graph, InvestigationId: request.investigationId, EntityArn: entityArn, ...section };
}

import { GRAPH_ARN_PATTERN } from '../investigation/arns';
import { DAY_MS } from '../investigation/time';
import { ObjectReader, Violations } from '../investigation/validation';
import type { GraphRequestContext } from './requests';

/**
 * POST /graph/getNetworkReport: the investigation report's network section, either of an investigation (its
 * entity's instances over its scope) or of one EC2 instance over a scope. Read with the investigation routes'
 * reader: any bad body is a ValidationException listing every violation, never a 5xx.
 */
export type NetworkReportRequest =
  | { graphArn?: string; investigationId: string }
  | { graphArn?: string; instanceId: string; fromMs: number; toMs: number };

const MEMBERS = ['GraphArn', 'InvestigationId', 'EntityType', 'EntityId', 'ScopeStartTime', 'ScopeEndTime'];
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export function parseGetNetworkReport(value: unknown, context: GraphRequestContext): NetworkReportRequest {
  const violations = new Violations();
  const body = ObjectReader.of(value, '', MEMBERS, violations);
  const graphArn = body?.string('GraphArn', { pattern: GRAPH_ARN_PATTERN, patternCode: 'INVALID_GRAPH_ARN' });
  const investigationId = body?.string('InvestigationId', { minLength: 21, maxLength: 21, pattern: /^[0-9]+$/ });
  const type = body?.enumeration('EntityType', ['EC2_INSTANCE'] as const);
  const id = body?.string('EntityId', { minLength: 1, maxLength: 64 });
  const from = body?.timestamp('ScopeStartTime');
  const to = body?.timestamp('ScopeEndTime');
  const byInstance = type !== undefined || id !== undefined || from !== undefined || to !== undefined;
  if (body && investigationId !== undefined && byInstance) body.fail('Give InvestigationId, or EntityType, EntityId, ScopeStartTime and ScopeEndTime, not both');
  else if (body && investigationId === undefined) {
    if (type === undefined || id === undefined || from === undefined || to === undefined) body.fail('Give InvestigationId, or EntityType (EC2_INSTANCE), EntityId, ScopeStartTime and ScopeEndTime');
    if (id !== undefined && !INSTANCE_ID.test(id)) body.fail('EntityId must be an EC2 instance id (i-…)');
    if (from !== undefined && to !== undefined) {
      if (to <= from) body.fail('ScopeEndTime must be later than ScopeStartTime');
      else if (to - from > context.maxScopeDays * DAY_MS) body.fail(`The scope (ScopeStartTime to ScopeEndTime) must not exceed ${context.maxScopeDays} days`);
      if (from > context.nowMillis) body.fail('ScopeStartTime must not be in the future');
    }
  }
  violations.throwIfAny();
  const arn = graphArn ? { graphArn } : {};
  return investigationId !== undefined ? { ...arn, investigationId } : { ...arn, instanceId: id!, fromMs: from!, toMs: to! };
}

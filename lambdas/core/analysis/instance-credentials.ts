import type { ApiCounts } from '../cloudtrail/activity';
import { subjectOfSession } from '../cloudtrail/activity';
import type { TtpObservedIndicator } from './detective-types';
import { isIpAddress } from './ip-address';

/**
 * EC2 instance credentials used from somewhere other than the instance: GuardDuty's
 * UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration case, found from the sessions' origin and the
 * calls' source addresses. Every session whose origin is an instance (`ec2-instance#i-…`: the credentials
 * its instance profile delivered) belongs to that instance, and an instance calls AWS from its own address
 * (or addresses). The address from which the instance's sessions made the most calls is taken as the
 * instance's own; calls from any other address are reported, one TTP_OBSERVED per (address, API), as
 * T1552.005 (Unsecured Credentials: Cloud Instance Metadata API).
 *
 * Only aggregates with a single source are attributed (as in TTP attribution). The heuristic needs the
 * instance's own calls in scope (its SSM agent's calls usually are): with one address only, nothing is said.
 */
export const INSTANCE_CREDENTIALS_TECHNIQUE_ID = 'T1552.005';
export const INSTANCE_CREDENTIALS_TECHNIQUE = `${INSTANCE_CREDENTIALS_TECHNIQUE_ID} - Unsecured Credentials: Cloud Instance Metadata API`;

export interface InstanceSession {
  sessionId: string;
  instanceId?: string;
  origin?: { type: string; name: string };
  issuerName?: string;
}

export interface InstanceActivity {
  subject: string;
  apis: Record<string, ApiCounts>;
  sourceIps: Record<string, number>;
  overflow?: Record<string, number>;
  firstEvent: string;
}

export interface InstanceCredentialInput {
  sessions: readonly InstanceSession[];
  activity: readonly InstanceActivity[];
}

function instanceOf(session: InstanceSession): string | undefined {
  if (session.origin?.type === 'ec2-instance') return session.origin.name;
  return session.instanceId;
}

function singleAddress(item: InstanceActivity): string | undefined {
  const sources = Object.keys(item.sourceIps ?? {});
  if (sources.length !== 1 || (item.overflow?.sourceIps ?? 0) > 0) return undefined;
  return isIpAddress(sources[0]) ? sources[0] : undefined;
}

export function analyzeInstanceCredentialUse(input: InstanceCredentialInput): TtpObservedIndicator[] {
  const bySubject = new Map<string, InstanceActivity[]>();
  for (const item of input.activity) {
    const group = bySubject.get(item.subject) ?? [];
    group.push(item);
    bySubject.set(item.subject, group);
  }
  const instances = new Map<string, { roles: Set<string>; items: InstanceActivity[] }>();
  for (const session of input.sessions) {
    const instanceId = instanceOf(session);
    if (!instanceId) continue;
    const instance = instances.get(instanceId) ?? { roles: new Set<string>(), items: [] };
    if (session.issuerName) instance.roles.add(session.issuerName);
    instance.items.push(...(bySubject.get(subjectOfSession(session.sessionId)) ?? []));
    instances.set(instanceId, instance);
  }

  const indicators: TtpObservedIndicator[] = [];
  for (const [instanceId, { roles, items }] of [...instances].sort((a, b) => a[0].localeCompare(b[0]))) {
    const calls = new Map<string, { calls: number; first: string }>();
    for (const item of items) {
      for (const [source, count] of Object.entries(item.sourceIps ?? {})) {
        if (!isIpAddress(source)) continue;
        const known = calls.get(source) ?? { calls: 0, first: item.firstEvent };
        known.calls += count;
        if (item.firstEvent < known.first) known.first = item.firstEvent;
        calls.set(source, known);
      }
    }
    if (calls.size < 2) continue;
    const [home] = [...calls].sort((a, b) => b[1].calls - a[1].calls || a[1].first.localeCompare(b[1].first) || a[0].localeCompare(b[0]))[0];
    const foreign = new Map<string, Map<string, ApiCounts>>();
    for (const item of items) {
      const address = singleAddress(item);
      if (!address || address === home) continue;
      const apis = foreign.get(address) ?? new Map<string, ApiCounts>();
      for (const [api, counts] of Object.entries(item.apis ?? {})) {
        const sum = apis.get(api) ?? { calls: 0, failures: 0 };
        sum.calls += counts.calls;
        sum.failures += counts.failures;
        apis.set(api, sum);
      }
      foreign.set(address, apis);
    }
    const role = roles.size > 0 ? ` (role ${[...roles].sort().join(', ')})` : '';
    for (const [address, apis] of [...foreign].sort((a, b) => a[0].localeCompare(b[0]))) {
      for (const [api, counts] of [...apis].sort((a, b) => a[0].localeCompare(b[0]))) {
        indicators.push({
          IndicatorType: 'TTP_OBSERVED',
          IndicatorDetail: {
            TTPsObservedDetail: {
              Tactic: 'Credential Access',
              Technique: INSTANCE_CREDENTIALS_TECHNIQUE,
              Procedure: `Credentials of EC2 instance ${instanceId}${role} were used from ${address}, an address the instance itself does not call from (it calls from ${home}): the credentials were probably taken from the instance (GuardDuty's InstanceCredentialExfiltration).`,
              IpAddress: address,
              APIName: api,
              APISuccessCount: counts.calls - counts.failures,
              APIFailureCount: counts.failures,
            },
          },
        });
      }
    }
  }
  return indicators;
}

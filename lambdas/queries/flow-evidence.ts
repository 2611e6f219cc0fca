import { compareFlowEvidence, flowEvidenceRows, type FlowEvidence } from '../core/flowlogs/flow-evidence';
import { mapWithConcurrency } from '../shared/concurrency';
import type { FlowQueries } from './flow-queries';

/**
 * The flow evidence of a flagged address: the hour items of the interfaces of the entity's instances (those its
 * sessions ran on, as the FlaggedIps stage reads them) over the scope's whole hours, and their rows with the
 * address, all of them in page order (listIndicatorEvidence pages them). One Query per interface: the instances'
 * own data, never the account's.
 */
export async function flowEvidenceOf(flows: FlowQueries, instanceIds: readonly string[], address: string, scope: { from: string; to: string }): Promise<FlowEvidence[]> {
  const perInstance = await mapWithConcurrency(instanceIds, 4, async (instanceId) => {
    const interfaces = await flows.interfacesOf(instanceId);
    const { items } = await flows.interfaceItems(interfaces, scope);
    return flowEvidenceRows(items, address, () => instanceId);
  });
  const rows = perInstance.flat();
  return rows.sort(compareFlowEvidence);
}

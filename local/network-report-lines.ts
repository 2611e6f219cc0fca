import type { InstanceNetwork, NetworkPeer, NetworkSection } from '../lambdas/core/flowlogs/network-report';
import { formatNumber, table } from './format';

/**
 * The report's network section as terminal lines (not yet escaped: investigationReport escapes every line, and
 * peers, ports and instance ids come from flow logs, which an attacker on the instance shapes).
 */
export function networkLines(section: NetworkSection | undefined): string[] {
  if (!section) return [];
  const lines = ['', `Network (VPC flow logs, ${section.ScopeStartTime} → ${section.ScopeEndTime}, whole hours)`];
  if (section.Instances.length === 0) lines.push('  no flow data for the instances of the entity\'s sessions');
  for (const instance of section.Instances) lines.push(...instanceLines(instance));
  if (section.InstancesWithoutFlows.length) lines.push('', `  without flow data in scope: ${section.InstancesWithoutFlows.join(', ')}`);
  if (section.OmittedInstances) lines.push(`  … and ${section.OmittedInstances} less busy instances (POST /graph/getFlowVolume or the console's instance page shows each)`);
  return lines;
}

const bytes = (n: number): string => formatNumber(n);

function peerRows(peers: readonly NetworkPeer[]): string[][] {
  return peers.map((p) => [p.Peer, bytes(p.BytesIn), bytes(p.BytesOut + p.BytesUnknownDirection), formatNumber(p.Flows), formatNumber(p.RejectedFlows), p.Ports.join(' ')]);
}

const PEER_HEADER = ['PEER', 'BYTES IN', 'BYTES OUT', 'FLOWS', 'REJECTED', 'PORTS'];

function instanceLines(instance: InstanceNetwork): string[] {
  const baseline = instance.Baseline;
  const lines = [
    '',
    `  ${instance.InstanceId} (${instance.Interfaces.join(', ')}): ${bytes(instance.BytesIn)} bytes in, ${bytes(instance.BytesOut)} out${instance.BytesUnknownDirection ? `, ${bytes(instance.BytesUnknownDirection)} of unknown direction` : ''}; ${formatNumber(instance.Flows)} flows, ${formatNumber(instance.RejectedFlows)} rejected; ${formatNumber(instance.Peers)} peers${instance.CappedFlows ? `; ${formatNumber(instance.CappedFlows)} flows folded by the storage caps` : ''}`,
    `    baseline ${baseline.StartTime} → ${baseline.EndTime}: ${baseline.Hours ? `flow data from ${baseline.DataFrom} (${formatNumber(baseline.Hours)} hours, ${formatNumber(baseline.Peers)} peers, ${formatNumber(baseline.Ports)} ports)${baseline.Mature ? '' : ': short, so much may look new'}` : 'no flow data: new peers and new ports not computed'}`,
    '    top peers',
    ...table(PEER_HEADER, peerRows(instance.TopPeers), '      '),
  ];
  if (baseline.Hours) {
    lines.push(`    new peers (not in the baseline): ${formatNumber(instance.NewPeerCount)}`);
    if (instance.NewPeers.length) lines.push(...table(PEER_HEADER, peerRows(instance.NewPeers), '      '));
  }
  lines.push(`    unusual ports: ${formatNumber(instance.UnusualPortCount)}`);
  if (instance.UnusualPorts.length) {
    lines.push(...table(['PORT', 'WHY', 'BYTES', 'FLOWS', 'REJECTED', 'PEERS'], instance.UnusualPorts.map((p) => [p.Port, p.Reasons.join(', '), bytes(p.Bytes), formatNumber(p.Flows), formatNumber(p.RejectedFlows), p.Peers.join(' ')]), '      '));
  }
  lines.push(`    rejected traffic: ${formatNumber(instance.RejectedFlows)} flows from ${formatNumber(instance.RejectedTrafficCount)} peer-port pairs`);
  if (instance.RejectedTraffic.length) {
    lines.push(...table(['PEER', 'PORT', 'DIRECTION', 'FLOWS', 'PACKETS', 'FIRST', 'LAST'], instance.RejectedTraffic.map((r) => [r.Peer, r.Port, r.Direction, formatNumber(r.Flows), formatNumber(r.Packets), r.FirstSeen, r.LastSeen]), '      '));
  }
  if (instance.NewPeerCount > instance.NewPeers.length || instance.RejectedTrafficCount > instance.RejectedTraffic.length || instance.UnusualPortCount > instance.UnusualPorts.length) {
    lines.push('    (lists show the first 10: POST /graph/getFlowVolume drills down)');
  }
  return lines;
}

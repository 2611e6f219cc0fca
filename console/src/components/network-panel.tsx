import { call, GRAPH_ARN } from '../api';
import { EntityLink, utc, type Scope } from '../entities';
import { Panel, Show, useLoad } from './async';
import { Table } from './table';
import type { InstanceNetwork, NetworkPeer, NetworkSection } from '../../../lambdas/core/flowlogs/network-types';

/**
 * The report's network section (POST /graph/getNetworkReport, issue 10 §3): per EC2 instance the entity's
 * sessions ran on, its top peers, the peers and ports its own flows of the baseline never showed, ports of
 * well-known suspicious services, and its rejected traffic. Peers and ports come from flow logs that whoever
 * runs on the instance shapes: rendered as Preact text and links only.
 */
export function NetworkPanel({ investigationId, instanceId, scope }: { investigationId?: string; instanceId?: string; scope: Scope }) {
  // An investigation's instances over its scope, or one instance (its profile) over the profile's scope.
  const request = investigationId ? { InvestigationId: investigationId } : { EntityType: 'EC2_INSTANCE', EntityId: instanceId, ScopeStartTime: scope.from, ScopeEndTime: scope.to };
  const loaded = useLoad(() => call<NetworkSection>('/graph/getNetworkReport', { GraphArn: GRAPH_ARN, ...request }), [investigationId, instanceId, scope.from, scope.to]);
  return (
    <Panel title="Network (VPC flow logs)" id="network">
      <Show loaded={loaded} empty={(section) => (section.Instances.length || section.InstancesWithoutFlows.length ? false : investigationId ? 'No session of the entity ran on an EC2 instance with flow logs.' : 'No flow data.')}>
        {(section) => (
          <>
            <p class="muted">
              {utc(section.ScopeStartTime)} to {utc(section.ScopeEndTime)} (whole hours: flow data is hourly).
            </p>
            {section.Instances.map((instance) => (
              <InstanceSection key={instance.InstanceId} instance={instance} scope={scope} />
            ))}
            {section.InstancesWithoutFlows.length ? <p class="muted">No flow data in the scope for {section.InstancesWithoutFlows.join(', ')}.</p> : null}
            {section.OmittedInstances ? <p class="muted">And {section.OmittedInstances} less busy instances, not shown.</p> : null}
          </>
        )}
      </Show>
    </Panel>
  );
}

function PeerTable({ label, peers, scope }: { label: string; peers: NetworkPeer[]; scope: Scope }) {
  return (
    <Table
      label={label}
      rows={peers}
      columns={[
        { key: 'peer', title: 'Peer', value: (p) => p.Peer, cell: (p) => <EntityLink type="IP_ADDRESS" id={p.Peer} scope={scope} /> },
        { key: 'in', title: 'Bytes in', value: (p) => p.BytesIn, numeric: true },
        { key: 'out', title: 'Bytes out', value: (p) => p.BytesOut + p.BytesUnknownDirection, numeric: true },
        { key: 'flows', title: 'Flows', value: (p) => p.Flows, numeric: true },
        { key: 'rejected', title: 'Rejected', value: (p) => p.RejectedFlows, numeric: true },
        { key: 'ports', title: 'Ports', value: (p) => p.Ports.join(' ') },
        { key: 'first', title: 'First seen', value: (p) => p.FirstSeen, cell: (p) => utc(p.FirstSeen) },
      ]}
    />
  );
}

function InstanceSection({ instance, scope }: { instance: InstanceNetwork; scope: Scope }) {
  const baseline = instance.Baseline;
  return (
    <section class="network-instance" aria-label={`Network of ${instance.InstanceId}`}>
      <h3>
        <EntityLink type="EC2_INSTANCE" id={instance.InstanceId} scope={scope} />
      </h3>
      <p>
        {instance.BytesIn.toLocaleString('en-US')} bytes in, {instance.BytesOut.toLocaleString('en-US')} out; {instance.Flows.toLocaleString('en-US')} flows, {instance.RejectedFlows.toLocaleString('en-US')} rejected; {instance.Peers} peers.
      </p>
      <p class="muted">
        Baseline {utc(baseline.StartTime)} to {utc(baseline.EndTime)}:{' '}
        {baseline.Hours ? `flow data from ${utc(baseline.DataFrom)} (${baseline.Hours} hours, ${baseline.Peers} peers, ${baseline.Ports} ports)${baseline.Mature ? '' : ', less than 14 days: much may look new'}.` : 'no flow data, so new peers and ports are not computed.'}
      </p>
      <h4>Top peers</h4>
      <PeerTable label={`Top peers of ${instance.InstanceId}`} peers={instance.TopPeers} scope={scope} />
      {baseline.Hours ? (
        <>
          <h4>New peers ({instance.NewPeerCount})</h4>
          {instance.NewPeers.length ? <PeerTable label={`New peers of ${instance.InstanceId}`} peers={instance.NewPeers} scope={scope} /> : <p class="state empty">Every peer was seen in the baseline.</p>}
        </>
      ) : null}
      <h4>Unusual ports ({instance.UnusualPortCount})</h4>
      {instance.UnusualPorts.length ? (
        <Table
          label={`Unusual ports of ${instance.InstanceId}`}
          rows={instance.UnusualPorts}
          columns={[
            { key: 'port', title: 'Port', value: (p) => p.Port },
            { key: 'why', title: 'Why', value: (p) => p.Reasons.join(', ') },
            { key: 'bytes', title: 'Bytes', value: (p) => p.Bytes, numeric: true },
            { key: 'flows', title: 'Flows', value: (p) => p.Flows, numeric: true },
            { key: 'rejected', title: 'Rejected', value: (p) => p.RejectedFlows, numeric: true },
            { key: 'peers', title: 'Peers', value: (p) => p.Peers.join(' ') },
          ]}
        />
      ) : (
        <p class="state empty">No unusual port.</p>
      )}
      <h4>Rejected traffic ({instance.RejectedFlows.toLocaleString('en-US')} flows)</h4>
      {instance.RejectedTraffic.length ? (
        <Table
          label={`Rejected traffic of ${instance.InstanceId}`}
          rows={instance.RejectedTraffic}
          columns={[
            { key: 'peer', title: 'Peer', value: (r) => r.Peer, cell: (r) => <EntityLink type="IP_ADDRESS" id={r.Peer} scope={scope} /> },
            { key: 'port', title: 'Port', value: (r) => r.Port },
            { key: 'direction', title: 'Direction', value: (r) => r.Direction },
            { key: 'flows', title: 'Flows', value: (r) => r.Flows, numeric: true },
            { key: 'packets', title: 'Packets', value: (r) => r.Packets, numeric: true },
            { key: 'first', title: 'First', value: (r) => r.FirstSeen, cell: (r) => utc(r.FirstSeen) },
            { key: 'last', title: 'Last', value: (r) => r.LastSeen, cell: (r) => utc(r.LastSeen) },
          ]}
        />
      ) : (
        <p class="state empty">No rejected flow.</p>
      )}
    </section>
  );
}

import { Panel } from './async';
import { downloadCsv } from '../csv-download';
import { FLOW_TRAFFIC_COLUMNS, type FlowTraffic } from '../../../lambdas/core/flowlogs/network-types';
import { portLabel } from './flow-volume-panel';
import { Table } from './table';
import { EntityLink, utc, type Scope } from '../entities';

/**
 * An IP address profile's flow side (getEntityProfile's `Flows.Instances`, from the VPC flow logs' peer
 * index): the EC2 instances, or network interfaces with no known instance, that exchanged traffic with the
 * address, beside the principals that called AWS from it (CloudTrail). Directions are the instance's: "in"
 * is what it received from the address.
 */
interface FlowPeer extends FlowTraffic {
  EntityId: string;
  AccountId?: string;
  FirstSeenTime?: string;
  LastSeenTime?: string;
  Interfaces: string[];
}

const TITLE = 'EC2 instances and network interfaces';
const CSV_HEADER = ['EntityId', 'AccountId', ...FLOW_TRAFFIC_COLUMNS, 'Ports', 'FirstSeenTime', 'LastSeenTime', 'Interfaces'];

export function FlowPeersPanel({ profile, scope }: { profile: Record<string, unknown>; scope: Scope }) {
  const flows = profile.Flows as { Instances?: FlowPeer[] } | undefined;
  if (!flows?.Instances) {
    return (
      <Panel title={TITLE}>
        <p class="state empty">This deployment reads no VPC flow logs.</p>
      </Panel>
    );
  }
  const instances = flows.Instances;
  // The table's rows as they are (lists joined with spaces, as the API's own CSV of this relation).
  const download = () =>
    downloadCsv(
      'trailhound-flow-instances.csv',
      CSV_HEADER,
      instances.map((r) => [r.EntityId, r.AccountId, ...FLOW_TRAFFIC_COLUMNS.map((column) => r[column]), r.Ports.join(' '), r.FirstSeenTime, r.LastSeenTime, r.Interfaces.join(' ')]),
    );
  return (
    <Panel title={TITLE}>
      {instances.length ? (
        <div class="bar">
          <span>{instances.length} instances or interfaces</span>
          <button type="button" onClick={download}>
            Download CSV
          </button>
        </div>
      ) : null}
      {flows.Instances.length === 0 ? (
        <p class="state empty">No instance or network interface exchanged traffic with this address in this scope (VPC Flow Logs, read in whole hours).</p>
      ) : (
        <Table
          label="Instances that communicated with this address"
          rows={flows.Instances}
          initialSort={{ key: 'bytes', descending: true }}
          columns={[
            {
              key: 'id',
              title: 'Instance or interface',
              value: (r) => r.EntityId,
              // An interface with no known instance has no profile: its id is listed as it is.
              cell: (r) => (r.EntityId.startsWith('i-') ? <EntityLink type="EC2_INSTANCE" id={r.EntityId} scope={scope} /> : `${r.EntityId} (no instance known)`),
            },
            { key: 'account', title: 'Account', value: (r) => r.AccountId },
            { key: 'in', title: 'Bytes in', value: (r) => r.BytesIn, numeric: true },
            { key: 'out', title: 'Bytes out', value: (r) => r.BytesOut, numeric: true },
            { key: 'unknown', title: 'Bytes, direction unknown', value: (r) => r.BytesUnknownDirection, numeric: true },
            { key: 'bytes', title: 'Bytes', value: (r) => r.BytesIn + r.BytesOut + r.BytesUnknownDirection, numeric: true },
            { key: 'ports', title: 'Ports', value: (r) => r.Ports.join(', '), cell: (r) => r.Ports.map(portLabel).join(', ') },
            { key: 'flows', title: 'Flows', value: (r) => r.Flows, numeric: true },
            { key: 'rejected', title: 'Rejected flows', value: (r) => r.RejectedFlows, numeric: true },
            { key: 'first', title: 'First seen', value: (r) => r.FirstSeenTime, cell: (r) => utc(r.FirstSeenTime) },
            { key: 'last', title: 'Last seen', value: (r) => r.LastSeenTime, cell: (r) => utc(r.LastSeenTime) },
            { key: 'enis', title: 'Interfaces', value: (r) => r.Interfaces.join(', ') },
          ]}
        />
      )}
    </Panel>
  );
}

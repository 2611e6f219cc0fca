/**
 * The shapes of the flow answers (the report's network section, core/flowlogs/network-report.ts; an address's
 * flow evidence; the FLOW_PEER relation): types and column lists only, with no Node.js dependency, so the
 * console shares them. Each field list is declared once here.
 */

/** One side's traffic with a peer or an address: bytes by direction (the instance's: in is what it received). */
export interface FlowTraffic {
  BytesIn: number;
  BytesOut: number;
  /** Bytes whose direction could not be told (default format, the interface's address not learned). */
  BytesUnknownDirection: number;
  Packets: number;
  Flows: number;
  RejectedFlows: number;
  /** `<protocol>/<port>`, the service's port (the lower of the two). */
  Ports: string[];
}

/** FlowTraffic's counts as CSV columns, in this order (the FLOW_PEER relation's CSV, the console's instance table). */
export const FLOW_TRAFFIC_COLUMNS = ['BytesIn', 'BytesOut', 'BytesUnknownDirection', 'Packets', 'Flows', 'RejectedFlows'] as const;

export interface NetworkPeer extends FlowTraffic {
  Peer: string;
  /** The most bytes first, at most PEER_PORTS_LIMIT. */
  Ports: string[];
  FirstSeen: string;
  LastSeen: string;
}

/**
 * The flow evidence of a flagged address (listIndicatorEvidence's FlowEvidence, core/flowlogs/flow-evidence.ts):
 * per instance, interface and hour, the traffic the entity's instances exchanged with it.
 */
export interface FlowEvidence extends FlowTraffic {
  /** The instance; the interface id when no instance is known for it. */
  InstanceId: string;
  InterfaceId: string;
  /** Start of the hour (flow data is hourly). */
  Hour: string;
  /** Sorted. */
  Ports: string[];
}

export interface NetworkPort {
  Port: string;
  Reasons: string[];
  Bytes: number;
  Flows: number;
  RejectedFlows: number;
  /** The peers that used it, the most bytes first (at most 5). */
  Peers: string[];
}

export interface RejectedTraffic {
  Peer: string;
  Port: string;
  Direction: string;
  Flows: number;
  Packets: number;
  Bytes: number;
  FirstSeen: string;
  LastSeen: string;
}

export interface NetworkBaseline {
  /** The window read: the baseline days before the scope's first hour (expired items are simply gone: retention caps it). */
  StartTime: string;
  EndTime: string;
  /** The first hour of the window in which the instance had flow data. */
  DataFrom?: string;
  /** Hours of the window with flow data for the instance. */
  Hours: number;
  /** Whether that data starts at least minBaselineDays before the scope (as the NewBehaviour stage requires). */
  Mature: boolean;
  Peers: number;
  Ports: number;
  /** Baseline flows folded into `*` rows by the storage caps: their peers and ports are unknown, so may look new. */
  CappedFlows: number;
}

export interface InstanceNetwork {
  InstanceId: string;
  Interfaces: string[];
  BytesIn: number;
  BytesOut: number;
  BytesUnknownDirection: number;
  Flows: number;
  RejectedFlows: number;
  /** Flows of the scope folded into `*` rows by the storage caps: in the totals, in no peer or port. */
  CappedFlows: number;
  Peers: number;
  TopPeers: NetworkPeer[];
  Baseline: NetworkBaseline;
  /** Peers of the scope absent from the baseline; empty when the baseline holds no flow data of the instance. */
  NewPeers: NetworkPeer[];
  NewPeerCount: number;
  UnusualPorts: NetworkPort[];
  UnusualPortCount: number;
  RejectedTraffic: RejectedTraffic[];
  RejectedTrafficCount: number;
}

/** The whole section: the instances with flow data, the busiest first. */
export interface NetworkSection {
  /** The scope's whole hours (flow data is hourly). */
  ScopeStartTime: string;
  ScopeEndTime: string;
  Instances: InstanceNetwork[];
  /** Instances the entity's sessions ran on (or asked for) without any flow data in the scope. */
  InstancesWithoutFlows: string[];
  /** Instances with flow data left out beyond the report's limit (the least busy). */
  OmittedInstances: number;
}

/**
 * The shapes of the investigation report's network section (core/flowlogs/network-report.ts builds them): types
 * only, with no Node.js dependency, so the console's report page shares them.
 */
export interface NetworkPeer {
  Peer: string;
  BytesIn: number;
  BytesOut: number;
  BytesUnknownDirection: number;
  Packets: number;
  Flows: number;
  RejectedFlows: number;
  /** `<protocol>/<port>`, the most bytes first, at most PEER_PORTS_LIMIT. */
  Ports: string[];
  FirstSeen: string;
  LastSeen: string;
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

import type { FlowHour, PeerCounts } from './flow-aggregate';
import { portName } from './flow-row-view';
import type { LinkTable, PairTable } from './flow-tables';

/** The pairs of a peer index, numbered in its order (each peer's pairs together, in interface order). */
export interface PairList {
  interfaceId(pair: number): string;
  /** [bytes in, bytes out, packets, flows, rejected flows, first, last]. */
  counts(pair: number): PeerCounts;
  /** The pair's port codes (portCode, flow-row-view.ts), in arrival order. */
  portCodes(pair: number): number[];
}

/** The pairs as FlowHourAggregator keeps them: links into its link and pair tables. */
export function tablePairList(pairLinks: Int32Array, interfaceIds: readonly string[], links: LinkTable, pairs: PairTable): PairList {
  return {
    interfaceId: (pair) => interfaceIds[links.iface(pairLinks[pair])],
    counts: (pair) => pairs.counts(links.pair(pairLinks[pair])),
    portCodes: (pair) => pairs.portsOf(links.pair(pairLinks[pair])),
  };
}

/**
 * The hour's peer index read straight from the aggregator's pair table: an hour holds up to 100,000
 * peer-interface pairs, and the stored peer index (peersItem) needs each pair once, as one entry of its body.
 * `finish()` orders the pairs (peers by address, then interfaces by id) into this view; the documented
 * `FlowHour.peers` and `peerPorts` records (an object per peer, an array of counts and one of port names per
 * pair) are built from it only when read (tests, the merge of several flow logs).
 */
export class PeerIndexView {
  /**
   * @param order peer numbers, in the order of their addresses.
   * @param peerStarts per peer number, where its pairs start in `pairs` (the next peer's start ends them).
   * @param pairs the pairs, per peer in interface order.
   */
  constructor(
    readonly order: Int32Array,
    private readonly peerStarts: Int32Array,
    private readonly peerNames: readonly string[],
    private readonly pairs: PairList,
  ) {}

  /** The address of the peer at `position` in `order`. */
  peer(position: number): string {
    return this.peerNames[this.order[position]];
  }

  /** The positions in the pair list of the peer at `position`: [first, end). */
  firstPair(position: number): number {
    return this.peerStarts[this.order[position]];
  }
  endPair(position: number): number {
    return this.peerStarts[this.order[position] + 1];
  }

  interfaceId(pair: number): string {
    return this.pairs.interfaceId(pair);
  }

  /** [bytes in, bytes out, packets, flows, rejected flows, first, last]. */
  counts(pair: number): PeerCounts {
    return this.pairs.counts(pair);
  }

  /** `<protocol>/<port>` of each port seen, sorted. */
  ports(pair: number): string[] {
    return this.pairs.portCodes(pair).map(portName).sort();
  }

  /** The documented records, built from the view. */
  records(): Pick<FlowHour, 'peers' | 'peerPorts'> {
    const peers: FlowHour['peers'] = {};
    const peerPorts: FlowHour['peerPorts'] = {};
    for (let position = 0; position < this.order.length; position++) {
      const peer = this.peer(position);
      const counts: Record<string, PeerCounts> = (peers[peer] = {});
      const ports: Record<string, string[]> = (peerPorts[peer] = {});
      for (let pair = this.firstPair(position); pair < this.endPair(position); pair++) {
        const interfaceId = this.interfaceId(pair);
        counts[interfaceId] = this.counts(pair);
        ports[interfaceId] = this.ports(pair);
      }
    }
    return { peers, peerPorts };
  }
}

/** Where finish() leaves the hour's peer view, out of sight of equality checks and of object spread. */
const VIEW = Symbol('peerIndexView');

/** Gives `hour` its peer view, and `peers` and `peerPorts` built from it on first read. */
export function attachPeerView<T extends FlowHour>(hour: T, view: PeerIndexView): T {
  let records: Pick<FlowHour, 'peers' | 'peerPorts'> | undefined;
  const built = () => (records ??= view.records());
  Object.defineProperty(hour, VIEW, { value: view, enumerable: false });
  Object.defineProperty(hour, 'peers', { get: () => built().peers, enumerable: true, configurable: true });
  Object.defineProperty(hour, 'peerPorts', { get: () => built().peerPorts, enumerable: true, configurable: true });
  return hour;
}

/** The view finish() left on an hour, or undefined (hours built otherwise: tests, merges of several logs). */
export function peerViewOf(hour: object): PeerIndexView | undefined {
  return (hour as { [VIEW]?: PeerIndexView })[VIEW];
}

import { gzipSync } from 'node:zlib';

/**
 * Synthetic VPC flow log files in the default format (version 2), deterministic from a seed: a few instances'
 * interfaces talking to internal and internet peers, some rejected. Used by the tests and `npm run bench`.
 */
export const FLOW_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export interface FlowFileOptions {
  accountId: string;
  /** Unix seconds: records start within [windowStart, windowStart + spanSeconds). */
  windowStart: number;
  spanSeconds?: number;
  records: number;
  interfaces?: number;
  peers?: number;
  seed?: number;
  /**
   * `heavy-tail`: a few peers carry most flows and some interfaces are busier than others, as in real VPCs
   * (peer index u³·peers, interface index u²·interfaces). `uniform` (the default): every peer × interface
   * pair equally likely, the aggregation's worst case (nearly every record a new row).
   */
  shape?: 'uniform' | 'heavy-tail';
}

/** A seeded xorshift generator in [0, 1): the same files on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

export function interfaceIdOf(index: number): string {
  return `eni-${(0x0a000000 + index).toString(16).padStart(17, '0')}`;
}

export function interfaceAddressOf(index: number): string {
  return `10.0.${Math.floor(index / 250)}.${(index % 250) + 4}`;
}

export function peerAddressOf(index: number): string {
  return index % 3 === 0 ? `172.31.${index % 200}.${(index % 250) + 1}` : `198.51.${Math.floor(index / 250) % 256}.${(index % 250) + 1}`;
}

const PORTS = [443, 22, 80, 3389, 5432];

export function flowLogText(options: FlowFileOptions): string {
  const next = seededRandom(options.seed ?? 1);
  const interfaces = options.interfaces ?? 8;
  const peers = options.peers ?? 50;
  const span = options.spanSeconds ?? 300;
  const lines = [FLOW_HEADER];
  for (let i = 0; i < options.records; i++) {
    const heavy = options.shape === 'heavy-tail';
    const iface = Math.floor((heavy ? next() ** 2 : next()) * interfaces);
    const peer = peerAddressOf(Math.floor((heavy ? next() ** 3 : next()) * peers));
    const local = interfaceAddressOf(iface);
    const port = PORTS[Math.floor(next() * PORTS.length)];
    const ephemeral = 32768 + Math.floor(next() * 28000);
    const inbound = next() < 0.5;
    const start = options.windowStart + Math.floor(next() * span);
    const packets = 1 + Math.floor(next() * 40);
    const bytes = packets * (40 + Math.floor(next() * 1400));
    const action = next() < 0.1 ? 'REJECT' : 'ACCEPT';
    const [src, dst, srcport, dstport] = inbound ? [peer, local, ephemeral, port] : [local, peer, ephemeral, port];
    if (next() < 0.01) lines.push(`2 ${options.accountId} ${interfaceIdOf(iface)} - - - - - - - ${start} ${start + 60} - NODATA`);
    else lines.push(`2 ${options.accountId} ${interfaceIdOf(iface)} ${src} ${dst} ${srcport} ${dstport} 6 ${packets} ${bytes} ${start} ${start + 60} ${action} OK`);
  }
  return `${lines.join('\n')}\n`;
}

export function flowLogFile(options: FlowFileOptions): Buffer {
  return gzipSync(flowLogText(options));
}

/** The key VPC Flow Logs gives a file: `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<name>`. */
export function flowLogKey(accountId: string, windowStart: number, hash: string, region = 'eu-west-1', flowLogId = 'fl-0123456789abcdef0'): string {
  const iso = new Date(windowStart * 1000).toISOString();
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 16)];
  const compact = `${date.replace(/-/g, '')}T${time.replace(':', '')}Z`;
  return `AWSLogs/${accountId}/vpcflowlogs/${region}/${date.replace(/-/g, '/')}/${accountId}_vpcflowlogs_${region}_${flowLogId}_${compact}_${hash}.log.gz`;
}

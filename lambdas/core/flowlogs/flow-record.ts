/**
 * One VPC flow log record, as the flow-log formats define it (versions 2 to 5): only the fields Trailhound
 * aggregates are kept. A field a format does not have, or a `-` (no value), is undefined. Times are Unix
 * seconds, as flow logs write them.
 */
export interface FlowRecord {
  accountId?: string;
  interfaceId?: string;
  instanceId?: string;
  vpcId?: string;
  subnetId?: string;
  srcaddr?: string;
  dstaddr?: string;
  /** The packet's original addresses (v3): differ from srcaddr/dstaddr behind a NAT gateway. */
  pktSrcaddr?: string;
  pktDstaddr?: string;
  srcport?: number;
  dstport?: number;
  protocol?: number;
  packets: number;
  bytes: number;
  start: number;
  end: number;
  action?: 'ACCEPT' | 'REJECT';
  logStatus: 'OK' | 'NODATA' | 'SKIPDATA';
  /** v5: ingress or egress, relative to the interface. */
  flowDirection?: 'ingress' | 'egress';
  trafficPath?: number;
  tcpFlags?: number;
}

/**
 * A record with every field present (undefined when absent), so that every record of every format has the
 * same hidden class: the code that reads them stays monomorphic.
 */
export function newFlowRecord(packets: number, bytes: number, start: number, end: number, logStatus: FlowRecord['logStatus']): FlowRecord {
  return {
    accountId: undefined,
    interfaceId: undefined,
    instanceId: undefined,
    vpcId: undefined,
    subnetId: undefined,
    srcaddr: undefined,
    dstaddr: undefined,
    pktSrcaddr: undefined,
    pktDstaddr: undefined,
    srcport: undefined,
    dstport: undefined,
    protocol: undefined,
    packets,
    bytes,
    start,
    end,
    action: undefined,
    logStatus,
    flowDirection: undefined,
    trafficPath: undefined,
    tcpFlags: undefined,
  };
}

/** The fields of the default format (version 2), in order. */
export const DEFAULT_FORMAT_FIELDS = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'] as const;

/**
 * Every field of versions 2 to 5 (AWS VPC user guide, "Flow log records"). A header naming anything else is
 * not a flow log header; fields Trailhound does not aggregate are read past.
 */
export const KNOWN_FIELDS = new Set<string>([
  ...DEFAULT_FORMAT_FIELDS,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  'reject-reason',
  'resource-id',
  'encryption-status',
]);

/** Parquet columns use underscores where the text header uses hyphens (`account_id`). */
export function normalizeFieldName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

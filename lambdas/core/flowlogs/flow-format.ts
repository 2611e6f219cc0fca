import ipaddr from 'ipaddr.js';
import { KNOWN_FIELDS, newFlowRecord, normalizeFieldName, type FlowRecord } from './flow-record';

/**
 * A flow log format, read from the file's header line (text delivery) or column names (Parquet): the fields
 * of any version, in any order. Each record is then checked field by field; a bad value rejects the record
 * with a reason that names the field, never the value (log data is written by attackers).
 */
export interface FlowFormat {
  readonly fields: readonly string[];
  /** Index of each field the parser reads, -1 when the format lacks it. */
  readonly at: Readonly<Record<ReadField, number>>;
}

type ReadField =
  | 'account-id'
  | 'interface-id'
  | 'instance-id'
  | 'vpc-id'
  | 'subnet-id'
  | 'srcaddr'
  | 'dstaddr'
  | 'pkt-srcaddr'
  | 'pkt-dstaddr'
  | 'srcport'
  | 'dstport'
  | 'protocol'
  | 'packets'
  | 'bytes'
  | 'start'
  | 'end'
  | 'action'
  | 'log-status'
  | 'flow-direction'
  | 'traffic-path'
  | 'tcp-flags';

const READ_FIELDS: readonly ReadField[] = ['account-id', 'interface-id', 'instance-id', 'vpc-id', 'subnet-id', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status', 'flow-direction', 'traffic-path', 'tcp-flags'];

export class FlowFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowFormatError';
  }
}

/** At most this many fields in a header: every documented field fits many times over. */
export const MAX_FIELDS = 64;

/** Reads a format from its field names; throws FlowFormatError when they are not a flow log's. */
export function flowFormatOf(names: readonly string[]): FlowFormat {
  if (names.length === 0 || names.length > MAX_FIELDS) throw new FlowFormatError(`header has ${names.length} fields (1 to ${MAX_FIELDS} expected)`);
  const fields = names.map(normalizeFieldName);
  const unknown = fields.filter((field) => !KNOWN_FIELDS.has(field));
  if (unknown.length > 0) throw new FlowFormatError(`header names ${unknown.length} unknown field(s)`);
  if (new Set(fields).size !== fields.length) throw new FlowFormatError('header names a field twice');
  const at = Object.fromEntries(READ_FIELDS.map((field) => [field, fields.indexOf(field)])) as Record<ReadField, number>;
  // Without these a record says nothing we can aggregate.
  for (const required of ['start', 'end'] as const) if (at[required] < 0) throw new FlowFormatError(`format has no ${required} field`);
  if (at['interface-id'] < 0 && at['instance-id'] < 0) throw new FlowFormatError('format has neither interface-id nor instance-id');
  return { fields, at };
}

/** Reads the header line of a text delivery (space-separated field names). */
export function flowFormatOfHeader(line: string): FlowFormat {
  return flowFormatOf(line.trim().split(/ +/));
}

export type ParsedFlow = { ok: true; record: FlowRecord } | { ok: false; reason: string };

/** In the order parseFlowColumns checks them (the first bad one names the reason). */
const NUMBER_FIELDS = ['srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'traffic-path', 'tcp-flags'];
const ADDRESS_FIELDS = [['srcaddr', 'srcaddr'], ['dstaddr', 'dstaddr'], ['pkt-srcaddr', 'pktSrcaddr'], ['pkt-dstaddr', 'pktDstaddr']] as const;
const ID_FIELDS = [['interface-id', 'interfaceId'], ['instance-id', 'instanceId'], ['vpc-id', 'vpcId'], ['subnet-id', 'subnetId']] as const;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Interface, instance, VPC and subnet ids: a prefix and hex digits; anything else is not from AWS. */
const RESOURCE_ID = /^[a-z]{1,8}-[0-9a-f]{1,32}$/;

function bad(reason: string): ParsedFlow {
  return { ok: false, reason };
}

function value(columns: readonly string[], index: number): string | undefined {
  if (index < 0) return undefined;
  const text = columns[index];
  return text === '-' ? undefined : text;
}

/**
 * Checked values, remembered: a file names the same interfaces and peers over and over, and a regular
 * expression per field and record would cost more than the rest of the parse. Bounded, then cleared.
 */
const MAX_REMEMBERED = 20_000;
const goodAddresses = new Set<string>();
const goodIds = new Set<string>();

function remember(set: Set<string>, text: string): void {
  if (set.size >= MAX_REMEMBERED) set.clear();
  set.add(text);
}

function isAddress(text: string): boolean {
  if (goodAddresses.has(text)) return true;
  const ok = IPV4.test(text) || (text.includes(':') && text.length <= 45 && ipaddr.IPv6.isValid(text));
  if (ok) remember(goodAddresses, text);
  return ok;
}

function isResourceId(text: string): boolean {
  if (goodIds.has(text)) return true;
  const ok = RESOURCE_ID.test(text);
  if (ok) remember(goodIds, text);
  return ok;
}

/** A non-negative integer of at most 15 digits, or -1 (no regular expression: this runs for every number of every record). */
function digits(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

const ABSENT = -1;
const NOT_A_NUMBER = -2;

/** The number in a column: ABSENT when the format lacks the field or it is `-`, NOT_A_NUMBER when it is no number. */
function numberAt(columns: readonly string[], index: number): number {
  const text = value(columns, index);
  if (text === undefined) return ABSENT;
  const parsed = digits(text);
  return parsed < 0 ? NOT_A_NUMBER : parsed;
}

/**
 * Parses the columns of one record (already split) against its format. `-` is "no value" for every field;
 * NODATA and SKIPDATA records have no addresses, ports or action, and are returned for counting.
 */
export function parseFlowColumns(format: FlowFormat, columns: readonly string[]): ParsedFlow {
  if (columns.length !== format.fields.length) return bad(`record has ${columns.length < format.fields.length ? 'fewer' : 'more'} fields than its header`);
  const { at } = format;
  const status = value(columns, at['log-status']) ?? 'OK';
  if (status !== 'OK' && status !== 'NODATA' && status !== 'SKIPDATA') return bad('log-status is not OK, NODATA or SKIPDATA');
  // One local per number, no object per record: this runs for every record.
  const srcport = numberAt(columns, at.srcport);
  const dstport = numberAt(columns, at.dstport);
  const protocol = numberAt(columns, at.protocol);
  const packets = numberAt(columns, at.packets);
  const bytes = numberAt(columns, at.bytes);
  const start = numberAt(columns, at.start);
  const end = numberAt(columns, at.end);
  const trafficPath = numberAt(columns, at['traffic-path']);
  const tcpFlags = numberAt(columns, at['tcp-flags']);
  if (Math.min(srcport, dstport, protocol, packets, bytes, start, end, trafficPath, tcpFlags) === NOT_A_NUMBER) {
    const first = [srcport, dstport, protocol, packets, bytes, start, end, trafficPath, tcpFlags].indexOf(NOT_A_NUMBER);
    return bad(`${NUMBER_FIELDS[first]} is not a number`);
  }
  if (start < 0 || end < 0) return bad('start or end missing');
  if (end < start) return bad('end before start');
  if (srcport > 65535 || dstport > 65535) return bad('port above 65535');
  if (protocol > 255) return bad('protocol above 255');
  const record = newFlowRecord(Math.max(packets, 0), Math.max(bytes, 0), start, end, status);
  for (const [field, key] of ADDRESS_FIELDS) {
    const text = value(columns, at[field]);
    if (text === undefined) continue;
    if (!isAddress(text)) return bad(`${field} is not an IP address`);
    record[key] = text;
  }
  for (const [field, key] of ID_FIELDS) {
    const text = value(columns, at[field]);
    if (text === undefined) continue;
    if (!isResourceId(text)) return bad(`${field} is not a resource id`);
    record[key] = text;
  }
  const account = value(columns, at['account-id']);
  if (account !== undefined) {
    if (account.length !== 12 || digits(account) < 0) return bad('account-id is not 12 digits');
    record.accountId = account;
  }
  const action = value(columns, at.action);
  if (action !== undefined) {
    if (action !== 'ACCEPT' && action !== 'REJECT') return bad('action is not ACCEPT or REJECT');
    record.action = action;
  }
  const direction = value(columns, at['flow-direction']);
  if (direction !== undefined) {
    if (direction !== 'ingress' && direction !== 'egress') return bad('flow-direction is not ingress or egress');
    record.flowDirection = direction;
  }
  if (srcport >= 0) record.srcport = srcport;
  if (dstport >= 0) record.dstport = dstport;
  if (protocol >= 0) record.protocol = protocol;
  if (trafficPath >= 0) record.trafficPath = trafficPath;
  if (tcpFlags >= 0) record.tcpFlags = tcpFlags;
  if (status === 'OK' && (record.srcaddr === undefined || record.dstaddr === undefined)) return bad('OK record without srcaddr or dstaddr');
  return { ok: true, record };
}

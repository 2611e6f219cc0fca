import ipaddr from 'ipaddr.js';
import { ByteInterner, hashBytes } from './byte-interner';
import { parseFlowColumns, type FlowFormat } from './flow-format';
import { newFlowRecord, type FlowRecord } from './flow-record';

/**
 * Parses one record line of a text flow log straight from the decompressed bytes: fields are found by a
 * byte scan and numbers read by digit loops, so a line costs no line string, no split array and no field
 * strings. Ids, accounts and addresses come from ByteInterner tables of values already checked, so the
 * strings a record holds are shared with every earlier record that named the same value.
 *
 * The rules are parseFlowColumns's, in the same order (the first failure names the reason); a property test
 * checks both agree. A line with any byte outside printable ASCII (control characters, tabs, UTF-8) cannot be
 * a valid record but its reason depends on how it splits: it is decoded and handed to parseFlowColumns.
 */
export const BLANK_LINE = null;
export type LineResult = FlowRecord | string | typeof BLANK_LINE;

const SPACE = 0x20;
const DASH = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const CR = 0x0d;
const ABSENT = -1;
const NOT_A_NUMBER = -2;
/** The longest IPv6 text ipaddr.js is asked to check (as parseFlowColumns). */
const MAX_IPV6_LENGTH = 45;

/** Checked values, shared by every file this process reads (bounded: see ByteInterner). */
const addresses = new ByteInterner();
const resourceIds = new ByteInterner();
const accounts = new ByteInterner(1024);

const NUMBER_REASONS = ['srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'traffic-path', 'tcp-flags'].map((field) => `${field} is not a number`);

export class FlowLineParser {
  private readonly width: number;
  /** Start and end of each field of the current line. */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly numberFields: Int32Array;
  private readonly numbers = new Float64Array(9);

  constructor(readonly format: FlowFormat) {
    this.width = format.fields.length;
    this.starts = new Int32Array(this.width);
    this.ends = new Int32Array(this.width);
    const { at } = format;
    this.numberFields = Int32Array.from([at.srcport, at.dstport, at.protocol, at.packets, at.bytes, at.start, at.end, at['traffic-path'], at['tcp-flags']]);
  }

  /** The record of line bytes [start, end) (without its newline), the reason it is rejected, or BLANK_LINE. */
  parse(bytes: Buffer, start: number, end: number): LineResult {
    if (end > start && bytes[end - 1] === CR) end--;
    const { starts, ends, width } = this;
    let fields = 0;
    let fieldStart = start;
    let blank = true;
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      if (byte === SPACE) {
        if (fields < width) {
          starts[fields] = fieldStart;
          ends[fields] = i;
        }
        fields++;
        fieldStart = i + 1;
      } else if (byte > SPACE && byte < 0x7f) blank = false;
      else return this.decoded(bytes, start, end);
    }
    if (blank) return BLANK_LINE;
    if (fields < width) {
      starts[fields] = fieldStart;
      ends[fields] = end;
    }
    fields++;
    if (fields !== width) return `record has ${fields < width ? 'fewer' : 'more'} fields than its header`;
    return this.record(bytes);
  }

  /** The reference path, for lines that are not printable ASCII. */
  private decoded(bytes: Buffer, start: number, end: number): LineResult {
    const text = bytes.toString('utf8', start, end);
    if (text.trim() === '') return BLANK_LINE;
    const parsed = parseFlowColumns(this.format, text.split(' '));
    return parsed.ok ? parsed.record : parsed.reason;
  }

  private record(bytes: Buffer): LineResult {
    const { at } = this.format;
    const status = this.status(bytes, at['log-status']);
    if (status === undefined) return 'log-status is not OK, NODATA or SKIPDATA';
    const numbers = this.numbers;
    for (let n = 0; n < 9; n++) {
      const value = this.number(bytes, this.numberFields[n]);
      if (value === NOT_A_NUMBER) return NUMBER_REASONS[n];
      numbers[n] = value;
    }
    const srcport = numbers[0];
    const dstport = numbers[1];
    const protocol = numbers[2];
    const start = numbers[5];
    const end = numbers[6];
    if (start < 0 || end < 0) return 'start or end missing';
    if (end < start) return 'end before start';
    if (srcport > 65535 || dstport > 65535) return 'port above 65535';
    if (protocol > 255) return 'protocol above 255';
    const srcaddr = this.address(bytes, at.srcaddr);
    if (srcaddr === null) return 'srcaddr is not an IP address';
    const dstaddr = this.address(bytes, at.dstaddr);
    if (dstaddr === null) return 'dstaddr is not an IP address';
    const pktSrcaddr = this.address(bytes, at['pkt-srcaddr']);
    if (pktSrcaddr === null) return 'pkt-srcaddr is not an IP address';
    const pktDstaddr = this.address(bytes, at['pkt-dstaddr']);
    if (pktDstaddr === null) return 'pkt-dstaddr is not an IP address';
    const interfaceId = this.resourceId(bytes, at['interface-id']);
    if (interfaceId === null) return 'interface-id is not a resource id';
    const instanceId = this.resourceId(bytes, at['instance-id']);
    if (instanceId === null) return 'instance-id is not a resource id';
    const vpcId = this.resourceId(bytes, at['vpc-id']);
    if (vpcId === null) return 'vpc-id is not a resource id';
    const subnetId = this.resourceId(bytes, at['subnet-id']);
    if (subnetId === null) return 'subnet-id is not a resource id';
    const accountId = this.account(bytes, at['account-id']);
    if (accountId === null) return 'account-id is not 12 digits';
    const action = this.action(bytes, at.action);
    if (action === null) return 'action is not ACCEPT or REJECT';
    const flowDirection = this.direction(bytes, at['flow-direction']);
    if (flowDirection === null) return 'flow-direction is not ingress or egress';
    if (status === 'OK' && (srcaddr === undefined || dstaddr === undefined)) return 'OK record without srcaddr or dstaddr';
    const record = newFlowRecord(Math.max(numbers[3], 0), Math.max(numbers[4], 0), start, end, status);
    record.srcaddr = srcaddr;
    record.dstaddr = dstaddr;
    record.pktSrcaddr = pktSrcaddr;
    record.pktDstaddr = pktDstaddr;
    record.interfaceId = interfaceId;
    record.instanceId = instanceId;
    record.vpcId = vpcId;
    record.subnetId = subnetId;
    record.accountId = accountId;
    record.action = action;
    record.flowDirection = flowDirection;
    if (srcport >= 0) record.srcport = srcport;
    if (dstport >= 0) record.dstport = dstport;
    if (protocol >= 0) record.protocol = protocol;
    if (numbers[7] >= 0) record.trafficPath = numbers[7];
    if (numbers[8] >= 0) record.tcpFlags = numbers[8];
    return record;
  }

  /** Whether field `index` is absent from the format or `-`. */
  private none(bytes: Buffer, index: number): boolean {
    return index < 0 || (this.ends[index] - this.starts[index] === 1 && bytes[this.starts[index]] === DASH);
  }

  /** A non-negative integer of at most 15 digits, ABSENT, or NOT_A_NUMBER. */
  private number(bytes: Buffer, index: number): number {
    if (this.none(bytes, index)) return ABSENT;
    const start = this.starts[index];
    const end = this.ends[index];
    if (end === start || end - start > 15) return NOT_A_NUMBER;
    let value = 0;
    for (let i = start; i < end; i++) {
      const digit = bytes[i] - 48;
      if (digit < 0 || digit > 9) return NOT_A_NUMBER;
      value = value * 10 + digit;
    }
    return value;
  }

  private status(bytes: Buffer, index: number): FlowRecord['logStatus'] | undefined {
    if (this.none(bytes, index)) return 'OK';
    const start = this.starts[index];
    const length = this.ends[index] - start;
    if (length === 2 && bytes[start] === 0x4f && bytes[start + 1] === 0x4b) return 'OK';
    if (length === 6 && equals(bytes, start, NODATA)) return 'NODATA';
    if (length === 8 && equals(bytes, start, SKIPDATA)) return 'SKIPDATA';
    return undefined;
  }

  /** The address's string, undefined when absent, null when it is no IPv4 or IPv6 address. */
  private address(bytes: Buffer, index: number): string | undefined | null {
    if (this.none(bytes, index)) return undefined;
    const start = this.starts[index];
    const end = this.ends[index];
    const hash = hashBytes(bytes, start, end);
    const known = addresses.find(bytes, start, end, hash);
    if (known !== undefined) return known;
    const text = bytes.toString('latin1', start, end);
    const colon = bytes.indexOf(COLON, start);
    const ok = isIpv4(bytes, start, end) || (colon >= 0 && colon < end && end - start <= MAX_IPV6_LENGTH && ipaddr.IPv6.isValid(text));
    if (!ok) return null;
    addresses.add(bytes, start, end, hash, text);
    return text;
  }

  /** `[a-z]{1,8}-[0-9a-f]{1,32}` (interface, instance, VPC and subnet ids), undefined when absent, null when not. */
  private resourceId(bytes: Buffer, index: number): string | undefined | null {
    if (this.none(bytes, index)) return undefined;
    const start = this.starts[index];
    const end = this.ends[index];
    const hash = hashBytes(bytes, start, end);
    const known = resourceIds.find(bytes, start, end, hash);
    if (known !== undefined) return known;
    if (!isResourceId(bytes, start, end)) return null;
    const text = bytes.toString('latin1', start, end);
    resourceIds.add(bytes, start, end, hash, text);
    return text;
  }

  private account(bytes: Buffer, index: number): string | undefined | null {
    if (this.none(bytes, index)) return undefined;
    const start = this.starts[index];
    const end = this.ends[index];
    if (end - start !== 12) return null;
    for (let i = start; i < end; i++) if (bytes[i] < 48 || bytes[i] > 57) return null;
    const hash = hashBytes(bytes, start, end);
    const known = accounts.find(bytes, start, end, hash);
    if (known !== undefined) return known;
    const text = bytes.toString('latin1', start, end);
    accounts.add(bytes, start, end, hash, text);
    return text;
  }

  private action(bytes: Buffer, index: number): FlowRecord['action'] | null {
    if (this.none(bytes, index)) return undefined;
    const start = this.starts[index];
    if (this.ends[index] - start !== 6) return null;
    if (equals(bytes, start, ACCEPT)) return 'ACCEPT';
    if (equals(bytes, start, REJECT)) return 'REJECT';
    return null;
  }

  private direction(bytes: Buffer, index: number): FlowRecord['flowDirection'] | null {
    if (this.none(bytes, index)) return undefined;
    const start = this.starts[index];
    const length = this.ends[index] - start;
    if (length === 7 && equals(bytes, start, INGRESS)) return 'ingress';
    if (length === 6 && equals(bytes, start, EGRESS)) return 'egress';
    return null;
  }
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const NODATA = ascii('NODATA');
const SKIPDATA = ascii('SKIPDATA');
const ACCEPT = ascii('ACCEPT');
const REJECT = ascii('REJECT');
const INGRESS = ascii('ingress');
const EGRESS = ascii('egress');

function equals(bytes: Buffer, start: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[start + i] !== word[i]) return false;
  return true;
}

/** Dotted quad of 0-255 without leading zeros: the IPV4 expression of parseFlowColumns, by bytes. */
function isIpv4(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  for (let octet = 0; ; octet++) {
    const first = i;
    let value = 0;
    while (i < end && i - first < 3 && bytes[i] >= 48 && bytes[i] <= 57) value = value * 10 + bytes[i++] - 48;
    const digits = i - first;
    if (digits === 0 || (digits > 1 && bytes[first] === 48) || value > 255) return false;
    if (octet === 3) return i === end;
    if (i >= end || bytes[i] !== DOT) return false;
    i++;
  }
}

function isResourceId(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i] >= 0x61 && bytes[i] <= 0x7a) i++;
  const prefix = i - start;
  if (prefix < 1 || prefix > 8 || i >= end || bytes[i] !== DASH) return false;
  const hex = end - i - 1;
  if (hex < 1 || hex > 32) return false;
  for (i++; i < end; i++) {
    const byte = bytes[i];
    if (!((byte >= 48 && byte <= 57) || (byte >= 0x61 && byte <= 0x66))) return false;
  }
  return true;
}

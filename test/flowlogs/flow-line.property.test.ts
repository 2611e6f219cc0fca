import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { isIPv4 } from 'node:net';
import { gzipSync } from 'node:zlib';
import { readFlowText, type FlowSink } from '../../lambdas/core/flowlogs/read-text';
import type { FlowRecord } from '../../lambdas/core/flowlogs/flow-record';

/**
 * The byte parser (read-text's LineSplitter and FlowLineParser) against a reference written here from the
 * documented rules with strings: split on spaces, a regular expression and Number() per number. Random
 * formats, valid and invalid values, hostile and multi-byte UTF-8 text, and the object cut into chunks at
 * random places, so that lines (and characters) fall across chunk boundaries.
 */

const FIELDS = ['account-id', 'instance-id', 'vpc-id', 'subnet-id', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'action', 'log-status', 'flow-direction', 'traffic-path', 'tcp-flags', 'version', 'region', 'type'] as const;
const NUMBERS = ['srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'traffic-path', 'tcp-flags'];

type Reference = { record: Record<string, string | number> } | { reason: string } | 'blank';

/** The rules, from the README and the VPC Flow Logs record format, with strings. */
function reference(fields: readonly string[], raw: string): Reference {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return 'blank';
  const columns = line.split(' ');
  if (columns.length < fields.length) return { reason: 'record has fewer fields than its header' };
  if (columns.length > fields.length) return { reason: 'record has more fields than its header' };
  const get = (field: string): string | undefined => {
    const index = fields.indexOf(field);
    return index < 0 || columns[index] === '-' ? undefined : columns[index];
  };
  const status = get('log-status') ?? 'OK';
  if (!['OK', 'NODATA', 'SKIPDATA'].includes(status)) return { reason: 'log-status is not OK, NODATA or SKIPDATA' };
  const numbers: Record<string, number> = {};
  for (const field of NUMBERS) {
    const text = get(field);
    if (text === undefined) continue;
    if (!/^[0-9]{1,15}$/.test(text)) return { reason: `${field} is not a number` };
    numbers[field] = Number(text);
  }
  if (numbers.start === undefined || numbers.end === undefined) return { reason: 'start or end missing' };
  if (numbers.end < numbers.start) return { reason: 'end before start' };
  if (numbers.srcport > 65535 || numbers.dstport > 65535) return { reason: 'port above 65535' };
  if (numbers.protocol > 255) return { reason: 'protocol above 255' };
  const record: Record<string, string | number> = { ...numbers, packets: numbers.packets ?? 0, bytes: numbers.bytes ?? 0, logStatus: status };
  const keys: Record<string, string> = { 'pkt-srcaddr': 'pktSrcaddr', 'pkt-dstaddr': 'pktDstaddr', 'interface-id': 'interfaceId', 'instance-id': 'instanceId', 'vpc-id': 'vpcId', 'subnet-id': 'subnetId', 'account-id': 'accountId', 'flow-direction': 'flowDirection', 'traffic-path': 'trafficPath', 'tcp-flags': 'tcpFlags' };
  const checks: [string, (text: string) => boolean, string][] = [
    ...['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'].map((field): [string, (text: string) => boolean, string] => [field, (text) => isIPv4(text) || (text.includes(':') && text.length <= 45 && ipaddr.IPv6.isValid(text)), 'is not an IP address']),
    ...['interface-id', 'instance-id', 'vpc-id', 'subnet-id'].map((field): [string, (text: string) => boolean, string] => [field, (text) => /^[a-z]{1,8}-[0-9a-f]{1,32}$/.test(text), 'is not a resource id']),
    ['account-id', (text) => /^[0-9]{12}$/.test(text), 'is not 12 digits'],
    ['action', (text) => text === 'ACCEPT' || text === 'REJECT', 'is not ACCEPT or REJECT'],
    ['flow-direction', (text) => text === 'ingress' || text === 'egress', 'is not ingress or egress'],
  ];
  for (const [field, ok, says] of checks) {
    const text = get(field);
    if (text === undefined) continue;
    if (!ok(text)) return { reason: `${field} ${says}` };
    record[keys[field] ?? field] = text;
  }
  for (const field of ['traffic-path', 'tcp-flags']) {
    if (record[field] === undefined) continue;
    record[keys[field]] = record[field];
    delete record[field];
  }
  if (status === 'OK' && (record.srcaddr === undefined || record.dstaddr === undefined)) return { reason: 'OK record without srcaddr or dstaddr' };
  return { record };
}

/** What the reader delivered for one line, in the reference's terms. */
function delivered(record: FlowRecord): Record<string, string | number> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string | number>;
}

const hex = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${min},${max}}$`));
/** Text an attacker may write into a field: anything but a newline (spaces too, which change the field count). */
const hostile = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('', '\t', '\r', '\u00a0', 'é', '€', '😀', '<script>', '1e3', '0x1f', '+1', '-1', ' '), fc.string({ unit: fc.constantFrom('0', '9', '.', ':', 'a', 'f', '-', 'é'), maxLength: 20 })).map((text) => text.replace(/\n/g, ''));
const anyNumber = fc.oneof(fc.nat({ max: 70000 }).map(String), fc.constantFrom('0', '007', '255', '256', '65535', '65536', '999999999999999', '1000000000000000', '4294967296'));
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('010.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '::', '::ffff:10.0.0.1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', 'ff::g'));
const resourceId = fc.oneof(fc.tuple(fc.stringMatching(/^[a-z]{1,9}$/), hex(1, 33)).map(([prefix, digits]) => `${prefix}-${digits}`), fc.constantFrom('eni-', 'ENI-1a', 'eni-1A', 'i-0123456789abcdef0', 'eni_1', '-1'));
const fieldValue: Record<string, fc.Arbitrary<string>> = {
  'account-id': fc.oneof(fc.stringMatching(/^[0-9]{11,13}$/), fc.constant('123456789012')),
  'interface-id': resourceId,
  'instance-id': resourceId,
  'vpc-id': resourceId,
  'subnet-id': resourceId,
  srcaddr: address,
  dstaddr: address,
  'pkt-srcaddr': address,
  'pkt-dstaddr': address,
  srcport: anyNumber,
  dstport: anyNumber,
  protocol: anyNumber,
  packets: anyNumber,
  bytes: anyNumber,
  action: fc.constantFrom('ACCEPT', 'REJECT', 'accept', 'ACCEPTED'),
  'log-status': fc.constantFrom('OK', 'OK', 'OK', 'NODATA', 'SKIPDATA', 'ok', 'OKAY'),
  'flow-direction': fc.constantFrom('ingress', 'egress', 'Ingress', 'in'),
  'traffic-path': anyNumber,
  'tcp-flags': anyNumber,
  version: fc.constantFrom('2', '5'),
  region: fc.constantFrom('eu-west-1', 'us-east-1'),
  type: fc.constantFrom('IPv4', 'IPv6'),
};

const format = fc.tuple(fc.subarray([...FIELDS]), fc.nat()).map(([fields, seed]) => {
  const all = ['interface-id', 'start', 'end', ...fields];
  return all.map((field, index) => ({ field, key: (seed * 7919 + index * 104729) % 1000003 })).sort((a, b) => a.key - b.key).map(({ field }) => field);
});

/** A line of the format: each field valid, `-`, or hostile; sometimes a whole line of anything. */
function lineOf(fields: readonly string[]): fc.Arbitrary<string> {
  const value = (field: string): fc.Arbitrary<string> => {
    if (field === 'start') return fc.oneof({ weight: 5, arbitrary: fc.constant('1418530010') }, { weight: 1, arbitrary: anyNumber }, { weight: 1, arbitrary: fc.constant('-') });
    if (field === 'end') return fc.oneof({ weight: 5, arbitrary: fc.constant('1418530070') }, { weight: 1, arbitrary: anyNumber });
    return fc.oneof({ weight: 8, arbitrary: fieldValue[field] }, { weight: 2, arbitrary: fc.constant('-') }, { weight: 1, arbitrary: hostile });
  };
  const record = fc.tuple(...fields.map(value)).map((values) => values.join(' '));
  return fc.oneof({ weight: 8, arbitrary: record }, { weight: 1, arbitrary: record.map((line) => `${line}\r`) }, { weight: 1, arbitrary: hostile }, { weight: 1, arbitrary: fc.constantFrom('', '   ', ' \r', '\u00a0', '\t') });
}

const case_ = format.chain((fields) => fc.record({ fields: fc.constant(fields), lines: fc.array(lineOf(fields), { maxLength: 25 }), cuts: fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }), gzip: fc.boolean() }));

/** The object's bytes in chunks of the given sizes, in turn: cuts fall anywhere, inside characters too. */
async function* chunked(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

describe('FlowLineParser against a reference parser (property)', () => {
  it('gives the same record or the same reason for every line, whatever the format, the bytes and the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(case_, async ({ fields, lines, cuts, gzip }) => {
        const text = `${fields.join(' ')}\n${lines.join('\n')}\n`;
        const results: (Record<string, string | number> | string)[] = [];
        const sink: FlowSink = { add: (record) => void results.push(delivered(record)), reject: (reason) => void results.push(reason) };
        const bytes = Buffer.from(text);
        const outcome = await readFlowText(chunked(gzip ? gzipSync(bytes) : bytes, cuts), sink);
        const expected = lines.map((line) => reference(fields, line)).filter((result) => result !== 'blank').map((result) => ('reason' in result ? result.reason : result.record));
        expect(outcome).toEqual({ lines: expected.length });
        expect(results).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a valid line the same whether it sits inside one chunk or is cut across two at any byte', async () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const line = '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const text = Buffer.from(`${header}\n${line}\n${line}\n`);
    const whole = reference(header.split(' '), line);
    for (let cut = 1; cut < text.length; cut++) {
      const results: unknown[] = [];
      await readFlowText(chunked(text, [cut, text.length]), { add: (record) => void results.push(delivered(record)), reject: (reason) => void results.push(reason) });
      expect(results).toEqual(['record' in (whole as object) ? (whole as { record: unknown }).record : whole, (whole as { record: unknown }).record]);
    }
  });
});

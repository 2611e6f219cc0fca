import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { flowFormatOf, parseFlowColumns } from '../../lambdas/core/flowlogs/flow-format';
import { readFlowText, splitLines, type FlowSink } from '../../lambdas/core/flowlogs/read-text';
import type { FlowRecord } from '../../lambdas/core/flowlogs/flow-record';

const OPTIONAL_FIELDS = ['account-id', 'vpc-id', 'subnet-id', 'instance-id', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'action', 'log-status', 'flow-direction', 'traffic-path', 'tcp-flags', 'type', 'region', 'az-id', 'version'] as const;

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();

/** One record's values by field name, as VPC Flow Logs writes them; `-` for some optional ones. */
const recordValues = fc.record({
  'account-id': fc.stringMatching(/^\d{12}$/),
  'interface-id': hex(17).map((h) => `eni-${h}`),
  'instance-id': fc.option(hex(17).map((h) => `i-${h}`), { nil: '-' }),
  'vpc-id': hex(17).map((h) => `vpc-${h}`),
  'subnet-id': hex(17).map((h) => `subnet-${h}`),
  addresses: fc.oneof(fc.tuple(ipv4, ipv4, ipv4, ipv4), fc.tuple(ipv6, ipv6, ipv6, ipv6)),
  srcport: fc.integer({ min: 0, max: 65535 }).map(String),
  dstport: fc.integer({ min: 0, max: 65535 }).map(String),
  protocol: fc.integer({ min: 0, max: 255 }).map(String),
  packets: fc.integer({ min: 0, max: 1e9 }).map(String),
  bytes: fc.maxSafeNat().map((n) => String(n % 1e15)),
  start: fc.integer({ min: 1_400_000_000, max: 2_000_000_000 }),
  duration: fc.integer({ min: 0, max: 600 }),
  action: fc.constantFrom('ACCEPT', 'REJECT'),
  'flow-direction': fc.constantFrom('ingress', 'egress', '-'),
  'traffic-path': fc.option(fc.integer({ min: 1, max: 8 }).map(String), { nil: '-' }),
  'tcp-flags': fc.integer({ min: 0, max: 255 }).map(String),
});

type RecordValues = typeof recordValues extends fc.Arbitrary<infer T> ? T : never;

const format = fc.tuple(fc.subarray([...OPTIONAL_FIELDS]), fc.nat()).map(([fields, seed]) => {
  const all = ['interface-id', 'start', 'end', ...fields];
  // A permutation derived from the seed: formats name their fields in any order.
  return all.map((field, index) => ({ field, key: (seed * 7919 + index * 104729) % 1000003 })).sort((a, b) => a.key - b.key).map(({ field }) => field);
});

function lineOf(fields: readonly string[], v: RecordValues): string {
  const [src, dst, pktSrc, pktDst] = v.addresses;
  const byField: Record<string, string> = { ...v, srcaddr: src, dstaddr: dst, 'pkt-srcaddr': pktSrc, 'pkt-dstaddr': pktDst, start: String(v.start), end: String(v.start + v.duration), 'log-status': 'OK', type: src.includes(':') ? 'IPv6' : 'IPv4', region: 'eu-west-1', 'az-id': 'euw1-az3', version: '5' } as unknown as Record<string, string>;
  return fields.map((field) => byField[field]).join(' ');
}

describe('flow log formats (property)', () => {
  it('reads back every field of any format, in any order, IPv4 and IPv6', () => {
    fc.assert(
      fc.property(format, recordValues, (fields, values) => {
        // srcaddr and dstaddr go together: a format with one and not the other cannot hold an OK record.
        const usable = fields.includes('srcaddr') === fields.includes('dstaddr') ? fields : fields.filter((f) => f !== 'srcaddr' && f !== 'dstaddr');
        const line = lineOf(usable, values);
        const parsed = parseFlowColumns(flowFormatOf(usable), line.split(' '));
        if (!usable.includes('srcaddr')) {
          expect(parsed).toEqual({ ok: false, reason: 'OK record without srcaddr or dstaddr' });
          return;
        }
        expect(parsed.ok).toBe(true);
        const record = (parsed as { record: FlowRecord }).record;
        expect(record.interfaceId).toBe(values['interface-id']);
        expect(record.start).toBe(values.start);
        expect(record.end).toBe(values.start + values.duration);
        expect(record.srcaddr).toBe(values.addresses[0]);
        if (usable.includes('bytes')) expect(record.bytes).toBe(Number(values.bytes));
        if (usable.includes('dstport')) expect(record.dstport).toBe(Number(values.dstport));
        if (usable.includes('instance-id')) expect(record.instanceId).toBe(values['instance-id'] === '-' ? undefined : values['instance-id']);
        if (usable.includes('flow-direction')) expect(record.flowDirection).toBe(values['flow-direction'] === '-' ? undefined : values['flow-direction']);
        if (usable.includes('pkt-dstaddr')) expect(record.pktDstaddr).toBe(values.addresses[3]);
      }),
    );
  });

  it('never throws on hostile lines: each is a record or a rejection with a reason', async () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom('2', '-', 'eni-1a', '10.0.0.1', '::1', '99999999999999999', 'ACCEPT', 'OK', 'NODATA', 'x', ''), { maxLength: 16 }).map((a) => a.join(' '))), { maxLength: 40 }), async (lines) => {
        const added: FlowRecord[] = [];
        const reasons: string[] = [];
        const sink: FlowSink = { add: (r) => void added.push(r), reject: (r) => void reasons.push(r) };
        const text = [header, ...lines.map((line) => line.replace(/[\r\n]/g, ' '))].join('\n');
        const outcome = await readFlowText((async function* () {
          yield gzipSync(text);
        })(), sink);
        expect(outcome.formatError).toBeUndefined();
        const expected = lines.filter((line) => line.replace(/[\r\n]/g, ' ').trim() !== '').length;
        expect(added.length + reasons.length).toBe(expected);
        expect(outcome.lines).toBe(expected);
        for (const reason of reasons) expect(reason.length).toBeLessThan(80);
      }),
    );
  });

  it('splits lines the same whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, '')), { maxLength: 30 }), fc.integer({ min: 1, max: 50 }), async (lines, size) => {
        const bytes = Buffer.from(lines.join('\n'));
        async function* chunks(): AsyncGenerator<Buffer> {
          for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
        }
        const out: string[] = [];
        for await (const line of splitLines(chunks(), () => out.push('<oversize>'))) out.push(line);
        const expected = lines.join('\n') === '' ? [] : lines.join('\n').split('\n');
        if (expected.length > 0 && expected[expected.length - 1] === '') expected.pop();
        expect(out).toEqual(expected);
      }),
    );
  });
});

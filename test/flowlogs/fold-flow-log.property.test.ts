import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { foldFlowLog, type FlowLogFile, type FoldedFlowLog } from '../../lambdas/compact-hour/fold-flow-log';
import { parseFlowLogKey } from '../../lambdas/core/flowlogs/flow-key';
import { interfaceItem, peersItem } from '../../lambdas/core/flowlogs/flow-items';
import { FLOW_HEADER, flowLogKey } from '../helpers/flow-logs';

/**
 * The WebAssembly kernel against the JavaScript core on random default-format files: valid records from small
 * pools (so that rows, pairs and ports repeat), each field sometimes replaced by a hostile or malformed value
 * (multi-byte text, control characters, a number too large, a leading sign, an IPv6 or half address, a space
 * that splits it in two, a line past 16 KB), blank
 * lines, CRLF ends, records of another account or hour, and the gzip cut into random chunks. Whatever the
 * lines, the compaction's fold must store the same items with either core; when every line is one the kernel
 * covers, the kernel must be the one that folded it.
 */
const ACCOUNT = '111122223333';
const HOUR = '2026-03-01T10';
const T0 = Date.parse(`${HOUR}:00:00Z`) / 1000;

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const valid = {
  version: pick(['2']),
  account: pick([ACCOUNT, ACCOUNT, ACCOUNT, '444455556666', '-']),
  iface: pick(['eni-0a1', 'eni-0b2', 'eni-0c3', 'eni-00000000000000001']),
  address: pick(['10.0.0.4', '10.0.0.5', '10.1.2.3', '203.0.113.9', '198.51.100.7', '0.0.0.0', '255.255.255.255', '-']),
  port: pick(['0', '22', '443', '3389', '65535', '49152', '-']),
  protocol: pick(['6', '17', '1', '-', '58', '47', '50', '132', '255', '0']),
  count: fc.integer({ min: 0, max: 2 ** 40 }).map(String),
  start: fc.integer({ min: T0 - 120, max: T0 + 3600 + 60 }).map(String),
  span: fc.integer({ min: 0, max: 900 }),
  action: pick(['ACCEPT', 'REJECT', '-']),
  status: pick(['OK', 'OK', 'OK', 'NODATA', 'SKIPDATA']),
};
/** What an attacker or a broken writer puts in a field. */
const hostile = fc.oneof(
  pick(['', '-1', '+5', '0x1f', '1e3', '99999999999999999999', '65536', '256', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'fe80::1', '2001:db8::7', ':', 'ACCEPT ', 'ok', '\t', '\u0000', 'é', '\u202e', '<script>', '1 2', ' ', 'x'.repeat(17_000)]),
  fc.string({ maxLength: 12 }).map((text) => text.replace(/[ \n]/g, '_')),
);

const fields = fc.tuple(valid.version, valid.account, valid.iface, valid.address, valid.address, valid.port, valid.port, valid.protocol, valid.count, valid.count, valid.start, valid.span, valid.action, valid.status);
const line = fc
  .tuple(fields, fc.option(fc.tuple(fc.integer({ min: 0, max: 13 }), hostile), { freq: 6 }), pick(['', '', '', '\r']), fc.integer({ min: 0, max: 30 }))
  .map(([[version, account, iface, src, dst, srcport, dstport, protocol, packets, bytes, start, span, action, status], broken, end, blank]) => {
    if (blank === 0) return `  ${end}`;
    const columns = [version, account, iface, src, dst, srcport, dstport, protocol, packets, bytes, start, String(Number(start) + span), action, status];
    if (broken) columns[broken[0]] = broken[1];
    return columns.join(' ') + end;
  });
const file = fc.record({ lines: fc.array(line, { minLength: 1, maxLength: 120 }), chunk: fc.integer({ min: 1, max: 4096 }), newlineAtEnd: fc.boolean() });

function storedItems(folded: FoldedFlowLog): string[] {
  const json = (item: { body: Uint8Array }) => JSON.stringify({ ...item, body: Buffer.from(item.body).toString('base64') });
  return [...folded.hour.interfaces.map((iface) => json(interfaceItem(folded.hour, iface, 1))), json(peersItem(folded.hour, 1)), JSON.stringify(folded.hour.counts)];
}

/** Lines the kernel folds itself: no IPv6 address (`:`), and no interface id `-`. */
const kernelCovers = (text: string): boolean => !text.split('\n').some((lineText) => lineText.includes(':') || lineText.split(' ')[2] === '-');

/**
 * Traffic shaped for the direction rules (direction.ts): each interface has an own address (sometimes two, or a
 * public one) on one side of most of its records, peers on the other, and some records with neither (transit,
 * a wrong capture) or with the same address twice, so that own addresses are learned, records wait (up to 32),
 * are released, and the rest falls to the address class.
 */
const directed = fc
  .record({
    interfaces: fc.array(fc.record({ own: fc.array(pick(['10.0.0.4', '10.0.0.5', '172.16.3.9', '192.168.1.1', '203.0.113.50', '100.64.0.7']), { minLength: 1, maxLength: 3 }), strayEvery: fc.integer({ min: 0, max: 6 }) }), { minLength: 1, maxLength: 4 }),
    records: fc.array(fc.tuple(fc.nat(), fc.nat(), pick(['203.0.113.9', '198.51.100.7', '8.8.8.8', '10.9.9.9', '10.0.0.4', '172.16.3.9']), fc.boolean(), fc.integer({ min: 0, max: 3599 }), pick(['6', '17', '1'])), { minLength: 1, maxLength: 200 }),
    // A run of one peer at the start: the interface's records wait (candidates stay two) past the 32 held.
    burst: fc.integer({ min: 0, max: 45 }),
  })
  .map(({ interfaces, records: random, burst }) => {
    const records = [...Array.from({ length: burst }, () => random[0]), ...random];
    const lines = records.map(([i, o, peer, inbound, offset, protocol], n) => {
      const iface = interfaces[i % interfaces.length];
      const own = iface.own[o % iface.own.length];
      const stray = iface.strayEvery > 0 && n % iface.strayEvery === 0;
      const [src, dst] = stray ? [peer, '198.18.0.1'] : inbound ? [peer, own] : [own, peer];
      return `2 ${ACCOUNT} eni-0${(i % interfaces.length) + 1}a ${src} ${dst} 40000 443 ${protocol} 2 120 ${T0 + offset} ${T0 + offset + 30} ACCEPT OK`;
    });
    return `${FLOW_HEADER}\n${lines.join('\n')}\n`;
  });

describe('foldFlowLog property: the kernel stores what the JavaScript core stores', () => {
  test('traffic shaped for the direction rules (own addresses learned, records held and released)', async () => {
    await fc.assert(
      fc.asyncProperty(directed, async (text) => {
        const key = flowLogKey(ACCOUNT, T0, 'dir');
        const files: FlowLogFile[] = [{ objectKey: `s3://logs/${key}`, bucket: 'logs', key, name: parseFlowLogKey(key) as NonNullable<ReturnType<typeof parseFlowLogKey>>, records: 200 }];
        const open = async () => ({
          format: 'text' as const,
          body: (async function* () {
            yield gzipSync(text);
          })(),
        });
        const kernel = await foldFlowLog(files, ACCOUNT, HOUR, open, 'kernel');
        const javascript = await foldFlowLog(files, ACCOUNT, HOUR, open, 'javascript');
        expect(storedItems(kernel)).toEqual(storedItems(javascript));
        expect(kernel.core).toBe('kernel');
        kernel.release();
      }),
      { numRuns: Number(process.env.FOLD_RUNS ?? 150) },
    );
  }, 120_000);

  test('random default-format files with hostile fields, blank and CRLF lines, in random chunks', async () => {
    let kernelFolds = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 3 }), async (files) => {
        const objects = new Map<string, { body: Buffer; chunk: number }>();
        const list: FlowLogFile[] = [];
        const texts: string[] = [];
        files.forEach(({ lines, chunk, newlineAtEnd }, i) => {
          const text = `${FLOW_HEADER}\n${lines.join('\n')}${newlineAtEnd ? '\n' : ''}`;
          const key = flowLogKey(ACCOUNT, T0 + i * 300, `p${i}`);
          objects.set(key, { body: gzipSync(text), chunk });
          texts.push(text);
          list.push({ objectKey: `s3://logs/${key}`, bucket: 'logs', key, name: parseFlowLogKey(key) as NonNullable<ReturnType<typeof parseFlowLogKey>>, records: lines.length });
        });
        const open = async (_bucket: string, key: string) => {
          const { body, chunk } = objects.get(key) as { body: Buffer; chunk: number };
          return {
            format: 'text' as const,
            body: (async function* () {
              for (let at = 0; at < body.length; at += chunk) yield body.subarray(at, at + chunk);
            })(),
          };
        };
        const kernel = await foldFlowLog(list, ACCOUNT, HOUR, open, 'kernel');
        const javascript = await foldFlowLog(list, ACCOUNT, HOUR, open, 'javascript');
        expect(storedItems(kernel)).toEqual(storedItems(javascript));
        if (texts.every(kernelCovers)) expect({ core: kernel.core, reason: kernel.fallbackReason }).toEqual({ core: 'kernel', reason: undefined });
        if (kernel.core === 'kernel') kernelFolds++;
        kernel.release();
      }),
      { numRuns: Number(process.env.FOLD_RUNS ?? 150) },
    );
    expect(kernelFolds).toBeGreaterThan(50);
  }, 120_000);
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFlowText, type FlowSink } from '../../lambdas/core/flowlogs/read-text';
import type { FlowRecord } from '../../lambdas/core/flowlogs/flow-record';

const FIXTURES = join(__dirname, '../fixtures/flowlogs');

class Collect implements FlowSink {
  records: FlowRecord[] = [];
  reasons: string[] = [];
  add(record: FlowRecord): void {
    this.records.push(record);
  }
  reject(reason: string): void {
    this.reasons.push(reason);
  }
}

async function* chunks(bytes: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** The independent view: the fixture's record lines as columns, read with split and nothing else. */
function rawRows(name: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(FIXTURES, name), 'utf8').split('\n').filter((line) => line !== '');
  const fields = header.split(' ');
  return lines.map((line) => Object.fromEntries(line.split(' ').map((value, index) => [fields[index], value])));
}

async function read(name: string, gzip = true): Promise<{ sink: Collect; outcome: Awaited<ReturnType<typeof readFlowText>> }> {
  const text = readFileSync(join(FIXTURES, name));
  const sink = new Collect();
  const outcome = await readFlowText(chunks(gzip ? gzipSync(text) : text), sink);
  return { sink, outcome };
}

describe('readFlowText on the documented record examples', () => {
  it('reads the default format: every record, IPv6 too, NODATA and SKIPDATA counted by status', async () => {
    const { sink, outcome } = await read('default-format.log');
    const raw = rawRows('default-format.log');
    expect(outcome).toEqual({ lines: raw.length });
    expect(sink.reasons).toEqual([]);
    expect(sink.records).toHaveLength(raw.length);
    expect(sink.records.filter((r) => r.logStatus === 'NODATA')).toHaveLength(raw.filter((r) => r['log-status'] === 'NODATA').length);
    expect(sink.records.filter((r) => r.logStatus === 'SKIPDATA')).toHaveLength(raw.filter((r) => r['log-status'] === 'SKIPDATA').length);
    const bytes = raw.filter((r) => r.bytes !== '-').reduce((sum, r) => sum + Number(r.bytes), 0);
    expect(sink.records.reduce((sum, r) => sum + r.bytes, 0)).toBe(bytes);
    expect(sink.records.filter((r) => r.action === 'REJECT')).toHaveLength(raw.filter((r) => r.action === 'REJECT').length);
    const ipv6 = sink.records.find((r) => r.srcaddr?.includes(':'));
    expect(ipv6).toMatchObject({ srcaddr: '2001:db8:1234:a100:8d6e:3477:df66:f105', dstport: 22, protocol: 6, bytes: 8855 });
    const nodata = sink.records.find((r) => r.logStatus === 'NODATA') as FlowRecord;
    expect(nodata.srcaddr).toBeUndefined();
    expect(nodata.action).toBeUndefined();
  });

  it('reads a custom version 3 format in its own field order (tcp-flags, packet addresses, instance)', async () => {
    const { sink } = await read('tcp-flags.log', false);
    const raw = rawRows('tcp-flags.log');
    expect(sink.records.map((r) => [r.bytes, r.packets, r.tcpFlags, r.instanceId, r.interfaceId])).toEqual(raw.map((r) => [Number(r.bytes), Number(r.packets), Number(r['tcp-flags']), r['instance-id'], r['interface-id']]));
  });

  it('reads a version 5 format with flow-direction and traffic-path, without interface-id', async () => {
    const { sink } = await read('traffic-path.log');
    const raw = rawRows('traffic-path.log');
    expect(sink.records.map((r) => [r.flowDirection, r.trafficPath, r.instanceId, r.interfaceId])).toEqual(raw.map((r) => [r['flow-direction'], r['traffic-path'] === '-' ? undefined : Number(r['traffic-path']), r['instance-id'], undefined]));
  });

  it('counts each bad line with a reason naming the field, never the value, and keeps the good lines', async () => {
    const { sink, outcome } = await read('bad-lines.log');
    const lines = readFileSync(join(FIXTURES, 'bad-lines.log'), 'utf8').split('\n').slice(1).filter((line) => line.trim() !== '');
    expect(outcome.lines).toBe(lines.length);
    expect(sink.records.length + sink.reasons.length).toBe(lines.length);
    expect(sink.records).toHaveLength(2);
    expect(sink.reasons).toEqual(['record has fewer fields than its header', 'port above 65535', 'srcaddr is not an IP address', 'log-status is not OK, NODATA or SKIPDATA']);
    expect(sink.reasons.join(' ')).not.toContain('<script>');
  });

  it('keeps the records before a truncated gzip and reports the damage', async () => {
    const whole = gzipSync(readFileSync(join(FIXTURES, 'default-format.log')));
    const sink = new Collect();
    const outcome = await readFlowText(chunks(whole.subarray(0, whole.length - 12)), sink);
    expect(outcome.formatError).toMatch(/^gzip: /);
    expect(sink.records.length).toBeGreaterThan(0);
    expect(sink.records.length).toBeLessThanOrEqual(rawRows('default-format.log').length);
  });

  it('fails an object whose first line is not a flow log header, an empty object, and a format without start', async () => {
    for (const text of ['{"Records": []}\n', '', 'version interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr\n- eni-1 10.0.0.1 10.0.0.2 10.0.0.1 10.0.0.2\n']) {
      const sink = new Collect();
      const outcome = await readFlowText(chunks(Buffer.from(text)), sink);
      expect(outcome.formatError).toBeDefined();
      expect(sink.records).toEqual([]);
    }
  });

  it('rejects an oversize line and reads on after it', async () => {
    const text = `${readFileSync(join(FIXTURES, 'default-format.log'), 'utf8')}${'x'.repeat(100_000)}\n2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.16.21 49761 22 6 3 180 1418530011 1418530071 ACCEPT OK\n`;
    const sink = new Collect();
    await readFlowText(chunks(gzipSync(text), 4096), sink);
    expect(sink.reasons).toEqual(['line longer than 16 KB']);
    expect(sink.records).toHaveLength(rawRows('default-format.log').length + 1);
  });
});

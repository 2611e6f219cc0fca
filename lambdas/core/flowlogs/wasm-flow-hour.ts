import type { DirectionTotals, FlowHour, FlowRow, InterfaceHour } from './flow-aggregate';
import { attachRowView, DIRECTION_ACTIONS } from './flow-row-view';
import { WasmRowView, type KernelRows } from './wasm-row-view';
import { attachPeerView, PeerIndexView, type PairList } from './peer-index-view';
import { FLOW_KERNEL_WASM_BASE64 } from './wasm/flow-kernel-wasm';

/**
 * One flow log's account-hour folded by the WebAssembly flow kernel (wasm/as/flow-kernel.ts, a copy of the bench's
 * bench/flow-floor/as/whole.ts): everything after gunzip (line split, parse, direction, rows, caps, peer index)
 * runs in the module, and this reads its results into the same `FlowHour` FlowHourAggregator.finish() gives, so
 * that interfaceItem and peersItem (flow-items.ts) encode the same items. Only the default format (version 2)
 * with IPv4 addresses is supported; anything else (a custom header, an IPv6 address, a kernel limit reached)
 * gives `{ supported: false }` and the caller folds the hour with FlowHourAggregator instead.
 *
 * The hour finish() gives reads the kernel's memory in place: it is valid until the next begin() of the same
 * instance (the compaction holds one instance per flow log until the hour's items are encoded: fold-flow-log.ts).
 */

/** The only header the kernel reads (VPC Flow Logs' default format). */
export const KERNEL_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** Records folded per hour by default: memory is laid out for them once (about 180 bytes each, plus 27 MB with the gathered pairs). */
export const DEFAULT_MAX_RECORDS = 1_000_000;

/** The kernel takes at most this many bytes per push (its input buffer holds a carried line before them). */
const PUSH_BYTES = 65536;

export interface WasmHourCounts {
  /** Record lines parsed (the kernel's `records`: every valid line of any account and hour). */
  records: number;
  /** Lines rejected (malformed), as FlowSink.reject counts them. */
  rejected: number;
  /** Whitespace-only lines (neither records nor rejected, as in readFlowText). */
  blank: number;
}

export type WasmFlowHourResult = ({ supported: true; hour: FlowHour; detach(): void } & WasmHourCounts) | { supported: false; reason: string };

/** The few WebAssembly types used (the project's lib is ES2022, without the DOM's WebAssembly declarations). */
interface WasmGlobal {
  value: number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  RuntimeError: new (message?: string) => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  init(cap: number, headerLen: number): void;
  inputAt(): number;
  headerAt(): number;
  outAt(): number;
  carried(): number;
  setFallback(hi: number, lo: number): void;
  setTarget(hi: number, lo: number, hourNumber: number): void;
  reset(): void;
  beginFile(): void;
  push(length: number): void;
  endFile(): void;
  finish(): number;
  records: WasmGlobal;
  rejected: WasmGlobal;
  blank: WasmGlobal;
  unsupported: WasmGlobal;
  formatError: WasmGlobal;
}

/** Thrown by the kernel's abort (a fixed limit reached: interfaces, (protocol, port) codes, records, own addresses). */
class KernelLimit extends Error {}

let compiled: object | undefined;
function kernelModule(): object {
  return (compiled ??= new wasm.Module(Buffer.from(FLOW_KERNEL_WASM_BASE64, 'base64')));
}

const ACCOUNT_ID = /^\d{12}$/;
const HOUR = /^\d{4}-\d\d-\d\dT\d\d$/;

/** Where layout() leaves the results: u32 fields at outAt() + 256, in this order (flow-kernel.ts layout()). */
const LAYOUT = [
  'IH', 'IFPOOL', 'IFOFF', 'IFLEN', 'R_KEY', 'R_FLOWS', 'R_BYTES', 'R_PACKETS', 'R_FIRST', 'R_LAST',
  'P_IH', 'P_PEER', 'P_FLOWS', 'P_REJ', 'P_FIRST', 'P_LAST', 'P_NPORTS', 'P_PORTS', 'P_IN', 'P_OUT',
  'P_PACKETS', 'CODEVAL', 'ORDER', 'nIh', 'nOrder', 'nHours', 'nIf', 'flows', 'nodata', 'skipdata', 'cappedPeers', 'outside',
  'IH_STRIDE', 'I_IFACE', 'I_FIRST', 'I_LAST', 'I_NODATA', 'I_SKIP', 'I_CAPPED', 'I_RS', 'I_RE', 'I_TOT', 'I_STAR',
  'G_IH', 'G_PEER', 'G_FLOWS', 'G_REJ', 'G_FIRST', 'G_LAST', 'G_NPORTS', 'G_PORTS', 'G_IN', 'G_OUT', 'G_PACKETS', 'nCodes',
] as const;
type Layout = Record<(typeof LAYOUT)[number], number>;

const DIRECTIONS = ['in', 'out', 'unknown'] as const;

function accountParts(accountId: string): [number, number] {
  const value = Number(accountId);
  return [Math.floor(value / 2 ** 32), value % 2 ** 32];
}

function dotted(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/**
 * The kernel, instantiated once (its memory laid out for `maxRecords` folded records) and reused hour after hour:
 * begin(), then per object beginFile(), push() of its decompressed bytes, endFile(); then finish().
 */
export class WasmFlowHour {
  private readonly kernel: KernelExports;
  private accountId = '';
  private hour = '';
  private failure: string | undefined;
  private running = false;

  constructor(readonly maxRecords = DEFAULT_MAX_RECORDS) {
    const instance = new wasm.Instance(kernelModule(), {
      env: {
        abort(): never {
          throw new KernelLimit('flow kernel: a fixed limit was reached');
        },
      },
    });
    this.kernel = instance.exports as unknown as KernelExports;
    this.kernel.init(maxRecords, KERNEL_HEADER.length);
    new Uint8Array(this.kernel.memory.buffer).set(Buffer.from(KERNEL_HEADER, 'latin1'), this.kernel.headerAt());
  }

  /** The kernel cannot give this hour (finish() will say why): reading more of it is wasted. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Starts an account-hour (`hour` as `YYYY-MM-DDTHH`, FlowHourAggregator's). */
  begin(accountId: string, hour: string): void {
    this.accountId = accountId;
    this.hour = hour;
    this.failure = undefined;
    this.running = true;
    if (!ACCOUNT_ID.test(accountId) || !HOUR.test(hour)) {
      this.failure = 'account id or hour not in the kernel form';
      return;
    }
    const hourNumber = Date.parse(`${hour}:00:00Z`) / 3_600_000;
    this.kernel.reset();
    this.kernel.setTarget(...accountParts(accountId), hourNumber);
  }

  /** Starts an object; `fallbackAccountId` is its key's account (for lines whose account-id is `-`). */
  beginFile(fallbackAccountId: string): void {
    if (this.failure) return;
    if (!ACCOUNT_ID.test(fallbackAccountId)) {
      this.failure = 'object key account not in the kernel form';
      return;
    }
    this.kernel.setFallback(...accountParts(fallbackAccountId));
    this.kernel.beginFile();
  }

  /** The object's next decompressed bytes (any length). */
  push(chunk: Uint8Array): void {
    if (this.failure) return;
    const kernel = this.kernel;
    try {
      for (let at = 0; at < chunk.length; at += PUSH_BYTES) {
        const part = chunk.subarray(at, at + PUSH_BYTES);
        // A fresh view each time: memory.buffer is replaced if the module's memory ever grows.
        new Uint8Array(kernel.memory.buffer).set(part, kernel.inputAt() + kernel.carried());
        kernel.push(part.length);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  endFile(): void {
    if (this.failure) return;
    try {
      this.kernel.endFile();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The account-hour, or why the kernel cannot give it (then fold the hour with FlowHourAggregator). */
  finish(): WasmFlowHourResult {
    if (!this.running) return { supported: false, reason: 'finish() before begin()' };
    this.running = false;
    if (this.failure) return { supported: false, reason: this.failure };
    const kernel = this.kernel;
    try {
      kernel.finish();
    } catch (error) {
      this.fail(error);
      return { supported: false, reason: this.failure ?? 'flow kernel failed' };
    }
    if (kernel.formatError.value > 0) return { supported: false, reason: 'a header other than the default format' };
    if (kernel.unsupported.value > 0) return { supported: false, reason: 'IPv6 addresses or times past 2^32' };
    const layout = this.layout();
    if (layout.nHours > 1) return { supported: false, reason: 'flow kernel: more than one hour folded' };
    const read = this.read(layout);
    if (!read) return { supported: false, reason: 'an interface id `-`' };
    return { supported: true, hour: read.hour, detach: read.detach, records: kernel.records.value, rejected: kernel.rejected.value, blank: kernel.blank.value };
  }

  private fail(error: unknown): void {
    if (error instanceof KernelLimit) this.failure = error.message;
    else if (error instanceof wasm.RuntimeError) this.failure = `flow kernel: ${error.message}`;
    else throw error;
  }

  private layout(): Layout {
    const words = new Uint32Array(this.kernel.memory.buffer, this.kernel.outAt() + 256, LAYOUT.length);
    return Object.fromEntries(LAYOUT.map((name, index) => [name, words[index]])) as Layout;
  }

  /**
   * The kernel's results as FlowHourAggregator.finish() gives them: its rows, links and pairs copied into a
   * RowTable, LinkTable and PairTable and read through the same views (InterfaceRowView, PeerIndexView), so the
   * items are encoded by the same code from the same numbers. Only the order of `rows` as a list differs from
   * the JavaScript path's (the items sort the rows).
   */
  private read(l: Layout): { hour: FlowHour; detach(): void } | undefined {
    const buffer = this.kernel.memory.buffer;
    const view = new DataView(buffer);
    const bytes = new Uint8Array(buffer);
    // Typed views where the kernel's arrays are aligned (they are: checked, with DataView as the fallback).
    const words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    const doubles = new Float64Array(buffer, 0, buffer.byteLength >>> 3);
    const u32 = (at: number): number => ((at & 3) === 0 ? words[at >>> 2] : view.getUint32(at, true));
    const f64 = (at: number): number => ((at & 7) === 0 ? doubles[at >>> 3] : view.getFloat64(at, true));

    // Interface-hours (one hour: one per interface), numbered in the order of their ids.
    const ids: string[] = [];
    for (let ih = 0; ih < l.nIh; ih++) {
      const iface = u32(l.IH + ih * l.IH_STRIDE + l.I_IFACE);
      const offset = u32(l.IFOFF + iface * 4);
      ids.push(Buffer.from(bytes.subarray(l.IFPOOL + offset, l.IFPOOL + offset + u32(l.IFLEN + iface * 4))).toString('latin1'));
    }
    if (ids.includes('-')) return undefined;
    const byId = ids.map((_, ih) => ih).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));

    // Rows: read in place in the kernel's columns through a view per interface (no copy: the result is valid
    // until this kernel's next begin(), so the caller holds the kernel as long as it reads the hour).
    let low = Infinity;
    let high = 0;
    for (let ih = 0; ih < l.nIh; ih++) {
      const base = l.IH + ih * l.IH_STRIDE;
      low = Math.min(low, u32(base + l.I_RS));
      high = Math.max(high, u32(base + l.I_RE));
    }
    if (high < low) low = high = 0;
    const aligned = [l.R_KEY, l.R_FLOWS, l.R_FIRST, l.R_LAST, l.CODEVAL].every((at) => at % 4 === 0) && [l.R_BYTES, l.R_PACKETS].every((at) => at % 8 === 0);
    if (!aligned) throw new KernelLimit('flow kernel: result arrays not aligned');
    const names = new Map<number, string>();
    const stars = { directionAction: [] as number[], bytes: [] as number[], packets: [] as number[], flows: [] as number[], first: [] as number[], last: [] as number[] };
    const kernelRows: KernelRows = {
      count: high - low,
      keys: words.subarray((l.R_KEY >>> 2) + low * 2, (l.R_KEY >>> 2) + high * 2),
      flows: words.subarray((l.R_FLOWS >>> 2) + low, (l.R_FLOWS >>> 2) + high),
      bytes: doubles.subarray((l.R_BYTES >>> 3) + low, (l.R_BYTES >>> 3) + high),
      packets: doubles.subarray((l.R_PACKETS >>> 3) + low, (l.R_PACKETS >>> 3) + high),
      first: words.subarray((l.R_FIRST >>> 2) + low, (l.R_FIRST >>> 2) + high),
      last: words.subarray((l.R_LAST >>> 2) + low, (l.R_LAST >>> 2) + high),
      codes: new Int32Array(buffer, l.CODEVAL, l.nCodes),
      stars,
      peerName: (address) => {
        let name = names.get(address);
        if (name === undefined) names.set(address, (name = dotted(address)));
        return name;
      },
    };
    const orders: Int32Array[] = [];
    const rowFlows = kernelRows.flows;
    for (let index = 0; index < l.nIh; index++) {
      const base = l.IH + byId[index] * l.IH_STRIDE;
      const start = u32(base + l.I_RS);
      const end = u32(base + l.I_RE);
      const order = new Int32Array(end - start + DIRECTION_ACTIONS.length);
      let count = 0;
      for (let r = start - low; r < end - low; r++) if (rowFlows[r] > 0) order[count++] = r; // 0 flows: folded into a `*` row
      for (let da = 0; da < DIRECTION_ACTIONS.length; da++) {
        const star = base + l.I_STAR + da * 40;
        if (f64(star + 16) === 0) continue;
        order[count++] = kernelRows.count + stars.flows.length;
        stars.directionAction.push(da);
        stars.bytes.push(f64(star));
        stars.packets.push(f64(star + 8));
        stars.flows.push(f64(star + 16));
        stars.first.push(f64(star + 24));
        stars.last.push(f64(star + 32));
      }
      orders.push(order.subarray(0, count));
    }
    // The peer index: the kept pairs as the kernel gathered them in its order (peers by address text, then
    // interfaces by id), read in place; each peer's pairs are together, its name made once.
    const n = l.nOrder;
    const column = (at: number) => {
      if (at % 8 !== 0) throw new KernelLimit('flow kernel: result arrays not aligned');
      return words.subarray(at >>> 2, (at >>> 2) + n);
    };
    const doubleColumn = (at: number) => {
      if (at % 8 !== 0) throw new KernelLimit('flow kernel: result arrays not aligned');
      return doubles.subarray(at >>> 3, (at >>> 3) + n);
    };
    const [ih, peer, flows, rejected, first, last, portCount] = [l.G_IH, l.G_PEER, l.G_FLOWS, l.G_REJ, l.G_FIRST, l.G_LAST, l.G_NPORTS].map(column);
    const [bytesIn, bytesOut, packets] = [l.G_IN, l.G_OUT, l.G_PACKETS].map(doubleColumn);
    /** The pairs' columns (replaced by copies when the hour is detached from the kernel's memory). */
    const p = { ih, flows, rejected, first, last, portCount, bytesIn, bytesOut, packets, ports: words.subarray(l.G_PORTS >>> 2, (l.G_PORTS >>> 2) + n * 8) };
    const pairPeer = peer;
    const peerNames: string[] = [];
    const starts: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0 && pairPeer[i] === pairPeer[i - 1]) continue;
      starts.push(i);
      peerNames.push(dotted(pairPeer[i]));
    }
    starts.push(n);
    const pairs: PairList = {
      interfaceId: (pair) => ids[p.ih[pair]],
      counts: (pair) => [p.bytesIn[pair], p.bytesOut[pair], p.packets[pair], p.flows[pair], p.rejected[pair], p.first[pair], p.last[pair]],
      portCodes: (pair) => Array.from(p.ports.subarray(pair * 8, pair * 8 + p.portCount[pair])),
    };

    const interfaces: InterfaceHour[] = byId.map((ih, index) => {
      const base = l.IH + ih * l.IH_STRIDE;
      const totals = {} as Record<(typeof DIRECTIONS)[number], DirectionTotals>;
      DIRECTIONS.forEach((direction, d) => {
        const t = base + l.I_TOT + d * 48;
        totals[direction] = { bytes: f64(t), packets: f64(t + 8), flows: f64(t + 16), rejectedBytes: f64(t + 24), rejectedPackets: f64(t + 32), rejectedFlows: f64(t + 40) };
      });
      const hour = {
        interfaceId: ids[ih],
        totals,
        rows: [] as FlowRow[],
        cappedFlows: u32(base + l.I_CAPPED),
        first: u32(base + l.I_FIRST),
        last: u32(base + l.I_LAST),
        nodata: u32(base + l.I_NODATA),
        skipdata: u32(base + l.I_SKIP),
      };
      return attachRowView(hour, new WasmRowView(orders[index], kernelRows));
    });

    const hour: FlowHour = {
      accountId: this.accountId,
      hour: this.hour,
      interfaces,
      peers: {},
      peerPorts: {},
      cappedPeers: l.cappedPeers,
      counts: { flows: l.flows, nodata: l.nodata, skipdata: l.skipdata, outsideHour: l.outside },
    };
    const order = Int32Array.from({ length: peerNames.length }, (_, peer) => peer);
    // Copies of just the hour's rows and pairs (a few MB, against the instance's capacity), so that the kernel can
    // fold another log while this hour is still to be encoded.
    const detach = (): void => {
      const rows = kernelRows;
      [rows.keys, rows.flows, rows.first, rows.last] = [rows.keys.slice(), rows.flows.slice(), rows.first.slice(), rows.last.slice()];
      [rows.bytes, rows.packets, rows.codes] = [rows.bytes.slice(), rows.packets.slice(), rows.codes.slice()];
      for (const name of ['ih', 'flows', 'rejected', 'first', 'last', 'portCount', 'ports'] as const) p[name] = p[name].slice();
      for (const name of ['bytesIn', 'bytesOut', 'packets'] as const) p[name] = p[name].slice();
    };
    return { hour: attachPeerView(hour, new PeerIndexView(order, Int32Array.from(starts), peerNames, pairs)), detach };
  }
}

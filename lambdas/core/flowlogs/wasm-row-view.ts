import type { FlowRow } from './flow-aggregate';
import { flowRowsOf, PORT_SPAN, rowKeyOf, unknownBytesOf, type RowView } from './flow-row-view';

/**
 * An hour's drill-down rows as the WebAssembly kernel left them, read in place in its memory by the item encoders
 * (views over its columns: valid until the kernel folds another log). A row number below `count` is the kernel's
 * row; from `count` on, the interfaces' `*` rows.
 */
/** Columns are views over the kernel's memory, replaced by copies when the hour is detached from it. */
export interface KernelRows {
  readonly count: number;
  /** Per row, the 64-bit key as two words (low, high): interface-hour 10 | peer 32 | direction-action 3 | code 19 (the (protocol, port) dictionary's number). */
  keys: Uint32Array;
  flows: Uint32Array;
  bytes: Float64Array;
  packets: Float64Array;
  first: Uint32Array;
  last: Uint32Array;
  /** Code → portCode ((protocol + 1) * PORT_SPAN + port + 1): the kernel's (protocol, port) dictionary. */
  codes: Int32Array;
  /** The `*` rows: direction-action and counts. */
  readonly stars: { directionAction: number[]; bytes: number[]; packets: number[]; flows: number[]; first: number[]; last: number[] };
  /** The dotted address of a peer (made once per peer and hour). */
  peerName(address: number): string;
}

export class WasmRowView implements RowView {
  constructor(
    readonly order: Int32Array,
    private readonly rows: KernelRows,
  ) {}

  isStar(row: number): boolean {
    return row >= this.rows.count;
  }
  bytes(row: number): number {
    return this.count('bytes', row);
  }
  packets(row: number): number {
    return this.count('packets', row);
  }
  flows(row: number): number {
    return this.count('flows', row);
  }
  first(row: number): number {
    return this.count('first', row);
  }
  last(row: number): number {
    return this.count('last', row);
  }
  /** A count of a kernel row (its column) or of a `*` row (the interface's star list). */
  private count(name: 'bytes' | 'packets' | 'flows' | 'first' | 'last', row: number): number {
    const rows = this.rows;
    return row < rows.count ? rows[name][row] : rows.stars[name][row - rows.count];
  }
  directionAction(row: number): number {
    const rows = this.rows;
    return row < rows.count ? (rows.keys[row * 2] >>> 19) & 7 : rows.stars.directionAction[row - rows.count];
  }
  peer(row: number): string {
    if (this.isStar(row)) return '*';
    const keys = this.rows.keys;
    return this.rows.peerName((((keys[row * 2 + 1] & 0x3fffff) << 10) | (keys[row * 2] >>> 22)) >>> 0);
  }
  protocol(row: number): number | null {
    if (this.isStar(row)) return null;
    return Math.floor(this.codeValue(row) / PORT_SPAN) - 1;
  }
  port(row: number): number | null {
    if (this.isStar(row)) return null;
    return (this.codeValue(row) % PORT_SPAN) - 1;
  }
  /** The row's (protocol, port) value: its key's low 19 bits number it in the kernel's dictionary. */
  private codeValue(row: number): number {
    return this.rows.codes[this.rows.keys[row * 2] & 0x7ffff];
  }
  key(row: number): string {
    return rowKeyOf(this, row);
  }
  flowRows(): FlowRow[] {
    return flowRowsOf(this);
  }
  unknownBytesByPeer(): Map<string, number> {
    return unknownBytesOf(this);
  }
}

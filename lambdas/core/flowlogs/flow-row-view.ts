import type { FlowRow } from './flow-aggregate';
import type { LinkTable, RowTable } from './flow-tables';

/**
 * One interface's drill-down rows read straight from the aggregator's tables, without a key string per row.
 * An hour holds hundreds of thousands of rows and the stored item keeps only those that fit its size, so
 * `finish()` hands this view on and the item is encoded from it (flow-item-rows.ts); the documented
 * `FlowRow` list (`<direction>|<action>|<peer>|<protocol>|<port>` keys) is built from the same view, only
 * when someone reads `InterfaceHour.rows`.
 */

/** Protocol and port as one number (-1 for either when the record had none). */
export const PORT_SPAN = 65537;
export const portCode = (protocol: number, port: number): number => (protocol + 1) * PORT_SPAN + (port + 1);
/** Direction, action and port code in one integer below 2^30: a V8 small integer, compared without allocation. */
export const PORT_CODES = 257 * PORT_SPAN;
export const rowCode = (directionAction: number, code: number): number => directionAction * PORT_CODES + code;
/** `<direction>|<action>` of each direction-action number (direction × 2 + rejected). */
export const DIRECTION_ACTIONS = ['in|ACCEPT', 'in|REJECT', 'out|ACCEPT', 'out|REJECT', 'unknown|ACCEPT', 'unknown|REJECT'];
/** Direction-action numbers of unknown direction are this and above. */
export const UNKNOWN_DIRECTION_ACTION = 4;

const STAR = '*';
const NONE = -1;

/** Bound of each port-name cache (a scan of every port of every protocol would otherwise fill it). */
const MAX_PORT_NAMES = 4096;
const portNames = new Map<number, string>();
const rowPortNames = new Map<number, string>();

/**
 * `<protocol>/<port>` (peer index) of a port code, made once per code: an hour has a few distinct ports and
 * hundreds of thousands of rows and links naming them.
 */
export function portName(code: number): string {
  let name = portNames.get(code);
  if (name === undefined) {
    const protocol = Math.floor(code / PORT_SPAN);
    portNames.set(code, (name = `${protocol - 1}/${code - protocol * PORT_SPAN - 1}`));
    if (portNames.size > MAX_PORT_NAMES) portNames.clear();
  }
  return name;
}

/** `|<protocol>|<port>` (row keys) of a port code. */
function rowPortName(code: number): string {
  let name = rowPortNames.get(code);
  if (name === undefined) {
    const protocol = Math.floor(code / PORT_SPAN);
    rowPortNames.set(code, (name = `|${protocol - 1}|${code - protocol * PORT_SPAN - 1}`));
    if (rowPortNames.size > MAX_PORT_NAMES) rowPortNames.clear();
  }
  return name;
}

/** What the item encoders read of an interface's rows (InterfaceRowView, or the WebAssembly kernel's rows). */
export interface RowView {
  /** The row numbers, in the order `rows` lists them. */
  readonly order: Int32Array;
  bytes(row: number): number;
  packets(row: number): number;
  flows(row: number): number;
  first(row: number): number;
  last(row: number): number;
  /** Direction × 2 + rejected (DIRECTION_ACTIONS). */
  directionAction(row: number): number;
  /** Whether the row is an interface's `*` row (flows beyond the live row cap). */
  isStar(row: number): boolean;
  /** The peer address, or `*`. */
  peer(row: number): string;
  /** The protocol (-1 when the records had none), null for a `*` row. */
  protocol(row: number): number | null;
  /** The port (-1 when the records had none), null for a `*` row. */
  port(row: number): number | null;
  key(row: number): string;
  flowRows(): FlowRow[];
  unknownBytesByPeer(): Map<string, number>;
}

/** The row's documented key, `<direction>|<action>|<peer>|<protocol>|<port>`, from any view. */
export function rowKeyOf(view: RowView, row: number): string {
  const prefix = DIRECTION_ACTIONS[view.directionAction(row)];
  if (view.isStar(row)) return `${prefix}|*|*|*`;
  return `${prefix}|${view.peer(row)}|${view.protocol(row)}|${view.port(row)}`;
}

/** Every row of a view as a FlowRow, in `order`. */
export function flowRowsOf(view: RowView): FlowRow[] {
  const rows: FlowRow[] = new Array(view.order.length);
  for (let i = 0; i < view.order.length; i++) {
    const row = view.order[i];
    rows[i] = [view.key(row), view.bytes(row), view.packets(row), view.flows(row), view.first(row), view.last(row)];
  }
  return rows;
}

/** Bytes of unknown direction per peer (not the `*` rows, which name no peer), from any view. */
export function unknownBytesOf(view: RowView): Map<string, number> {
  const byPeer = new Map<string, number>();
  for (const row of view.order) {
    if (view.directionAction(row) < UNKNOWN_DIRECTION_ACTION || view.isStar(row)) continue;
    const peer = view.peer(row);
    byPeer.set(peer, (byPeer.get(peer) ?? 0) + view.bytes(row));
  }
  return byPeer;
}

export class InterfaceRowView implements RowView {
  /**
   * @param order the interface's row numbers in the table, in the order `rows` lists them.
   * @param peerNames peer number → address (the links' `peer`).
   */
  constructor(
    readonly order: Int32Array,
    private readonly table: RowTable,
    private readonly links: LinkTable,
    private readonly peerNames: readonly string[],
  ) {}

  bytes(row: number): number {
    return this.table.bytes(row);
  }

  packets(row: number): number {
    return this.table.packets(row);
  }

  flows(row: number): number {
    return this.table.flows(row);
  }

  first(row: number): number {
    return this.table.first(row);
  }

  last(row: number): number {
    return this.table.last(row);
  }

  /** Direction × 2 + rejected (DIRECTION_ACTIONS). */
  directionAction(row: number): number {
    return Math.floor(this.table.code(row) / PORT_CODES);
  }

  /** Whether the row is an interface's `*` row (flows beyond the live row cap). */
  isStar(row: number): boolean {
    return this.table.link(row) === NONE;
  }

  /** The peer address, or `*`. */
  peer(row: number): string {
    const link = this.table.link(row);
    return link === NONE ? STAR : this.peerNames[this.links.peer(link)];
  }

  /** The protocol (-1 when the records had none), null for a `*` row. */
  protocol(row: number): number | null {
    if (this.isStar(row)) return null;
    return Math.floor((this.table.code(row) % PORT_CODES) / PORT_SPAN) - 1;
  }

  /** The port (-1 when the records had none), null for a `*` row. */
  port(row: number): number | null {
    if (this.isStar(row)) return null;
    return ((this.table.code(row) % PORT_CODES) % PORT_SPAN) - 1;
  }

  /** The row's documented key, `<direction>|<action>|<peer>|<protocol>|<port>`. */
  key(row: number): string {
    const prefix = DIRECTION_ACTIONS[this.directionAction(row)];
    if (this.isStar(row)) return `${prefix}|*|*|*`;
    return `${prefix}|${this.peer(row)}${rowPortName(this.table.code(row) % PORT_CODES)}`;
  }

  flowRow(row: number): FlowRow {
    const table = this.table;
    return [this.key(row), table.bytes(row), table.packets(row), table.flows(row), table.first(row), table.last(row)];
  }

  /** Every row as a FlowRow, in `order`. */
  flowRows(): FlowRow[] {
    const rows: FlowRow[] = new Array(this.order.length);
    for (let i = 0; i < this.order.length; i++) rows[i] = this.flowRow(this.order[i]);
    return rows;
  }

  /** Bytes of unknown direction per peer (not the `*` rows, which name no peer). */
  unknownBytesByPeer(): Map<string, number> {
    const byPeer = new Map<string, number>();
    for (const row of this.order) {
      if (this.directionAction(row) < UNKNOWN_DIRECTION_ACTION || this.isStar(row)) continue;
      const peer = this.peer(row);
      byPeer.set(peer, (byPeer.get(peer) ?? 0) + this.table.bytes(row));
    }
    return byPeer;
  }
}

/** Where finish() leaves an interface's view, out of sight of equality checks and of object spread. */
const VIEW = Symbol('rowView');

/** Gives `iface` its row view and a `rows` property built from it on first read. */
export function attachRowView<T extends object>(iface: T, view: RowView): T & { readonly rows: readonly FlowRow[] } {
  let rows: FlowRow[] | undefined;
  Object.defineProperty(iface, VIEW, { value: view, enumerable: false });
  Object.defineProperty(iface, 'rows', { get: () => (rows ??= view.flowRows()), enumerable: true, configurable: true });
  return iface as T & { readonly rows: readonly FlowRow[] };
}

/** The view finish() left on an interface hour, or undefined (hours built otherwise: tests, merged copies). */
export function rowViewOf(iface: object): RowView | undefined {
  return (iface as { [VIEW]?: RowView })[VIEW];
}

import { DIRECTION_ACTIONS, type RowView } from './flow-row-view';
import type { FlowRowColumns } from './flow-row-body';

/**
 * An interface item's rows encoded straight from the aggregator's tables (InterfaceRowView): the same body
 * as sorting the `FlowRow` list and folding it to size (flow-items.ts interfaceItem, the reference a
 * property test holds this to), without a key string per row. Keys are built only to break ties of bytes,
 * which the sort needs, and the rows travel as columns.
 */

/** Rows as columns, times absolute (the body counts them from the hour). A `*` row has peer `*`, protocol and port null. */
export interface WorkingRows {
  directionAction: number[];
  peer: string[];
  protocol: (number | null)[];
  port: (number | null)[];
  bytes: number[];
  packets: number[];
  flows: number[];
  first: number[];
  last: number[];
}

const STAR = '*';

/** The view's rows, busiest first, ties by key (the order interfaceItem sorts FlowRows in). */
export function sortedRows(view: RowView): WorkingRows {
  const order = Array.from(view.order);
  const keys = new Map<number, string>();
  const keyOf = (row: number): string => {
    let key = keys.get(row);
    if (key === undefined) keys.set(row, (key = view.key(row)));
    return key;
  };
  order.sort((a, b) => view.bytes(b) - view.bytes(a) || (keyOf(a) < keyOf(b) ? -1 : 1));
  const rows = emptyRows();
  for (const row of order) push(rows, view.directionAction(row), view.peer(row), view.protocol(row), view.port(row), view.bytes(row), view.packets(row), view.flows(row), view.first(row), view.last(row));
  return rows;
}

function emptyRows(): WorkingRows {
  return { directionAction: [], peer: [], protocol: [], port: [], bytes: [], packets: [], flows: [], first: [], last: [] };
}

function push(rows: WorkingRows, directionAction: number, peer: string, protocol: number | null, port: number | null, bytes: number, packets: number, flows: number, first: number, last: number): void {
  rows.directionAction.push(directionAction);
  rows.peer.push(peer);
  rows.protocol.push(protocol);
  rows.port.push(port);
  rows.bytes.push(bytes);
  rows.packets.push(packets);
  rows.flows.push(flows);
  rows.first.push(first);
  rows.last.push(last);
}

export function rowCount(rows: WorkingRows): number {
  return rows.peer.length;
}

/** Keeps the first `keep` rows and folds the others into their direction-action's `*` row (made at the end when missing). */
export function foldWorkingRows(rows: WorkingRows, keep: number): { rows: WorkingRows; folded: number } {
  const kept = emptyRows();
  const starOf = new Map<number, number>();
  for (let i = 0; i < keep; i++) {
    push(kept, rows.directionAction[i], rows.peer[i], rows.protocol[i], rows.port[i], rows.bytes[i], rows.packets[i], rows.flows[i], rows.first[i], rows.last[i]);
    if (rows.peer[i] === STAR) starOf.set(rows.directionAction[i], i);
  }
  let folded = 0;
  for (let i = keep; i < rowCount(rows); i++) {
    folded += rows.flows[i];
    const target = starOf.get(rows.directionAction[i]);
    if (target === undefined) {
      starOf.set(rows.directionAction[i], rowCount(kept));
      push(kept, rows.directionAction[i], STAR, null, null, rows.bytes[i], rows.packets[i], rows.flows[i], rows.first[i], rows.last[i]);
    } else {
      kept.bytes[target] += rows.bytes[i];
      kept.packets[target] += rows.packets[i];
      kept.flows[target] += rows.flows[i];
      kept.first[target] = Math.min(kept.first[target], rows.first[i]);
      kept.last[target] = Math.max(kept.last[target], rows.last[i]);
    }
  }
  return { rows: kept, folded };
}

/** The stored body (flow-row-body.ts, version 2) of the rows. */
export function workingRowsBody(rows: WorkingRows, t0: number): FlowRowColumns {
  const peers: string[] = [];
  const peerIndex = new Map<string, number>();
  const peer: number[] = [];
  for (const name of rows.peer) {
    let index = peerIndex.get(name);
    if (index === undefined) {
      peerIndex.set(name, (index = peers.length));
      peers.push(name);
    }
    peer.push(index);
  }
  return {
    v: 2,
    t0,
    peers,
    da: rows.directionAction.map((code) => DIRECTION_ACTIONS[code]),
    peer,
    protocol: rows.protocol,
    port: rows.port,
    bytes: rows.bytes,
    packets: rows.packets,
    flows: rows.flows,
    first: rows.first.map((first) => first - t0),
    last: rows.last.map((last) => last - t0),
  };
}

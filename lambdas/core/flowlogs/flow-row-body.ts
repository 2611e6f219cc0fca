import type { FlowRow } from './flow-aggregate';

/**
 * The drill-down rows of an interface item, by column (version 2 of the body): the peers once each, then
 * one array per column, times as seconds from the hour's start. Columns of like numbers gzip far better
 * than one JSON array per row that repeats the full key and two Unix times, so an item costs fewer write
 * units. Rows keep their order (busiest first). Version 1 bodies (a JSON array of rows) still decode.
 */
export interface FlowRowColumns {
  v: 2;
  /** Seconds the times are counted from. */
  t0: number;
  peers: string[];
  /** `<direction>|<action>` per row. */
  da: string[];
  /** Index into peers. */
  peer: number[];
  /** null: the `*` of a folded row. */
  protocol: (number | null)[];
  port: (number | null)[];
  bytes: number[];
  packets: number[];
  flows: number[];
  first: number[];
  last: number[];
}

const STAR = '*';

/** `<direction>|<action>|<peer>|<protocol>|<port>` split at its first two and last two bars (an IPv6 peer has none). */
function splitKey(key: string): [string, string, string, string] {
  const second = key.indexOf('|', key.indexOf('|') + 1);
  const last = key.lastIndexOf('|');
  const beforeLast = key.lastIndexOf('|', last - 1);
  return [key.slice(0, second), key.slice(second + 1, beforeLast), key.slice(beforeLast + 1, last), key.slice(last + 1)];
}

const numberOrStar = (text: string): number | null => (text === STAR ? null : Number(text));

export function rowColumns(rows: readonly FlowRow[], t0: number): FlowRowColumns {
  const body: FlowRowColumns = { v: 2, t0, peers: [], da: [], peer: [], protocol: [], port: [], bytes: [], packets: [], flows: [], first: [], last: [] };
  const peerIndex = new Map<string, number>();
  for (const [key, bytes, packets, flows, first, last] of rows) {
    const [da, peer, protocol, port] = splitKey(key);
    let index = peerIndex.get(peer);
    if (index === undefined) {
      peerIndex.set(peer, (index = body.peers.length));
      body.peers.push(peer);
    }
    body.da.push(da);
    body.peer.push(index);
    body.protocol.push(numberOrStar(protocol));
    body.port.push(numberOrStar(port));
    body.bytes.push(bytes);
    body.packets.push(packets);
    body.flows.push(flows);
    body.first.push(first - t0);
    body.last.push(last - t0);
  }
  return body;
}

/** The rows of a decoded body, version 1 or 2. */
export function rowsOfBody(decoded: unknown): FlowRow[] {
  if (Array.isArray(decoded)) return decoded as FlowRow[];
  const body = decoded as FlowRowColumns;
  return body.da.map((da, i): FlowRow => [`${da}|${body.peers[body.peer[i]]}|${body.protocol[i] ?? STAR}|${body.port[i] ?? STAR}`, body.bytes[i], body.packets[i], body.flows[i], body.first[i] + body.t0, body.last[i] + body.t0]);
}

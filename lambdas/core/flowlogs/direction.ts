import type { FlowRecord } from './flow-record';

/**
 * Which side of a flow record is the network interface's own. Version 5 formats say it (`flow-direction`);
 * the default format does not, but every record of an interface has one of the interface's addresses on one
 * side, so the address common to its records is its own. Until two records with different peers show it, an
 * interface's records wait (a few per interface); what is still open at the end is decided by address class
 * (a private address against a public one), else left `unknown`.
 */
export type Direction = 'in' | 'out' | 'unknown';

export interface Resolved {
  direction: Direction;
  /** The other side, as the packet saw it (pkt-srcaddr / pkt-dstaddr behind a NAT gateway). */
  peer: string;
}

/**
 * The answer of resolve and of the release callback: one object, rewritten by every answer (the aggregator
 * reads it at once; an object per record would be garbage per record). Valid until the next call.
 */
const answer: Resolved = { direction: 'unknown', peer: '' };
function resolved(direction: Direction, peer: string): Resolved {
  answer.direction = direction;
  answer.peer = peer;
  return answer;
}

/** Records held per interface while its own address is not known. */
export const MAX_WAITING = 32;

export class InterfaceAddresses {
  private readonly own = new Set<string>();
  private candidates: string[] | undefined;
  private waiting: FlowRecord[] = [];

  /** Resolves a record now, or holds it (returns undefined) until the interface's address is known. */
  resolve(record: FlowRecord, release: (record: FlowRecord, resolved: Resolved) => void): Resolved | undefined {
    const src = record.srcaddr as string;
    const dst = record.dstaddr as string;
    if (record.flowDirection) {
      this.own.add(record.flowDirection === 'ingress' ? dst : src);
      return record.flowDirection === 'ingress' ? resolved('in', record.pktSrcaddr ?? src) : resolved('out', record.pktDstaddr ?? dst);
    }
    const known = this.byOwn(record);
    if (known) return known;
    this.candidates = this.candidates ? this.candidates.filter((address) => address === src || address === dst) : [src, dst];
    if (this.candidates.length === 1) {
      this.own.add(this.candidates[0]);
      this.candidates = undefined;
      const waiting = this.waiting;
      this.waiting = [];
      for (const held of waiting) release(held, this.byOwn(held) ?? byAddressClass(held));
      return this.byOwn(record) ?? byAddressClass(record);
    }
    if (this.candidates.length === 0) this.candidates = [src, dst];
    if (this.waiting.length >= MAX_WAITING) return byAddressClass(record);
    this.waiting.push(record);
    return undefined;
  }

  /** The records still waiting, decided by address class. */
  flush(release: (record: FlowRecord, resolved: Resolved) => void): void {
    for (const held of this.waiting) release(held, this.byOwn(held) ?? byAddressClass(held));
    this.waiting = [];
  }

  private byOwn(record: FlowRecord): Resolved | undefined {
    const src = record.srcaddr as string;
    const dst = record.dstaddr as string;
    const srcOwn = this.own.has(src);
    const dstOwn = this.own.has(dst);
    if (dstOwn && !srcOwn) return resolved('in', record.pktSrcaddr ?? src);
    if (srcOwn && !dstOwn) return resolved('out', record.pktDstaddr ?? dst);
    return undefined;
  }
}

/** RFC 1918, shared (RFC 6598), link-local and IPv6 unique-local/link-local addresses: never a peer on the internet. */
export function isPrivateAddress(address: string): boolean {
  if (address.includes(':')) return /^f[cd]/i.test(address) || /^fe[89ab]/i.test(address);
  const [a, b] = address.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
}

function byAddressClass(record: FlowRecord): Resolved {
  const src = record.srcaddr as string;
  const dst = record.dstaddr as string;
  const srcPrivate = isPrivateAddress(src);
  const dstPrivate = isPrivateAddress(dst);
  if (dstPrivate && !srcPrivate) return resolved('in', record.pktSrcaddr ?? src);
  if (srcPrivate && !dstPrivate) return resolved('out', record.pktDstaddr ?? dst);
  return resolved('unknown', dst);
}

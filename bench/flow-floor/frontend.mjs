// The JS front end of the earlier spike (kernel.mjs parser + kernel2.mjs hour/interface/direction resolution),
// with its fold replaced by a store of each record's row key and values into typed arrays:
//   kh = interface-hour << 22 | protocol index << 20 | direction+action << 17 | port + 1   (u32)
//   kl = peer IPv4 (u32);   vals[4i..4i+3] = bytes, packets, start, end (f64)
// A row is (interface-hour, peer, protocol + service port, direction, action), as in kernel2's fold.
import { JsKernel } from './kernel.mjs';
import { JsKernel2 } from './kernel2.mjs';
export class ToArrays extends JsKernel2 {
  constructor(capacity) {
    super();
    this.kh = new Uint32Array(capacity); this.kl = new Uint32Array(capacity); this.vals = new Float64Array(capacity * 4);
    this.protoIndex = new Int8Array(256);
  }
  summary() { return null; }
  reset() { super.reset(); this.n = 0; this.protoIndex?.fill(-1); this.nProto = 0; }
  fold(hi, H, direction, peer, src, dst, srcport, dstport, protocol, packets, bytes, start, end, rejected) {
    const port = srcport >= 0 && dstport >= 0 ? Math.min(srcport, dstport) : dstport;
    let p = this.protoIndex[protocol];
    if (p < 0) { p = this.protoIndex[protocol] = this.nProto++; if (p > 3) throw new Error('spike: more than 4 protocols (key would need more bits)'); }
    if (hi > 1023 || peer >= 4294967296) throw new Error('spike: key does not fit 64 bits (more than 1024 interface-hours, or IPv6)');
    const n = this.n++;
    this.kh[n] = (hi << 22) | (p << 20) | ((direction * 2 + (rejected ? 1 : 0)) << 17) | (port + 1);
    this.kl[n] = peer;
    const v = this.vals, o = n * 4;
    v[o] = bytes; v[o + 1] = packets; v[o + 2] = start; v[o + 3] = end;
  }
}
/** kernel.mjs's parser alone (each record handed to a no-op). */
export class ParseOnly extends JsKernel { add() {} summary() { return null; } }
export function runKernel(k, plain) { k.reset(); for (const cs of plain) { k.beginFile(); for (const c of cs) k.push(c); k.endFile(); } k.finish(); return k.records; }

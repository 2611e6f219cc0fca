// Driver of as/whole.wasm: per file, the gunzip output chunks (common.mjs's gunzip, 64 KB) copied into the
// module's memory after the line it carries; everything after gunzip happens inside the module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipped } from './common.mjs';
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
/** The order of the module's OUT totals (whole.ts summary()). */
export const SUMMARY = ['records', 'rejected', 'blank', 'flows', 'rows', 'cappedFlows', 'bytesIn', 'bytesOut', 'bytesUnknown', 'pairs', 'cappedPeers', 'pairPorts', 'pairPortCodeSum',
  'nodata', 'skipdata', 'outsideHour', 'rowBytes', 'rowFlows', 'pairBytesIn', 'pairBytesOut', 'pairFlows', 'packets', 'interfaceHours', 'appended', 'liveRows', 'rejectedFlows', 'pairRejected', 'unsupported', 'formatError', 'orderHash'];
export class Whole {
  /** cap: most records folded per batch (the module's memory is laid out once for it). */
  constructor(cap, wasm = join(import.meta.dirname, 'as/whole.wasm'), fallbackAccount = 111122223333) {
    const module = new WebAssembly.Module(readFileSync(wasm));
    this.w = new WebAssembly.Instance(module, { env: { abort() { throw new Error('whole.wasm: abort (a limit of the spike)'); } } }).exports;
    this.w.init(cap, HEADER.length);
    this.mem = new Uint8Array(this.w.memory.buffer);
    this.mem.set(Buffer.from(HEADER, 'latin1'), this.w.headerAt());
    this.w.setFallback(Math.floor(fallbackAccount / 2 ** 32), fallbackAccount % 2 ** 32);
    this.input = this.w.inputAt();
  }
  /** The whole core over the files; returns the records it parsed. */
  async run(files) {
    const w = this.w, mem = this.mem, input = this.input;
    w.reset();
    for (const file of files) {
      w.beginFile();
      for await (const chunk of gunzipped(file)) { mem.set(chunk, input + w.carried()); w.push(chunk.length); }
      w.endFile();
    }
    w.finish();
    return w.records.value;
  }
  summary() {
    const out = new Float64Array(this.w.memory.buffer, this.w.outAt(), SUMMARY.length);
    return Object.fromEntries(SUMMARY.map((name, i) => [name, out[i]]));
  }
}

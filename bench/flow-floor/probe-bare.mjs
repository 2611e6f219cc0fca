// Does the rest of the process (held arrays, wasm memory) slow bare down? bare alone, then with the run's state allocated.
import { bare, bestOf, loadFiles, plainChunks, gunzipOnly } from './common.mjs';
import { ToArrays, runKernel } from './frontend.mjs';
import { WasmAgg } from './agg-wasm.mjs';
import { HashAgg, SortAgg, rowArrays } from './agg-js.mjs';
const files = loadFiles(process.argv[2] ?? 'heavy-tail');
const show = (t, b) => console.log(t, Object.entries(b).map(([k, v]) => `${k} ${v.cpu.toFixed(3)} CPU ${v.wall.toFixed(3)} wall`).join('  '));
show('files only:      ', await bestOf({ bare: () => bare(files), gunzip: () => gunzipOnly(files) }, 3));
const plain = plainChunks(files);
show('+ plain chunks:  ', await bestOf({ bare: () => bare(files), gunzip: () => gunzipOnly(files) }, 3));
const front = new ToArrays(1_100_000); runKernel(front, plain);
show('+ front arrays:  ', await bestOf({ bare: () => bare(files), gunzip: () => gunzipOnly(files) }, 3));
const n = front.n, w = new WasmAgg(n); w.load(n, front.kh, front.kl, front.vals); const h = new HashAgg(n), s = new SortAgg(n), o = rowArrays(n);
show('+ agg state:     ', await bestOf({ bare: () => bare(files), gunzip: () => gunzipOnly(files) }, 3));

// data/bad/: two files of data/heavy-tail with lines that production rejects, ignores (blank) or folds in unusual
// ways (`-` fields, CRLF, another account, SKIPDATA, protocols -1/17, a pair with 12 ports) spliced in, for whole-check.mjs bad.
// (No IPv6 line: whole.wasm rejects IPv6, production folds it: a known gap of the spike.)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
const dir = join(import.meta.dirname, 'data'), out = join(dir, 'bad');
mkdirSync(out, { recursive: true });
const t = 1772359200 + 100; // in the files' first hour
const ok = (fields) => fields.join(' ');
const base = ['2', '111122223333', 'eni-0000000000a000003', '10.0.0.7', '198.51.0.9', '443', '50123', '6', '3', '300', String(t), String(t + 60), 'ACCEPT', 'OK'];
const variant = (i, v) => ok(base.map((f, j) => (j === i ? v : f)));
const extra = [
  // rejected
  variant(1, '11112222333'), variant(1, '1111222233334'), variant(2, 'ENI-0a'), variant(2, 'eni-xyz'), variant(2, 'abcdefghi-0a'), variant(3, '10.0.0.256'),
  variant(3, '10.00.0.1'), variant(4, '198.51.0'), variant(5, '70000'), variant(6, '65536'), variant(7, '256'), variant(9, '1234567890123456'),
  variant(11, String(t - 1)), variant(10, '-'), variant(12, 'ALLOW'), variant(13, 'FAIL'), variant(3, '-'), variant(8, 'x3'),
  base.slice(0, 13).join(' '), `${ok(base)} extra`, ok(base).replace('ACCEPT', 'ACC\u00e9PT'), ok(base).replace(' 6 ', '\t6 '), `${ok(base)}  `,
  // blank
  '', '   ', ' \t ',
  // folded
  variant(1, '-'), variant(2, '-'), variant(12, '-'), variant(13, '-'), `${ok(base)}\r`, variant(5, '-'), variant(7, '-'), variant(7, '17'), variant(0, '5'),
  variant(13, 'SKIPDATA'), variant(1, '999988887777'), variant(9, '123456789012345'), variant(9, '007'),
  ok(['2', '111122223333', 'eni-0000000000a000099', '10.9.9.9', '10.9.9.8', '1', '2', '6', '1', '1', String(t), String(t), 'REJECT', 'OK']),
  // one pair with 12 distinct ports (the peer index keeps the first 8 by arrival)
  ...Array.from({ length: 12 }, (_, k) => variant(5, String(1000 + k))),
];
for (const name of ['f000.log.gz', 'f001.log.gz']) {
  const lines = gunzipSync(readFileSync(join(dir, 'heavy-tail', name))).toString('latin1').split('\n');
  let seed = name.length * 7919;
  for (const line of extra) { seed = (seed * 1103515245 + 12345) % 2147483648; const at = 1 + (seed % (lines.length - 2)); lines.splice(at, 0, line); }
  // f001: 60,000 more records at its start of one interface, each with a new peer (45.x.y.z): the hour's paired peers reach
  // MAX_PEERS (50,000) before its pairs reach MAX_PEER_PAIRS, and that interface's rows their cap.
  if (name === 'f001.log.gz') lines.splice(1, 0, ...Array.from({ length: 60_000 }, (_, k) => variant(4, `45.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`)));
  writeFileSync(join(out, name), gzipSync(Buffer.from(lines.join('\n'), 'latin1')));
}
console.log(`data/bad: 2 files, ${extra.length} lines spliced into each`);

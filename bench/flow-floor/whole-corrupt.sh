#!/bin/sh
# Deliberately wrong kernels (as/whole.ts with one change each) must FAIL whole-check.mjs on at least one data set:
#   rowcap   live rows per interface-hour 3999 instead of 4000
#   paircap  one pair beyond MAX_PAIRS kept per hour (< became <=)
#   peercap  one paired peer beyond MAX_PEERS allowed per hour (< became <=; only data/bad reaches 50,000 peers)
#   own      the stale second candidate learnt as the interface's own address instead of the one left
#   order    the peer index ordered by numeric address instead of the address's text
#   ports    a pair's first 8 ports taken in key order instead of arrival order (only data/bad has > 8 ports per pair)
cd "$(dirname "$0")"
caught=0
for v in "rowcap:s/const MAX_ROWS: i32 = 4000/const MAX_ROWS: i32 = 3999/" \
         "paircap:s/if (pairs < MAX_PAIRS) {/if (pairs <= MAX_PAIRS) {/" \
         "peercap:s/else if (load<i32>(H, H_PEERS) < MAX_PEERS) {/else if (load<i32>(H, H_PEERS) <= MAX_PEERS) {/" \
         "own:s/addOwn(I, load<u32>(I, I_CAND));/addOwn(I, load<u32>(I, I_CAND + 4));/" \
         "order:s/(textKey(load<u32>(P_PEER + (<usize>q << 2))) << 10)/(<u64>load<u32>(P_PEER + (<usize>q << 2)) << 10)/" \
         "ports:s/if (s >= best) continue;/if (best != 0xffffffff) continue;/"; do
  name=${v%%:*}; expr=${v#*:}
  sed "$expr" as/whole.ts > as/corrupt-$name.ts
  cmp -s as/whole.ts as/corrupt-$name.ts && { echo "$name: sed changed nothing"; exit 2; }
  npx --yes -p assemblyscript@0.27 asc as/corrupt-$name.ts -O3 --noAssert --runtime stub --initialMemory 1 -o /tmp/corrupt-$name.wasm
  rm as/corrupt-$name.ts
  failed=0
  for shape in heavy-tail uniform bad; do
    node whole-check.mjs $shape /tmp/corrupt-$name.wasm > /tmp/corrupt-$name-$shape.out 2>&1 && r=PASS || { r=FAIL; failed=$((failed + 1)); }
    echo "corrupt $name on $shape: $r   $(grep DIFF /tmp/corrupt-$name-$shape.out | awk '{print $2}' | tr '\n' ' ')$(grep -o 'Error: whole.wasm: abort.*' /tmp/corrupt-$name-$shape.out)"
  done
  [ $failed -gt 0 ] && caught=$((caught + 1)) || echo "corrupt $name: NOT CAUGHT"
done
echo "caught $caught of 6 corrupt kernels"
[ $caught -eq 6 ]

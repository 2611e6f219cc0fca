#!/bin/sh
# ROUNDS rounds (default 3) of one fresh process per shape (node whole-run.mjs SHAPE 5), with pauses; appends to
# whole-results.log with the time, the load average and the kernel's commit before each process.
cd "$(dirname "$0")"
for round in $(seq "${ROUNDS:-3}"); do
  for shape in heavy-tail uniform; do
    echo "== $(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)  $(git log -1 --format=%h -- as/whole.wasm) as/whole.wasm  node whole-run.mjs $shape 5" >> whole-results.log
    node --expose-gc whole-run.mjs $shape 5 >> whole-results.log 2>&1
    sleep "${PAUSE:-10}"
  done
done

#!/bin/sh
# One measurement round, in short bursts with pauses (the machine's 2 cores are shared): each shape, then the
# new-row ratios. Appends to results.log with the time and load average before each process.
cd "$(dirname "$0")"
for what in heavy-tail uniform "ratio heavy-tail"; do
  echo "== $(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)  node run.mjs $what 3" >> results.log
  node --expose-gc run.mjs $what 3 >> results.log 2>&1
  sleep "${PAUSE:-20}"
done

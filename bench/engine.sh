#!/bin/sh
# Engine figures: cold start to the first answered /_ping (started on demand by the CLI),
# request round trip p50/p99 over one kept-alive connection, idle RSS; plus curl's view.
# Usage: bench/engine.sh [path/to/mycompose] [N cold starts] [M requests]   (root not needed)
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
N=${2:-10}
M=${3:-10000}
WORK=$(mktemp -d /tmp/mycompose-bench-engine-XXXXXX)
cleanup() {
  for r in "$WORK"/r*; do
    [ -S "$r/engine.sock" ] && MYCOMPOSE_ROOT=$r "$BIN" engine stop 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%N | awk '{printf "%.2f", $1 / 1000000}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Cold start: a fresh root each time; the CLI finds no engine, starts one, waits for /_ping.
i=0
: > "$WORK/cold"
: > "$WORK/warm"
while [ $i -lt "$N" ]; do
  R="$WORK/r$i"
  t0=$(now_ms); MYCOMPOSE_ROOT=$R "$BIN" engine ping >/dev/null; t1=$(now_ms)
  MYCOMPOSE_ROOT=$R "$BIN" engine ping >/dev/null; t2=$(now_ms)
  echo "$t0 $t1" | awk '{print $2 - $1}' >> "$WORK/cold"
  echo "$t1 $t2" | awk '{print $2 - $1}' >> "$WORK/warm"
  MYCOMPOSE_ROOT=$R "$BIN" engine stop
  i=$((i + 1))
done
echo "cold 'mycompose engine ping' (starts the engine): median $(median < "$WORK/cold") ms over $N"
echo "warm 'mycompose engine ping' (engine running):   median $(median < "$WORK/warm") ms over $N"

R="$WORK/rbench"
echo "inside the CLI:"
MYCOMPOSE_ROOT=$R "$BIN" engine ping -n "$M" | sed 's/^/  /'
PID=$(cat "$R/engine.pid")
echo "idle engine RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/"$PID"/status) (pid $PID)," \
  "of which private anonymous $(awk '/^Pss_Anon/ {print $2, $3}' /proc/"$PID"/smaps_rollup)," \
  "shared library files $(awk '/^Pss_File/ {print $2, $3}' /proc/"$PID"/smaps_rollup) (PSS)"
if command -v curl >/dev/null; then
  t0=$(now_ms)
  j=0
  while [ $j -lt 100 ]; do curl -s --unix-socket "$R/engine.sock" http://engine/_ping >/dev/null; j=$((j + 1)); done
  t1=$(now_ms)
  echo "curl --unix-socket /_ping (process per request): $(echo "$t0 $t1" | awk '{printf "%.2f", ($2 - $1) / 100}') ms each"
fi
MYCOMPOSE_ROOT=$R "$BIN" engine ping -n 1000 >/dev/null
echo "engine RSS after $((M + 1000)) requests: $(awk '/VmRSS/ {print $2, $3}' /proc/"$PID"/status)"

#!/bin/sh
# `ps` of a project while other projects' operations are stuck waiting: four projects whose
# container ignores SIGTERM are being stopped with `stop -t T`, and meanwhile `ps` of an
# unrelated project is timed R times. Goal: under 100 ms (it waited for the stops before).
# Usage: bench/isolation.sh [path/to/mycompose] [R] [T]   (root; needs busybox-static, curl)
# Prints figures; never fails on speed.
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
R=${2:-10}
T=${3:-20}
WORK=$(mktemp -d /tmp/mycompose-bench-isolation-XXXXXX)
export MYCOMPOSE_ROOT="$WORK/root"
cleanup() {
  for d in "$WORK"/p*; do [ -d "$d" ] && (cd "$d" && "$BIN" down -t 0 > /dev/null 2>&1) || true; done
  "$BIN" engine stop > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/rootfs/bin"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for a in sh sleep; do ln -s busybox "$WORK/rootfs/bin/$a"; done
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
"$BIN" image import "$WORK/rootfs.tar" bench/busybox:1 > /dev/null

mkdir -p "$WORK/pcalm"
printf 'services:\n  web:\n    image: bench/busybox:1\n    command: ["sleep", "1000"]\n' > "$WORK/pcalm/compose.yaml"
(cd "$WORK/pcalm" && "$BIN" up -d > /dev/null 2>&1)
for i in 1 2 3 4; do
  mkdir -p "$WORK/pstub$i"
  printf 'services:\n  slow:\n    image: bench/busybox:1\n    command: ["sh", "-c", "trap \\"\\" TERM; while true; do sleep 0.1; done"]\n' \
    > "$WORK/pstub$i/compose.yaml"
  (cd "$WORK/pstub$i" && "$BIN" up -d > /dev/null 2>&1)
done

ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed_ps() {
  : > "$WORK/$1"
  j=0
  while [ $j -lt "$R" ]; do
    t0=$(date +%s%N); (cd "$WORK/pcalm" && "$BIN" ps > /dev/null); t1=$(date +%s%N)
    ms "$t0" "$t1" >> "$WORK/$1"
    j=$((j + 1))
  done
}
timed_ps idle

for i in 1 2 3 4; do (cd "$WORK/pstub$i" && "$BIN" stop -t "$T" > "$WORK/stop$i.log" 2>&1) & done
# Until every stop is waiting on its container: the engine's supervisor has been told of
# the four stops (the CLI's plain output shows nothing before a stop ends).
stopping() {
  curl -s --max-time 5 --unix-socket "$MYCOMPOSE_ROOT/engine.sock" http://engine/supervisor/containers |
    grep -o '"stoppedByUser":true' | wc -l
}
k=0
while [ "$(stopping)" -lt 4 ] && [ $k -lt 400 ]; do sleep 0.05; k=$((k + 1)); done
t_stops=$(date +%s%N)
timed_ps busy
t_end=$(date +%s%N)
still=0
for i in 1 2 3 4; do grep -q Stopped "$WORK/stop$i.log" || still=$((still + 1)); done
echo "ps of an unrelated project, idle engine: median $(median < "$WORK/idle") ms, max $(sort -n "$WORK/idle" | tail -1) ms over $R"
echo "ps of an unrelated project while 4 projects' 'stop -t $T' wait on SIGTERM-ignoring containers:" \
  "median $(median < "$WORK/busy") ms, max $(sort -n "$WORK/busy" | tail -1) ms over $R" \
  "($(ms "$t_stops" "$t_end") ms for all; $still of 4 stops still waiting at the end)"
wait

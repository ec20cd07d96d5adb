#!/bin/sh
# Soak with faults: N up/down cycles of a small stack (a healthcheck, two networks, a
# volume, scale 3) beside an unrelated project on the same state root; in every K-th cycle
# the engine is killed with SIGKILL at a random moment of `up` (the next command starts a
# new one). After each cycle: `down -v`, then `system check` (what down left), then
# `system check --fix` and `system check` again (what nothing could remove: must be 0).
# At the end the unrelated project must still run the same containers.
#
# Usage: bench/soak.sh [path/to/mycompose] [N=1000] [K=3] [SEED] (root; busybox-static).
# Prints leaks and time per cycle; never fails on speed.
# Fault points (MYCOMPOSE_FAULT, include/mycompose/common/fault_point.hpp) are not used
# here: the kills land wherever the clock says.
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
N=${2:-1000}
K=${3:-3}
SEED=${4:-$$}
WORK=$(mktemp -d /tmp/mycompose-bench-soak-XXXXXX)
export MYCOMPOSE_ROOT="$WORK/root"
cleanup() {
  for p in stack other; do (cd "$WORK/$p" 2>/dev/null && "$BIN" down -v -t 0 > /dev/null 2>&1) || true; done
  "$BIN" engine stop > /dev/null 2>&1 || true
  "$BIN" system check --fix > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 130" INT TERM  # so the EXIT trap runs when the soak is interrupted
mkdir -p "$WORK/rootfs/bin" "$WORK/stack" "$WORK/other"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for a in sh sleep cat touch; do ln -s busybox "$WORK/rootfs/bin/$a"; done
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
"$BIN" image import "$WORK/rootfs.tar" soak/busybox:1 > /dev/null
cat > "$WORK/stack/compose.yaml" <<'YAML'
services:
  db:
    image: soak/busybox:1
    command: ["sh", "-c", "touch /ready; exec sleep 1000"]
    healthcheck: {test: ["CMD", "cat", "/ready"], interval: 200ms, retries: 20}
    networks: [back]
    volumes: ["data:/data"]
  web:
    image: soak/busybox:1
    command: ["sleep", "1000"]
    depends_on: {db: {condition: service_healthy}}
    networks: [front, back]
    scale: 3
networks: {front: {}, back: {}}
volumes: {data: {}}
YAML
cat > "$WORK/other/compose.yaml" <<'YAML'
services:
  keep:
    image: soak/busybox:1
    command: ["sleep", "100000"]
    healthcheck: {test: ["CMD", "true"], interval: 1s}
YAML
(cd "$WORK/other" && "$BIN" up -d > /dev/null 2>&1)
other_ids() { (cd "$WORK/other" && "$BIN" ps -q 2>/dev/null | sort | tr '\n' ' '); }
before=$(other_ids)

# The number of leak lines `system check` prints (its last line is the summary).
leaks() { "$BIN" system check 2>/dev/null | grep -vc -e '^No leaks found' -e 'leaks\{0,1\} found in' || true; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rand_ms() { awk -v s="$SEED" -v i="$1" 'BEGIN { srand(s * 7919 + i); printf "%d", rand() * 1500 }'; }

cd "$WORK/stack"
killed=0 left_by_down=0 left_after_fix=0 failed_fix=0 total=0 max=0
kinds=""
i=1
while [ "$i" -le "$N" ]; do
  t0=$(now_ms)
  if [ $((i % K)) -eq 0 ]; then
    d=$(rand_ms "$i")
    "$BIN" up -d > /dev/null 2>&1 &
    up=$!
    sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1000 }')"
    kill -9 "$(cat "$MYCOMPOSE_ROOT/engine.pid")" 2> /dev/null || true
    wait "$up" || true
    killed=$((killed + 1))
  else
    "$BIN" up -d > /dev/null 2> "$WORK/err" || { echo "cycle $i: up failed: $(tail -n 2 "$WORK/err" | tr '\n' ' ')" >&2; }
  fi
  "$BIN" down -v -t 0 > /dev/null 2> "$WORK/err" || { echo "cycle $i: down failed: $(tail -n 2 "$WORK/err" | tr '\n' ' ')" >&2; }
  n=$(leaks)
  if [ "$n" -gt 0 ]; then
    left_by_down=$((left_by_down + n))
    kinds="$kinds $("$BIN" system check 2>/dev/null | awk '/:/ {print $1}' | sort -u | tr '\n' ' ')"
    "$BIN" system check --fix > /dev/null 2>&1 || failed_fix=$((failed_fix + 1))
    left_after_fix=$((left_after_fix + $(leaks)))
  fi
  t1=$(now_ms)
  dt=$((t1 - t0))
  total=$((total + dt))
  [ "$dt" -gt "$max" ] && max=$dt
  [ $((i % 50)) -eq 0 ] && echo "  $i cycles: ${left_by_down} leaks after down, ${left_after_fix} after check --fix, $((total / i)) ms per cycle"
  i=$((i + 1))
done
after=$(other_ids)
echo "soak: $N cycles ($killed with the engine killed -9 during up, seed $SEED)"
echo "leaks left by down -v: $left_by_down${kinds:+ (kinds:$(echo "$kinds" | tr ' ' '\n' | sort -u | tr '\n' ' '))}"
echo "leaks left after system check --fix: $left_after_fix (fix failures: $failed_fix)"
echo "time per cycle: mean $((total / N)) ms, max $max ms"
[ "$before" = "$after" ] && echo "unrelated project: untouched (${before% })" || echo "unrelated project: CHANGED (before: $before, after: $after)"

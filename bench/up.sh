#!/bin/sh
# `mycompose up -d` of N replicas of one service (busybox `sleep`), on a fresh state root:
# the first up (engine started on demand, network, N containers created, attached, started),
# an unchanged up, and `down`. Usage: bench/up.sh [path/to/mycompose] [N] (root; needs
# busybox-static). Prints wall times; never fails on speed.
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
N=${2:-50}
WORK=$(mktemp -d /tmp/mycompose-bench-up-XXXXXX)
export MYCOMPOSE_ROOT="$WORK/root"
cleanup() {
  (cd "$WORK/proj" && "$BIN" down -v > /dev/null 2>&1) || true
  "$BIN" engine stop > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/proj"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
ln -s busybox "$WORK/rootfs/bin/sh"
ln -s busybox "$WORK/rootfs/bin/sleep"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
"$BIN" image import "$WORK/rootfs.tar" bench/busybox:1 > /dev/null
cat > "$WORK/proj/compose.yaml" <<YAML
services:
  app:
    image: bench/busybox:1
    command: ["sleep", "1000"]
    scale: $N
YAML
ms() { echo $(( ($2 - $1) / 1000000 )); }
cd "$WORK/proj"
rss() { awk '/VmRSS/ {print $2}' /proc/"$(cat "$MYCOMPOSE_ROOT/engine.pid")"/status; }
t0=$(date +%s%N); "$BIN" up -d > /dev/null 2>&1; t1=$(date +%s%N)
rss_up=$(rss)
"$BIN" up -d > /dev/null 2>&1; t2=$(date +%s%N)
"$BIN" down > /dev/null 2>&1; t3=$(date +%s%N)
rss_down=$(rss)
echo "mycompose up -d, $N replicas: first up $(ms $t0 $t1) ms (engine started on demand), unchanged up $(ms $t1 $t2) ms, down $(ms $t2 $t3) ms"
echo "engine RSS: ${rss_up} kB with $N containers, ${rss_down} kB after down"

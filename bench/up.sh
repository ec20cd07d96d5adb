#!/bin/sh
# `mycompose up -d` of N replicas of one service (busybox `sleep`), for each N, on a fresh
# state root: the first up (engine started on demand, network, N containers created, attached,
# started), an unchanged up, and `down`, with the cost per container; then a 100-service
# project (each service its own environment, two networks, a volume, a healthcheck). Where
# Docker runs (`docker info` answers) and docker-compose is installed, the same N replicas
# through docker-compose + dockerd in the same run.
# Usage: bench/up.sh [path/to/mycompose] [N...]   (default N: 50 200 500; root; needs
# busybox-static). Prints wall times; never fails on speed.
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
[ $# -gt 0 ] && shift
SIZES=${*:-50 200 500}
WORK=$(mktemp -d /tmp/mycompose-bench-up-XXXXXX)
export MYCOMPOSE_ROOT="$WORK/root"
cleanup() {
  (cd "$WORK/proj" && "$BIN" down -v -t 0 > /dev/null 2>&1) || true
  (cd "$WORK/many" && "$BIN" down -v -t 0 > /dev/null 2>&1) || true
  "$BIN" engine stop > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Killed (Ctrl-C, or its output piped to `head`): still take down what it made.
trap 'exit 130' INT TERM HUP PIPE
mkdir -p "$WORK/rootfs/bin" "$WORK/proj" "$WORK/many"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for tool in sh sleep true; do ln -s busybox "$WORK/rootfs/bin/$tool"; done
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
"$BIN" image import "$WORK/rootfs.tar" bench/busybox:1 > /dev/null

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (b - a) / 1e6 / n }'; }
rss() { awk '/VmRSS/ {print $2}' /proc/"$(cat "$MYCOMPOSE_ROOT/engine.pid")"/status; }
replicas_yaml() {
  printf 'services:\n  app:\n    image: %s\n    command: ["sleep", "1000"]\n    scale: %s\n' "$1" "$2"
}

cd "$WORK/proj"
for n in $SIZES; do
  replicas_yaml bench/busybox:1 "$n" > compose.yaml
  t0=$(now); "$BIN" up -d > /dev/null 2>&1; t1=$(now)
  rss_up=$(rss)
  "$BIN" up -d > /dev/null 2>&1; t2=$(now)
  "$BIN" down -t 0 > /dev/null 2>&1; t3=$(now)
  echo "mycompose, $n replicas: first up $(ms $t0 $t1) ms ($(per $t0 $t1 $n) ms/container), unchanged up $(ms $t1 $t2) ms, down $(ms $t2 $t3) ms ($(per $t2 $t3 $n) ms/container); engine RSS $rss_up kB"
done

cd "$WORK/many"
{
  echo "services:"
  i=0
  while [ $i -lt 100 ]; do
    i=$((i + 1))
    cat <<YAML
  s$i:
    image: bench/busybox:1
    command: ["sleep", "1000"]
    environment: {SERVICE_INDEX: "$i"}
    networks: [front, back]
    volumes: ["data:/data"]
    healthcheck: {test: ["CMD", "true"], interval: 30s, start_period: 1s, start_interval: 1s}
YAML
  done
  printf 'networks:\n  front: {}\n  back: {}\nvolumes:\n  data: {}\n'
} > compose.yaml
t0=$(now); "$BIN" up -d > /dev/null 2>&1; t1=$(now)
"$BIN" up -d > /dev/null 2>&1; t2=$(now)
"$BIN" down -v -t 0 > /dev/null 2>&1; t3=$(now)
echo "mycompose, 100 services (2 networks, a volume, a healthcheck each): first up $(ms $t0 $t1) ms, unchanged up $(ms $t1 $t2) ms, down $(ms $t2 $t3) ms"

if command -v docker > /dev/null && docker info > /dev/null 2>&1; then
  if command -v docker-compose > /dev/null; then DC="docker-compose"
  elif docker compose version > /dev/null 2>&1; then DC="docker compose"
  else DC=""; fi
  if [ -n "$DC" ]; then
    docker import "$WORK/rootfs.tar" bench/busybox:1 > /dev/null
    mkdir -p "$WORK/docker" && cd "$WORK/docker"
    for n in $SIZES; do
      replicas_yaml bench/busybox:1 "$n" > docker-compose.yml
      t0=$(now); $DC up -d > /dev/null 2>&1; t1=$(now)
      $DC up -d > /dev/null 2>&1; t2=$(now)
      $DC down -t 0 > /dev/null 2>&1; t3=$(now)
      echo "$DC + dockerd, $n replicas: first up $(ms $t0 $t1) ms, unchanged up $(ms $t1 $t2) ms, down $(ms $t2 $t3) ms"
    done
    docker image rm bench/busybox:1 > /dev/null 2>&1 || true
  fi
else
  echo "(docker-compose + dockerd: not running here, not compared)"
fi

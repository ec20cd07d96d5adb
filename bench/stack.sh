#!/bin/sh
# `up -d --wait` and `down` of a 3-service stack on busybox: db with a healthcheck, cache,
# and web that waits for db to be healthy (depends_on: service_healthy) and starts after
# cache; then the same file with Docker's compose where docker and a compose plugin are
# installed (Debian's docker.io and docker-compose), side by side.
# Usage: bench/stack.sh [path/to/mycompose] [runs]   (root; needs busybox-static).
# Prints wall times (the median of the runs); never fails on speed.
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
RUNS=${2:-5}
WORK=$(mktemp -d /tmp/mycompose-bench-stack-XXXXXX)
export MYCOMPOSE_ROOT="$WORK/root"
cleanup() {
  (cd "$WORK/proj" && "$BIN" down -v > /dev/null 2>&1) || true
  "$BIN" engine stop > /dev/null 2>&1 || true
  if [ -n "${DOCKER_COMPOSE:-}" ]; then
    (cd "$WORK/proj" && $DOCKER_COMPOSE down -v > /dev/null 2>&1) || true
    docker image rm bench/busybox:1 > /dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/proj"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for a in sh sleep cat touch; do ln -s busybox "$WORK/rootfs/bin/$a"; done
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
"$BIN" image import "$WORK/rootfs.tar" bench/busybox:1 > /dev/null
cat > "$WORK/proj/compose.yaml" << 'YAML'
services:
  db:
    image: bench/busybox:1
    command: ["sh", "-c", "touch /ready; exec sleep 1000"]
    healthcheck: {test: ["CMD", "cat", "/ready"], interval: 1s, start_interval: 50ms, start_period: 10s}
  cache:
    image: bench/busybox:1
    command: ["sleep", "1000"]
  web:
    image: bench/busybox:1
    command: ["sleep", "1000"]
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started}
YAML
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# $1: label, rest: the compose command.
run() {
  label=$1
  shift
  : > "$WORK/up"
  : > "$WORK/down"
  i=0
  while [ $i -lt "$RUNS" ]; do
    t0=$(date +%s%N); "$@" up -d --wait > /dev/null 2>&1; t1=$(date +%s%N)
    "$@" down > /dev/null 2>&1; t2=$(date +%s%N)
    ms "$t0" "$t1" >> "$WORK/up"
    ms "$t1" "$t2" >> "$WORK/down"
    i=$((i + 1))
  done
  echo "$label: 3-service stack with a healthcheck: up -d --wait $(median < "$WORK/up") ms, down $(median < "$WORK/down") ms (median of $RUNS)"
}

cd "$WORK/proj"
"$BIN" engine ping > /dev/null  # the engine's own start is bench/engine.sh's figure
run mycompose "$BIN"

DOCKER_COMPOSE=""
if command -v docker > /dev/null 2>&1 && docker info > /dev/null 2>&1; then
  if docker compose version > /dev/null 2>&1; then DOCKER_COMPOSE="docker compose"
  elif command -v docker-compose > /dev/null 2>&1; then DOCKER_COMPOSE="docker-compose"; fi
fi
if [ -z "$DOCKER_COMPOSE" ]; then
  echo "docker compose: not installed or no docker daemon here: no side-by-side figure"
  exit 0
fi
docker import "$WORK/rootfs.tar" bench/busybox:1 > /dev/null
run "$DOCKER_COMPOSE" $DOCKER_COMPOSE

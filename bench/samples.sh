#!/usr/bin/env bash
# The samples on a fresh state root: getting debian:bookworm-slim (scripts/bootstrap-base-image;
# warm when its tarball is cached), then per sample: `build` with an empty build cache (apt-get
# downloads from the Debian mirror; later samples reuse the layers they share with earlier
# ones, as a user's machine would), a no-change `build`, `up -d --build` until the first HTTP
# answer on the published port, and `down -v`. Prints wall times; never fails on speed.
# Usage: bench/samples.sh [path/to/mycompose] [SAMPLE...]   (root; a few minutes when cold)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
BIN=$(readlink -f "${1:-build/mycompose}")
shift || true
SAMPLES=("$@")
[ ${#SAMPLES[@]} -gt 0 ] || SAMPLES=(counter proxy scale webapp-mysql)
WORK=$(mktemp -d /tmp/mycompose-bench-samples-XXXXXX)
export MYCOMPOSE_ROOT="$WORK/root" MYCOMPOSE_BIN="$BIN"
current=""
cleanup() {
  [ -z "$current" ] || (cd "$SRC/samples/$current" && "$BIN" down -v -t 1 >/dev/null 2>&1) || true
  "$BIN" engine stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }'; }
msecs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d ms", (b - a) / 1e6 }'; }
free_port() { while :; do p=$((20000 + RANDOM % 20000)); (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null || break; done; echo $p; }

t0=$(now)
how=$([ -s /var/cache/mycompose/base-images/debian-bookworm-slim-$(dpkg --print-architecture).tar ] && echo warm || echo cold)
scripts/bootstrap-base-image >"$WORK/bootstrap.log" 2>&1 || { tail "$WORK/bootstrap.log" >&2; exit 1; }
echo "base image debian:bookworm-slim ($how tarball cache): $(secs "$t0" "$(now)")"

declare -A VAR=([counter]=COUNTER_PORT [proxy]=PROXY_PORT [scale]=SCALE_PORT [webapp-mysql]=WEBAPP_PORT)
declare -A URL=([counter]=/ [proxy]=/ [scale]=/spread?n=10 [webapp-mysql]=/notes)
printf '%-13s %12s %12s %16s %10s\n' sample "build" "no-change" "up to 1st HTTP" "down -v"
for s in "${SAMPLES[@]}"; do
  cd "$SRC/samples/$s"
  port=$(free_port)
  export "${VAR[$s]}=$port"
  a=$(now); "$BIN" build >"$WORK/$s.build" 2>&1 || { tail "$WORK/$s.build" >&2; exit 1; }
  b=$(now); "$BIN" build >"$WORK/$s.rebuild" 2>&1 || { tail "$WORK/$s.rebuild" >&2; exit 1; }
  c=$(now); current=$s
  "$BIN" up -d --build >"$WORK/$s.up" 2>&1 || { tail "$WORK/$s.up" >&2; exit 1; }
  until curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$port${URL[$s]}"; do
    [ $(( ($(now) - c) / 1000000000 )) -lt 180 ] || { echo "$s: no HTTP answer on port $port in 180 s" >&2; exit 1; }
    sleep 0.1
  done
  d=$(now); "$BIN" down -v >"$WORK/$s.down" 2>&1 || { tail "$WORK/$s.down" >&2; exit 1; }
  current=""
  e=$(now)
  printf '%-13s %12s %12s %16s %10s\n' "$s" "$(secs "$a" "$b")" "$(msecs "$b" "$c")" "$(secs "$c" "$d")" "$(secs "$d" "$e")"
done

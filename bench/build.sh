#!/bin/sh
# Builder figures: `mycompose build` of a 5-stage Dockerfile with a 2,000-file context —
# a cold build (fresh state root), a no-change rebuild (all CACHED; goal < 50 ms) and a
# one-file-change rebuild (the COPY of the changed folder and what follows run again).
# Prints the median of N runs of each: wall time of the whole command, and its CPU time
# (user+sys) — on a loaded 2-core machine the wall time is mostly waiting for a CPU.
# Usage: bench/build.sh [path/to/mycompose] [N]   (root; needs busybox-static)
set -eu
BIN=$(readlink -f "${1:-build/mycompose}")
N=${2:-7}
WORK=$(mktemp -d /tmp/mycompose-bench-build-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
P="$WORK/project"
mkdir -p "$P/src"
cp /bin/busybox "$P/busybox"
i=0
while [ $i -lt 20 ]; do
  mkdir -p "$P/src/d$i"
  j=0
  while [ $j -lt 100 ]; do echo "file $i/$j" > "$P/src/d$i/f$j.txt"; j=$((j + 1)); done
  i=$((i + 1))
done
printf 'services:\n  app:\n    build: .\n' > "$P/compose.yaml"
printf '*.md\n' > "$P/.dockerignore"
cat > "$P/Dockerfile" <<'DF'
FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]

FROM base AS deps
COPY src/d0 /deps/
RUN ls /deps | wc -l > /deps.count

FROM base AS build
COPY src /src
RUN find /src -type f | wc -l > /files.count

FROM base AS test
COPY --from=build /files.count /files.count
RUN test "$(cat /files.count)" -eq 2000

FROM base
COPY --from=deps /deps.count /deps.count
COPY --from=test /files.count /files.count
COPY src /app/src
CMD ["cat", "/files.count"]
DF

now_ms() { date +%s%N | cut -c1-13; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
CPU="$WORK/cpu"
build() {
  if [ -x /usr/bin/time ]; then
    (cd "$P" && MYCOMPOSE_ROOT="$1" /usr/bin/time -a -o "$CPU.$2" -f '%U %S' "$BIN" build -q)
  else
    (cd "$P" && MYCOMPOSE_ROOT="$1" "$BIN" build -q)
  fi
}
cpu_median() { [ -f "$CPU.$1" ] && awk '{printf "%d\n", ($1 + $2) * 1000}' "$CPU.$1" | median || echo "?"; }

cold=""; nochange=""; onefile=""
k=0
while [ $k -lt "$N" ]; do
  ROOT="$WORK/root-$k"
  t0=$(now_ms); build "$ROOT" cold; t1=$(now_ms)
  cold="$cold $((t1 - t0))"
  k=$((k + 1))
done
ROOT="$WORK/root-0"
k=0
while [ $k -lt "$N" ]; do
  t0=$(now_ms); build "$ROOT" nochange; t1=$(now_ms)
  nochange="$nochange $((t1 - t0))"
  k=$((k + 1))
done
k=0
while [ $k -lt "$N" ]; do
  echo "changed $k" > "$P/src/d7/f$k.txt"
  t0=$(now_ms); build "$ROOT" onefile; t1=$(now_ms)
  onefile="$onefile $((t1 - t0))"
  k=$((k + 1))
done
echo "mycompose build, 5 stages, 2000-file context, median of $N:"
echo "                           wall      cpu (user+sys)"
echo "  cold build:              $(echo $cold | tr ' ' '\n' | median) ms   $(cpu_median cold) ms"
echo "  no-change rebuild:       $(echo $nochange | tr ' ' '\n' | median) ms   $(cpu_median nochange) ms   (goal < 50 ms)"
echo "  one-file-change rebuild: $(echo $onefile | tr ' ' '\n' | median) ms   $(cpu_median onefile) ms"
echo "  samples (wall ms): cold$cold / no-change$nochange / one-file$onefile"

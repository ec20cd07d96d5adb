#!/bin/sh
# Median wall time of `mycompose config` on a generated 200-service project (goal: < 50 ms).
# Prints figures; never fails on speed.  Usage: bench/config.sh [path/to/mycompose] [runs]
set -eu
BIN=${1:-${MYCOMPOSE_BIN:-build/mycompose}}
RUNS=${2:-21}
SERVICES=200
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

{
  echo "name: bench"
  echo "x-common: &common"
  echo "  restart: unless-stopped"
  echo "  logging:"
  echo "    driver: json-file"
  echo "    options: {max-size: 10m}"
  echo "services:"
  i=0
  while [ $i -lt $SERVICES ]; do
    next=$((i + 1))
    echo "  svc$i:"
    echo "    <<: *common"
    echo "    image: registry.example.com/team/svc$i:\${TAG:-1.0.$i}"
    echo "    command: ./run --port 80$((i % 10)) --name \"svc $i\""
    echo "    environment:"
    echo "      - SERVICE_ID=$i"
    echo "      - PEER=svc$next"
    echo "    ports:"
    echo "      - \"$((10000 + i)):80\""
    echo "    volumes:"
    echo "      - ./data/svc$i:/data"
    echo "      - shared:/shared:ro"
    echo "    healthcheck:"
    echo "      test: curl -f http://localhost/health"
    echo "      interval: 30s"
    echo "    deploy:"
    echo "      resources: {limits: {memory: 256m, cpus: '0.5'}}"
    echo "    networks: [front, back]"
    if [ $i -gt 0 ]; then
      echo "    depends_on: [svc$((i - 1))]"
    fi
    i=$next
  done
  echo "networks:"
  echo "  front:"
  echo "  back:"
  echo "volumes:"
  echo "  shared:"
} > "$DIR/compose.yaml"

"$BIN" -f "$DIR/compose.yaml" config -q  # fails loudly if the file does not load
# Wall time per run (this machine is shared: wall time includes waiting for a CPU), and
# the CPU time (user + sys) the process itself used, from /usr/bin/time when present.
times=""
cpus=""
r=0
while [ $r -lt $RUNS ]; do
  start=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    cpu=$( { /usr/bin/time -f "%U %S" "$BIN" -f "$DIR/compose.yaml" config > /dev/null; } 2>&1 | tail -1 | awk '{ printf "%d", ($1 + $2) * 1000 }')
    cpus="$cpus $cpu"
  else
    "$BIN" -f "$DIR/compose.yaml" config > /dev/null
  fi
  end=$(date +%s%N)
  times="$times $(( (end - start) / 1000 ))"
  r=$((r + 1))
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk -v runs="$RUNS" -v n="$SERVICES" -v size="$(wc -c < "$DIR/compose.yaml")" '
  { t[NR] = $1 }
  END {
    printf "mycompose config, %d services (%d bytes), %d runs: wall median %.1f ms, min %.1f ms, max %.1f ms (goal < 50 ms)\n",
           n, size, runs, t[int((NR + 1) / 2)] / 1000, t[1] / 1000, t[NR] / 1000
  }'
if [ -n "$cpus" ]; then
  echo "$cpus" | tr ' ' '\n' | grep . | sort -n | awk '{ t[NR] = $1 } END { printf "  CPU (user+sys): median %d ms, min %d ms, max %d ms (10 ms resolution)\n", t[int((NR + 1) / 2)], t[1], t[NR] }'
fi

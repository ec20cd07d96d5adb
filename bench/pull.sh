#!/bin/bash
# Pull throughput: a 10-layer ~200 MB image from a local docker-registry (distribution 2.8)
# into a fresh MYCOMPOSE_ROOT, in MB/s, beside the disk's plain write speed (dd).
# Usage: bench/pull.sh [path/to/mycompose]   (default: build/mycompose). Prints figures only.
set -euo pipefail
BIN=${1:-${MYCOMPOSE_BIN:-build/mycompose}}
BIN=$(readlink -f "$BIN")
LAYERS=${LAYERS:-10}
LAYER_MB=${LAYER_MB:-20}
WORK=$(mktemp -d /var/tmp/pull-bench-XXXXXX)
REG_PID=
cleanup() {
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A port nobody answers on.
while :; do PORT=$((20000 + RANDOM % 20000)); (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null || break; done
HOST=127.0.0.1:$PORT
cat >"$WORK/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/storage
http:
  addr: $HOST
YML
docker-registry serve "$WORK/config.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do curl -fs "http://$HOST/v2/" >/dev/null && break; sleep 0.1; done

# Layers of random bytes (gzip cannot shrink them), pushed with curl so the figure measures
# only the pull.
upload() {  # file → digest
  local f=$1 d loc
  d=sha256:$(sha256sum "$f" | cut -d' ' -f1)
  loc=$(curl -fsS -X POST -D - -o /dev/null "http://$HOST/v2/bench/big/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
  case $loc in http*) ;; *) loc="http://$HOST$loc" ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$f" "$loc&digest=$d" >/dev/null
  echo "$d"
}
DIFFS=() LAYERJSON=() TOTAL=0
for i in $(seq "$LAYERS"); do
  mkdir -p "$WORK/l$i/data"
  head -c $((LAYER_MB * 1000000)) /dev/urandom >"$WORK/l$i/data/blob$i"
  tar -C "$WORK/l$i" -cf "$WORK/l$i.tar" data
  gzip -1 -n -c "$WORK/l$i.tar" >"$WORK/l$i.tar.gz"
  rm -rf "$WORK/l$i"
  DIFFS+=("\"sha256:$(sha256sum "$WORK/l$i.tar" | cut -d' ' -f1)\"")
  size=$(stat -c %s "$WORK/l$i.tar.gz")
  TOTAL=$((TOTAL + size))
  LAYERJSON+=("{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":$size,\"digest\":\"$(upload "$WORK/l$i.tar.gz")\"}")
  rm -f "$WORK/l$i.tar" "$WORK/l$i.tar.gz"
done
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$(IFS=,; echo "${DIFFS[*]}")" >"$WORK/config.json"
CFG=$(upload "$WORK/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%s,"digest":"%s"},"layers":[%s]}' \
  "$(stat -c %s "$WORK/config.json")" "$CFG" "$(IFS=,; echo "${LAYERJSON[*]}")" >"$WORK/manifest.json"
curl -fsS -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
  --data-binary "@$WORK/manifest.json" "http://$HOST/v2/bench/big/manifests/latest" >/dev/null

export MYCOMPOSE_ROOT=$WORK/root
START=$(date +%s.%N)
"$BIN" image pull -q "$HOST/bench/big:latest" >/dev/null
END=$(date +%s.%N)
SECS=$(awk "BEGIN{print $END - $START}")
MB=$(awk "BEGIN{print $TOTAL / 1000000}")

DD=$(dd if=/dev/zero of="$WORK/dd.test" bs=1M count=200 conv=fdatasync 2>&1 | tail -1)
rm -f "$WORK/dd.test"
printf 'pull %d layers, %.1f MB (download + verify + unpack): %.2f s = %.1f MB/s\n' "$LAYERS" "$MB" "$SECS" "$(awk "BEGIN{print $MB / $SECS}")"
echo "disk plain write (dd 200 MB, fdatasync): ${DD##*, }"

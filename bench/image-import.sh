#!/usr/bin/env bash
# Import speed of `mycompose image import` for a generated 200 MB rootfs (plain tar and gzip),
# printed beside the disk's plain sequential write speed (dd, fsync'd). Prints figures only.
# Usage: bench/image-import.sh [path/to/mycompose] [MB]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${MYCOMPOSE_BIN:-build/mycompose}}
MB=${2:-200}
[ -x "$BIN" ] || { echo "mycompose binary not found at $BIN (build it, or pass its path)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/mycompose-bench-import.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# A rootfs-like tree: many small files, some medium, a few large; random content so the
# gzip case is not flattered by compressible data (half of it is text-like, as real images).
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,lib,usr/share/doc,etc}
left=$((MB * 1024 * 1024))
i=0
while [ $left -gt 0 ]; do
  case $((i % 10)) in
    0) size=$((4 * 1024 * 1024)); dir=lib ;;
    1|2|3) size=$((256 * 1024)); dir=bin ;;
    *) size=$((16 * 1024)); dir=usr/share/doc ;;
  esac
  [ $size -gt $left ] && size=$left
  if [ $((i % 2)) -eq 0 ]; then
    head -c "$size" /dev/urandom >"$ROOTFS/$dir/f$i"
  else
    head -c "$((size / 2))" /dev/urandom | base64 -w 100 | head -c "$size" >"$ROOTFS/$dir/f$i"
  fi
  left=$((left - size))
  i=$((i + 1))
done
ln -s ../lib "$ROOTFS/usr/lib"
tar -C "$ROOTFS" -cf "$WORK/rootfs.tar" .
gzip -1 -c "$WORK/rootfs.tar" >"$WORK/rootfs.tar.gz"
rm -rf "$ROOTFS"
TAR_MB=$(awk -v b="$(stat -c %s "$WORK/rootfs.tar")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "rootfs: $i files, ${TAR_MB} MB tar (gzip: $(awk -v b="$(stat -c %s "$WORK/rootfs.tar.gz")" 'BEGIN { printf "%.1f", b / 1048576 }') MB)"

sync
DD=$(dd if=/dev/zero of="$WORK/dd.bin" bs=1M count="$MB" conv=fsync 2>&1 | tail -1)
rm -f "$WORK/dd.bin"
DD_SECS=$(echo "$DD" | sed -E 's/.*copied, ([0-9.]+) s.*/\1/')
echo "disk (dd bs=1M count=$MB conv=fsync): $(awk -v m="$MB" -v s="$DD_SECS" 'BEGIN { printf "%.0f", m / s }') MB/s"

for input in rootfs.tar rootfs.tar.gz; do
  ROOT=$WORK/root-$input
  sync
  start=$(date +%s.%N)
  MYCOMPOSE_ROOT=$ROOT "$BIN" image import "$WORK/$input" "bench/import:$input" >/dev/null
  sync
  end=$(date +%s.%N)
  awk -v m="$TAR_MB" -v s="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" -v name="$input" \
    'BEGIN { printf "import %-14s %6.2f s  %6.0f MB/s (of uncompressed rootfs, incl. sync)\n", name, s, m / s }'
  rm -rf "$ROOT"
done

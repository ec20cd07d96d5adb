#!/bin/sh
# Container start time: `mycompose runtime run` of /bin/true in a busybox bundle (pid, net,
# ipc, uts, mount namespaces), median of N runs, beside `runc run` on the same bundle.
# Usage: bench/runtime.sh [path/to/mycompose] [N] [STATE_PARENT]   (root; needs busybox-static
# and runc). Both runtimes keep their state under STATE_PARENT (default: a folder in /tmp);
# pass /dev/shm to take the disk (fsync, unlink) out of the figures.
set -eu
BIN=${1:-build/mycompose}
N=${2:-50}
WORK=$(mktemp -d /tmp/mycompose-bench-XXXXXX)
STATE=$(mktemp -d "${3:-/tmp}/mycompose-bench-state-XXXXXX")
trap 'rm -rf "$WORK" "$STATE"' EXIT
mkdir -p "$WORK/bundle/rootfs/bin" "$WORK/bundle/rootfs/proc" "$WORK/bundle/rootfs/dev" "$WORK/bundle/rootfs/sys"
cp /bin/busybox "$WORK/bundle/rootfs/bin/busybox"
ln -s busybox "$WORK/bundle/rootfs/bin/true"
ln -s busybox "$WORK/bundle/rootfs/bin/sh"
cat > "$WORK/bundle/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                     "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                     "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "bench",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON

# Prints the median wall time (ms) of N runs of the given command (the id is appended).
median_ms() {
  i=0
  : > "$WORK/times"
  while [ "$i" -lt "$N" ]; do
    s=$(date +%s%N)
    "$@" "bench-$$-$i" > /dev/null
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 )) >> "$WORK/times"
    i=$((i + 1))
  done
  sort -n "$WORK/times" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

ours=$(median_ms "$BIN" runtime --root "$STATE/mycompose" run --bundle "$WORK/bundle")
echo "mycompose runtime run /bin/true: median of $N = ${ours} ms"
if command -v runc > /dev/null; then
  theirs=$(median_ms runc --root "$STATE/runc" run --bundle "$WORK/bundle")
  echo "runc run /bin/true:              median of $N = ${theirs} ms"
else
  echo "runc not installed (apt-get install runc)"
fi

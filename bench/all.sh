#!/usr/bin/env bash
# Runs every bench/*.sh and prints one table (Markdown: readable as is, pastes into the
# README). Each script runs on its own with its defaults; its output lines are its figures.
# A script that fails shows its exit code and last lines, and the others still run.
# Never fails on speed.
#
# Usage: bench/all.sh [BUILD_DIR] [NAME...]     (root; BUILD_DIR default build)
#   NAME: only these scripts (e.g. `bench/all.sh build up engine`); default all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$(readlink -f "${1:-build}")
shift || true
[ -x "$BUILD/mycompose" ] || { echo "bench/all.sh: no mycompose in $BUILD (build it, or pass the build folder)" >&2; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in bench/*.sh; do
    n=$(basename "$f" .sh)
    [ "$n" = all ] || names+=("$n")
  done
fi

# What each script takes as its first argument (see its Usage line): most take the mycompose
# binary; the network ones are driven by the integration_net test program.
arg_for() {
  case "$1" in
    dns | ports | api-flood) echo "$BUILD" ;;
    network) echo "$BUILD/tests/integration_net" ;;
    *) echo "$BUILD/mycompose" ;;
  esac
}

WORK=$(mktemp -d /tmp/mycompose-bench-all-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for n in "${names[@]}"; do
  [ -f "bench/$n.sh" ] || { echo "bench/all.sh: no bench/$n.sh" >&2; continue; }
  echo ">>> bench/$n.sh $(arg_for "$n")" >&2
  start=$(date +%s%N)
  bash "bench/$n.sh" "$(arg_for "$n")" >"$WORK/$n.out" 2>"$WORK/$n.err"
  echo $? >"$WORK/$n.rc"
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$WORK/$n.ms"
done

# Table cells: no pipes, no blank lines.
cell() { sed -e 's/|/\\|/g' -e 's/[[:space:]]*$//' -e '/^$/d'; }
echo
echo "| bench | took | figures |"
echo "|---|---|---|"
for n in "${names[@]}"; do
  [ -f "$WORK/$n.rc" ] || continue
  rc=$(cat "$WORK/$n.rc")
  took=$(awk -v ms="$(cat "$WORK/$n.ms")" 'BEGIN { printf "%.1f s", ms / 1000 }')
  if [ "$rc" -eq 0 ]; then
    lines=$(cell <"$WORK/$n.out")
  else
    took="$took, exit $rc"
    lines=$( (tail -n 3 "$WORK/$n.out"; tail -n 3 "$WORK/$n.err") | cell)
  fi
  first=1
  while IFS= read -r line || [ -n "$line" ]; do
    if [ $first -eq 1 ]; then
      echo "| $n | $took | $line |"
      first=0
    else
      echo "| | | $line |"
    fi
  done <<<"${lines:-(no output)}"
done

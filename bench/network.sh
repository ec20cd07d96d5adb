#!/bin/sh
# Network create/remove and endpoint connect/disconnect time through the net library
# (bridge + address + nft table rewrite; veth created into a namespace), median of N.
# Prints figures; never fails on speed. Root only (real bridges, a throw-away netns).
# Usage: bench/network.sh [path/to/integration_net] [N]
set -eu
BIN=${1:-build/tests/integration_net}
N=${2:-20}
if [ ! -x "$BIN" ]; then
  echo "build it first: cmake --build build --target integration_net (or pass its path)" >&2
  exit 2
fi
NETWORK_BENCH_N=$N "$BIN" "network bench*" | grep "median of"

#!/bin/sh
# Throughput through a published TCP port: MIB MiB sent to 127.0.0.1:<published port>
# (userland proxy -> veth -> a sink in a network namespace) beside the same transfer
# straight to the namespace's address; median of 5 each. Root (creates and removes a
# netns and a veth).
# Usage: bench/ports.sh [BUILD_DIR] [MIB]   (BUILD_DIR holds tests/integration_net)
set -eu
BUILD=${1:-build}
MIB=${2:-512}
PORT_BENCH_MIB=$MIB "$BUILD/tests/integration_net" "port bench*" |
  grep -v -E '^(Filters:|=+$|test cases|assertions|$)'

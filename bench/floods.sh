#!/bin/sh
# The engine under floods: its RSS idle, at the peak and after (1) a DNS-over-TCP client in
# a container pipelining queries it never reads, (2) N idle connections to a published port
# (how many the engine reset past its caps, how many it held). Goal: under 64 MB growth,
# back to idle after. Root (runs a project through the real binary).
# Usage: bench/floods.sh [BUILD_DIR] [DNS_MIB] [CONNECTIONS]
#   (BUILD_DIR holds mycompose and tests/integration_scheduler; MYCOMPOSE_BIN overrides the
#   binary, e.g. to measure another build)
set -eu
BUILD=$(readlink -f "${1:-build}")
export MYCOMPOSE_BIN=${MYCOMPOSE_BIN:-$BUILD/mycompose}
FLOOD_BENCH_DNS_MIB=${2:-64} FLOOD_BENCH_CONNECTIONS=${3:-10000} \
  "$BUILD/tests/integration_scheduler" "flood bench*" |
  grep -v -E '^(Filters:|=+$|test cases|assertions|$)'

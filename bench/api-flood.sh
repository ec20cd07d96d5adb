#!/bin/sh
# The engine's RSS before, during and after a flood of N API connections (half idle, half
# holding an unfinished request), and /_ping latency meanwhile. Root.
# Usage: bench/api-flood.sh [BUILD_DIR] [N]   (BUILD_DIR holds tests/integration_daemon)
# Prints figures; never fails on speed.
set -eu
BUILD=${1:-build}
API_FLOOD_CONNECTIONS=${2:-10000} "$BUILD/tests/integration_daemon" "api flood bench*" |
  grep -v -E '^(Filters:|=+$|test cases|assertions|$)'

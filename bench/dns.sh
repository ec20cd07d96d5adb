#!/bin/sh
# Embedded DNS query latency, p50/p99 of sequential UDP queries sent from inside a network
# namespace (a "container": veth to the host) to the DNS server on the host end of the veth:
# names we answer (3 replicas among 53 endpoints, a container name) and a name forwarded to
# a resolver on the host's loopback. Root (creates and removes a netns and a veth).
# Usage: bench/dns.sh [BUILD_DIR] [QUERIES]   (BUILD_DIR holds tests/integration_net)
set -eu
BUILD=${1:-build}
QUERIES=${2:-5000}
DNS_BENCH_QUERIES=$QUERIES "$BUILD/tests/integration_net" "dns bench*" |
  grep -v -E '^(Filters:|=+$|test cases|assertions|$)'

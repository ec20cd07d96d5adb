#pragma once
// What the read-only lifecycle commands report about containers, read from the state on
// disk, the runtime, cgroups and /proc: `ps` (docker compose ps --format json's object),
// `top` (Docker's ContainerTop shape), `stats` (raw counters; the CLI computes rates).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/net/network.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {

struct SummaryContext {
  double now = 0;                          // seconds since the epoch
  std::vector<net::NetworkRecord> networks;  // to name the container's networks
  // The supervisor's view, when it has one: "restarting" between a death and its restart.
  std::optional<std::string> supervisor_status;
  std::optional<int> supervisor_exit_code;
};

// {"ID","Name","Names","Image","Command","Project","Service","Created","CreatedAt",
//  "RunningFor","State","Status","Health","ExitCode","Labels","Networks","Ports",
//  "Publishers","LocalVolumes","Mounts","Size"}
nlohmann::json container_summary(const ContainerStore& store, const ContainerRecord& rec, const SummaryContext& ctx);

// {"Titles": ["UID","PID","PPID","C","STIME","TTY","TIME","CMD"], "Processes": [[…]]}.
nlohmann::json container_top(ContainerStore& store, const ContainerRecord& rec);

// {"ID","Name","cpu_ns","system_ns","online_cpus","memory_usage","memory_limit",
//  "net_rx","net_tx","block_read","block_write","pids"} — counters at one instant.
nlohmann::json container_stats(ContainerStore& store, const ContainerRecord& rec);

}  // namespace mycompose::scheduler

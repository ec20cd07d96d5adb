#include "service_container.hpp"

#include <algorithm>

#include "mycompose/common/error.hpp"

namespace mycompose::cli {
namespace {

bool is_oneoff(const scheduler::ContainerRecord& c) {
  auto it = c.labels.find("com.docker.compose.oneoff");
  return it != c.labels.end() && it->second == "True";
}

}  // namespace

std::vector<scheduler::ContainerRecord> service_containers(scheduler::ContainerStore& store, const ContainerQuery& q) {
  std::vector<scheduler::ContainerRecord> out;
  for (auto& c : store.list(q.project)) {
    if (c.service != q.service) continue;
    const bool oneoff = is_oneoff(c);
    if (oneoff && !q.oneoff) continue;
    // docker compose numbers a one-off -1: --index never names one.
    if (q.index > 0 && (oneoff || c.number != q.index)) continue;
    if (q.running_only && store.state(c.id).status != "running") continue;
    out.push_back(std::move(c));
  }
  // The service's replicas by number, then one-offs (docker compose's getSpecifiedContainer).
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const bool ao = is_oneoff(a), bo = is_oneoff(b);
    return ao != bo ? bo : a.number < b.number;
  });
  return out;
}

scheduler::ContainerRecord service_container(scheduler::ContainerStore& store, const ContainerQuery& q) {
  auto found = service_containers(store, q);
  if (!found.empty()) return found.front();
  if (q.index > 0) throw Error("service \"" + q.service + "\" is not running container #" + std::to_string(q.index));
  if (!q.running_only) throw Error("no container found for service \"" + q.service + "\"");
  throw Error("service \"" + q.service + "\" is not running");
}

}  // namespace mycompose::cli

#include "service_container.hpp"

#include <algorithm>

#include "mycompose/common/error.hpp"

namespace mycompose::cli {

std::vector<scheduler::ContainerRecord> service_containers(scheduler::ContainerStore& store, const ContainerQuery& q) {
  std::vector<scheduler::ContainerRecord> out;
  for (auto& c : store.list(q.project)) {
    if (c.service != q.service) continue;
    auto oneoff = c.labels.find("com.docker.compose.oneoff");
    if (oneoff != c.labels.end() && oneoff->second == "True" && !q.oneoff) continue;
    if (q.index > 0 && c.number != q.index) continue;
    if (q.running_only && store.state(c.id).status != "running") continue;
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  return out;
}

scheduler::ContainerRecord service_container(scheduler::ContainerStore& store, const ContainerQuery& q) {
  auto found = service_containers(store, q);
  if (!found.empty()) return found.front();
  if (!q.running_only) throw Error("no container found for service \"" + q.service + "\"");
  if (q.index > 0) throw Error("service \"" + q.service + "\" is not running container #" + std::to_string(q.index));
  throw Error("service \"" + q.service + "\" is not running");
}

}  // namespace mycompose::cli

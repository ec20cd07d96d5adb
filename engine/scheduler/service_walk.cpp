#include "mycompose/scheduler/service_walk.hpp"

#include <atomic>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "mycompose/common/error.hpp"

namespace mycompose::scheduler {

void walk_services(const std::vector<WalkNode>& nodes, const WalkCallbacks& cb) {
  std::map<std::string, std::promise<void>> promises;
  std::map<std::string, std::shared_future<void>> done;
  for (const auto& n : nodes) done[n.service] = promises[n.service].get_future().share();

  std::vector<std::thread> threads;
  threads.reserve(nodes.size());
  for (const auto& node : nodes) {
    threads.emplace_back([&, node] {
      std::promise<void>& mine = promises.at(node.service);
      try {
        for (const auto& edge : node.after) {
          auto dep = done.find(edge.service);
          if (dep == done.end()) continue;
          try {
            dep->second.get();
            if (cb.gate) cb.gate(node.service, edge);
          } catch (const std::exception& e) {
            if (!edge.required) {
              if (cb.warn) cb.warn("optional dependency \"" + edge.service + "\" of \"" + node.service + "\" failed: " + e.what());
              continue;
            }
            // As docker compose, which creates every container before it starts any: the
            // dependent is left created.
            if (cb.blocked) cb.blocked(node.service);
            const std::string why = e.what();
            // docker compose's words: a one-shot that failed is reported as it is.
            const bool as_is = why.rfind("dependency failed to start: ", 0) == 0 || why.find("didn't complete successfully") != std::string::npos;
            throw Error(as_is ? why : "dependency failed to start: " + why);
          }
        }
        if (cb.work) cb.work(node.service);
        mine.set_value();
      } catch (...) {
        mine.set_exception(std::current_exception());
      }
    });
  }
  for (auto& t : threads) t.join();
  // The first failure in walk order that is not merely a consequence of another.
  std::exception_ptr first, consequence;
  for (const auto& n : nodes) {
    try {
      done.at(n.service).get();
    } catch (const std::exception& e) {
      const bool follows = std::string(e.what()).rfind("dependency failed to start: ", 0) == 0;
      auto& slot = follows ? consequence : first;
      if (!slot) slot = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
  if (consequence) std::rethrow_exception(consequence);
}

void for_each_parallel(std::size_t n, std::size_t width, const std::function<void(std::size_t)>& f) {
  if (n == 0) return;
  if (width == 0) width = 1;
  std::atomic<std::size_t> next{0};
  std::mutex m;
  std::exception_ptr first;
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        f(i);
      } catch (...) {
        std::lock_guard<std::mutex> l(m);
        if (!first) first = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::min(n, width); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace mycompose::scheduler

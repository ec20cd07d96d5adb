#include "mycompose/common/fault_point.hpp"

#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace mycompose {
namespace {

struct FaultSpec {
  std::string name;  // empty: no fault injection
  long nth = 1;
  std::atomic<long> hits{0};

  FaultSpec() {
    const char* v = std::getenv("MYCOMPOSE_FAULT");
    if (!v || !*v) return;
    name = v;
    if (auto at = name.find('@'); at != std::string::npos) {
      nth = std::strtol(name.c_str() + at + 1, nullptr, 10);
      name.resize(at);
      if (nth < 1) nth = 1;
    }
  }
};

FaultSpec& spec() {
  static FaultSpec s;
  return s;
}

}  // namespace

void fault_point(const char* name) {
  FaultSpec& s = spec();
  if (s.name.empty() || s.name != name) return;
  if (s.hits.fetch_add(1) + 1 == s.nth) ::kill(::getpid(), SIGKILL);
}

}  // namespace mycompose

// Capability sets and rlimits with libcap (names and set manipulation) and setrlimit.
#include "mycompose/runtime/capabilities.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <memory>
#include <utility>

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {
namespace {

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapPtr = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// libcap knows the names in lower case with the "cap_" prefix.
int capability_number(const std::string& name) {
  std::string key = lower(name);
  if (key.rfind("cap_", 0) != 0) key = "cap_" + key;
  cap_value_t value = 0;
  if (key.size() > 4 && cap_from_name(key.c_str(), &value) == 0) return value;
  throw Error("unknown capability \"" + name + "\"");
}

std::vector<std::string> names_of(const nlohmann::json& caps, const char* set) {
  std::vector<std::string> out;
  if (!caps.is_object() || !caps.contains(set) || caps[set].is_null()) return out;
  const auto& list = caps[set];
  if (!list.is_array()) throw Error(std::string("process.capabilities.") + set + " must be an array of names");
  for (const auto& n : list) {
    if (!n.is_string()) throw Error(std::string("process.capabilities.") + set + " must be an array of names");
    out.push_back(n.get<std::string>());
  }
  return out;
}

// Capabilities the running kernel does not know are skipped (runc warns and does the same),
// so a spec written for a newer kernel still runs.
std::vector<cap_value_t> supported(const std::vector<std::string>& names) {
  std::vector<cap_value_t> out;
  const int max = cap_max_bits();
  for (int n : capability_numbers(names))
    if (n < max) out.push_back(n);
  return out;
}

void set_flag(cap_t caps, cap_flag_t flag, const std::vector<cap_value_t>& values) {
  if (values.empty()) return;
  if (cap_set_flag(caps, flag, static_cast<int>(values.size()), values.data(), CAP_SET) != 0)
    throw SystemError("cap_set_flag", errno);
}

}  // namespace

std::vector<int> capability_numbers(const std::vector<std::string>& names) {
  std::vector<int> out;
  out.reserve(names.size());
  for (const auto& n : names) out.push_back(capability_number(n));
  return out;
}

std::string capability_name(int number) {
  char* raw = cap_to_name(number);
  if (!raw) return "";
  std::string name = raw;
  cap_free(raw);
  // cap_to_name prints unknown numbers as plain digits.
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return "";
  return upper(name);
}

std::vector<std::string> bounding_capability_names() {
  std::vector<std::string> out;
  for (int i = 0; i < cap_max_bits(); ++i) {
    auto name = capability_name(i);
    if (!name.empty() && cap_get_bound(static_cast<cap_value_t>(i)) == 1) out.push_back(name);
  }
  return out;
}

std::vector<std::string> all_capability_names() {
  std::vector<std::string> out;
  for (int i = 0; i < cap_max_bits(); ++i) {
    auto name = capability_name(i);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

void apply_capabilities(const nlohmann::json& process_capabilities) {
  if (!process_capabilities.is_null() && !process_capabilities.is_object())
    throw Error("process.capabilities must be an object");
  // Resolve every name first so an unknown one fails before anything changes.
  const auto bounding = supported(names_of(process_capabilities, "bounding"));
  const auto effective = supported(names_of(process_capabilities, "effective"));
  const auto permitted = supported(names_of(process_capabilities, "permitted"));
  const auto inheritable = supported(names_of(process_capabilities, "inheritable"));
  const auto ambient = supported(names_of(process_capabilities, "ambient"));

  // After a uid switch with KEEPCAPS the effective set is empty; raise it to the permitted set
  // so CAP_SETPCAP is usable for the bounding-set drops below.
  {
    CapPtr cur(cap_get_proc());
    if (!cur) throw SystemError("cap_get_proc", errno);
    for (int i = 0; i < cap_max_bits(); ++i) {
      cap_flag_value_t v = CAP_CLEAR;
      cap_value_t c = i;
      if (cap_get_flag(cur.get(), c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
        cap_set_flag(cur.get(), CAP_EFFECTIVE, 1, &c, CAP_SET);
    }
    if (cap_set_proc(cur.get()) != 0) throw SystemError("cap_set_proc (raise effective)", errno);
  }

  for (int i = 0; i < cap_max_bits(); ++i) {
    if (std::find(bounding.begin(), bounding.end(), i) != bounding.end()) continue;
    if (cap_get_bound(i) <= 0) continue;
    if (cap_drop_bound(i) != 0) throw SystemError("drop " + capability_name(i) + " from the bounding set", errno);
  }

  CapPtr want(cap_init());
  if (!want) throw SystemError("cap_init", errno);
  set_flag(want.get(), CAP_EFFECTIVE, effective);
  set_flag(want.get(), CAP_PERMITTED, permitted);
  set_flag(want.get(), CAP_INHERITABLE, inheritable);
  if (cap_set_proc(want.get()) != 0) throw SystemError("process.capabilities: cap_set_proc", errno);

  if (CAP_AMBIENT_SUPPORTED()) {
    if (cap_reset_ambient() != 0) throw SystemError("cap_reset_ambient", errno);
    // The kernel only lets a capability be ambient when it is also permitted and inheritable.
    // runc ignores the others (its own `runc spec` asks for ambient caps with no inheritable
    // set), so we do too rather than refuse such bundles.
    auto in = [](const std::vector<cap_value_t>& set, cap_value_t c) { return std::find(set.begin(), set.end(), c) != set.end(); };
    for (auto c : ambient)
      if (in(permitted, c) && in(inheritable, c) && cap_set_ambient(c, CAP_SET) != 0)
        throw SystemError("raise ambient capability " + capability_name(c), errno);
  }
}

int rlimit_number(const std::string& name) {
  static constexpr std::array<std::pair<const char*, int>, 16> kLimits{{
      {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},
      {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},
      {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_STACK", RLIMIT_STACK},
  }};
  for (const auto& [n, v] : kLimits)
    if (name == n) return v;
  throw Error("unknown rlimit \"" + name + "\"");
}

void apply_rlimits(const nlohmann::json& process_rlimits) {
  if (process_rlimits.is_null()) return;
  if (!process_rlimits.is_array()) throw Error("process.rlimits must be an array");
  std::vector<std::pair<int, rlimit>> limits;
  for (const auto& r : process_rlimits) {
    if (!r.is_object() || !r.contains("type") || !r["type"].is_string())
      throw Error("process.rlimits entry without a type: " + r.dump());
    const auto type = r["type"].get<std::string>();
    rlimit lim{};
    lim.rlim_cur = r.value("soft", static_cast<std::uint64_t>(0));
    lim.rlim_max = r.value("hard", static_cast<std::uint64_t>(0));
    limits.emplace_back(rlimit_number(type), lim);
  }
  for (std::size_t i = 0; i < limits.size(); ++i)
    if (setrlimit(static_cast<__rlimit_resource>(limits[i].first), &limits[i].second) != 0)
      throw SystemError("process.rlimits: setrlimit " + process_rlimits[i]["type"].get<std::string>() + " (soft " +
                            std::to_string(limits[i].second.rlim_cur) + ", hard " + std::to_string(limits[i].second.rlim_max) + ")",
                        errno);
}

}  // namespace mycompose::runtime

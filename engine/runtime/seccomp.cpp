// The OCI linux.seccomp section → a libseccomp filter.
#include "mycompose/runtime/seccomp.hpp"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {
namespace {

struct FilterFree {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterFree>;

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  if (!j[key].is_string()) throw Error(std::string("linux.seccomp: ") + key + " must be a string");
  return j[key].get<std::string>();
}

// An action name with the errno it should return (errnoRet, else the fallback, else EPERM).
uint32_t action_of(const std::string& name, const nlohmann::json& errno_ret, int fallback_errno) {
  int err = fallback_errno;
  if (!errno_ret.is_null()) {
    if (!errno_ret.is_number_integer() || errno_ret.get<long long>() < 0 || errno_ret.get<long long>() > 4095) throw Error("linux.seccomp: errnoRet must be a number from 0 to 4095");
    err = errno_ret.get<int>();
  }
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<uint16_t>(err));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(static_cast<uint16_t>(err));
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY")
    throw Error("linux.seccomp: SCMP_ACT_NOTIFY is not supported (no seccomp agent; use another action)");
  throw Error("linux.seccomp: unknown action \"" + name + "\"");
}

scmp_compare op_of(const std::string& name) {
  static const std::map<std::string, scmp_compare> kOps{
      {"SCMP_CMP_NE", SCMP_CMP_NE},         {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},         {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},         {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  auto it = kOps.find(name);
  if (it == kOps.end()) throw Error("linux.seccomp: unknown argument operator \"" + name + "\"");
  return it->second;
}

// "SCMP_ARCH_X86_64" → libseccomp's token; libseccomp's names are the suffix in lower case.
uint32_t arch_of(const std::string& name) {
  std::string token = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  for (auto& c : token) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint32_t arch = seccomp_arch_resolve_name(token.c_str());
  if (arch == 0) throw Error("linux.seccomp: unknown architecture \"" + name + "\"");
  return arch;
}

std::vector<scmp_arg_cmp> args_of(const nlohmann::json& args) {
  std::vector<scmp_arg_cmp> out;
  if (args.is_null()) return out;
  if (!args.is_array()) throw Error("linux.seccomp: syscalls[].args must be an array");
  for (const auto& a : args) {
    if (!a.is_object()) throw Error("linux.seccomp: syscalls[].args entries must be objects");
    scmp_arg_cmp cmp{};
    cmp.arg = a.value("index", 0u);
    if (cmp.arg > 5) throw Error("linux.seccomp: argument index " + std::to_string(cmp.arg) + " out of range 0-5");
    cmp.op = op_of(a.value("op", std::string()));
    cmp.datum_a = a.value("value", static_cast<uint64_t>(0));
    cmp.datum_b = a.value("valueTwo", static_cast<uint64_t>(0));
    out.push_back(cmp);
  }
  return out;
}

void add_rule(void* ctx, uint32_t action, int nr, const std::string& name, const std::vector<scmp_arg_cmp>& args) {
  int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()), args.empty() ? nullptr : args.data());
  if (rc < 0) throw SystemError("linux.seccomp: add rule for syscall " + name, -rc);
}

void set_attr(void* ctx, scmp_filter_attr attr, uint32_t value, const std::string& what) {
  int rc = seccomp_attr_set(ctx, attr, value);
  if (rc < 0) throw SystemError("linux.seccomp: " + what, -rc);
}

Filter build(const nlohmann::json& s) {
  if (!s.is_object()) throw Error("linux.seccomp must be an object");
  const auto default_action = str(s, "defaultAction");
  if (default_action.empty()) throw Error("linux.seccomp: defaultAction is required");
  const int default_errno = EPERM;
  const uint32_t def = action_of(default_action, s.value("defaultErrnoRet", nlohmann::json()), default_errno);

  Filter ctx(seccomp_init(def));
  if (!ctx) throw Error("linux.seccomp: seccomp_init failed for defaultAction " + default_action);
  // no_new_privs is the caller's decision (processes.noNewPrivileges), not libseccomp's.
  set_attr(ctx.get(), SCMP_FLTATR_CTL_NNP, 0, "clear SCMP_FLTATR_CTL_NNP");

  if (s.contains("architectures") && s["architectures"].is_array()) {
    for (const auto& a : s["architectures"]) {
      if (!a.is_string()) throw Error("linux.seccomp: architectures must be names");
      int rc = seccomp_arch_add(ctx.get(), arch_of(a.get<std::string>()));
      if (rc < 0 && rc != -EEXIST) throw SystemError("linux.seccomp: add architecture " + a.get<std::string>(), -rc);
    }
  }

  if (s.contains("flags") && s["flags"].is_array()) {
    for (const auto& f : s["flags"]) {
      const auto flag = f.is_string() ? f.get<std::string>() : std::string();
      if (flag == "SECCOMP_FILTER_FLAG_TSYNC") set_attr(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1, flag);
      else if (flag == "SECCOMP_FILTER_FLAG_LOG") set_attr(ctx.get(), SCMP_FLTATR_CTL_LOG, 1, flag);
      else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") set_attr(ctx.get(), SCMP_FLTATR_CTL_SSB, 1, flag);
      else throw Error("linux.seccomp: unsupported flag \"" + flag + "\"");
    }
  }

  if (!s.contains("syscalls") || s["syscalls"].is_null()) return ctx;
  if (!s["syscalls"].is_array()) throw Error("linux.seccomp: syscalls must be an array");
  for (const auto& rule : s["syscalls"]) {
    if (!rule.is_object() || !rule.contains("names") || !rule["names"].is_array())
      throw Error("linux.seccomp: syscalls[] entries need a names array");
    const auto action_name = str(rule, "action");
    const uint32_t action = action_of(action_name, rule.value("errnoRet", nlohmann::json()), EPERM);
    const auto args = args_of(rule.value("args", nlohmann::json()));
    // libseccomp refuses a rule whose action is the default one; it would change nothing.
    if (action == def) continue;

    // Several comparisons of the same argument cannot be ANDed in one libseccomp rule; like
    // runc we then add one rule per comparison (OR). Otherwise all comparisons form one rule.
    bool repeated_index = false;
    for (std::size_t i = 0; i < args.size(); ++i)
      for (std::size_t j = i + 1; j < args.size(); ++j)
        if (args[i].arg == args[j].arg) repeated_index = true;

    for (const auto& n : rule["names"]) {
      if (!n.is_string()) throw Error("linux.seccomp: syscall names must be strings");
      const auto name = n.get<std::string>();
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // unknown to libseccomp/this arch: skipped, as runc does
      if (repeated_index) {
        for (const auto& a : args) add_rule(ctx.get(), action, nr, name, {a});
      } else {
        add_rule(ctx.get(), action, nr, name, args);
      }
    }
  }
  return ctx;
}

bool empty_section(const nlohmann::json& s) { return s.is_null() || (s.is_object() && s.empty()); }

}  // namespace

void check_seccomp(const nlohmann::json& linux_seccomp) {
  if (empty_section(linux_seccomp)) return;
  build(linux_seccomp);
}

void apply_seccomp(const nlohmann::json& linux_seccomp) {
  if (empty_section(linux_seccomp)) return;
  Filter ctx = build(linux_seccomp);
  int rc = seccomp_load(ctx.get());
  if (rc < 0) throw SystemError("seccomp_load", -rc);
}

namespace {

CompiledSeccomp compile_uncached(const nlohmann::json& linux_seccomp) {
  CompiledSeccomp out;
  Filter ctx = build(linux_seccomp);
  // libseccomp 2.5 exports only to a file descriptor.
  UniqueFd mem(::memfd_create("seccomp-bpf", MFD_CLOEXEC));
  if (!mem) throw SystemError("memfd_create for the seccomp program", errno);
  int rc = seccomp_export_bpf(ctx.get(), mem.get());
  if (rc < 0) throw SystemError("seccomp_export_bpf", -rc);
  const off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size < 0) throw SystemError("lseek seccomp program", errno);
  out.program.resize(static_cast<std::size_t>(size));
  if (::pread(mem.get(), out.program.data(), out.program.size(), 0) != size) throw SystemError("read seccomp program", errno);
  uint32_t v = 0;
  if (seccomp_attr_get(ctx.get(), SCMP_FLTATR_CTL_TSYNC, &v) == 0 && v) out.flags |= SECCOMP_FILTER_FLAG_TSYNC;
  if (seccomp_attr_get(ctx.get(), SCMP_FLTATR_CTL_LOG, &v) == 0 && v) out.flags |= SECCOMP_FILTER_FLAG_LOG;
  if (seccomp_attr_get(ctx.get(), SCMP_FLTATR_CTL_SSB, &v) == 0 && v) out.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  return out;
}

}  // namespace

// libseccomp's compile of Docker's default profile (~350 rules) is the largest CPU cost of a
// container create in the engine, and almost every container brings the same profile: the
// programs are kept by profile text. A handful of profiles at most; the map starts over
// past that.
CompiledSeccomp compile_seccomp(const nlohmann::json& linux_seccomp) {
  if (empty_section(linux_seccomp)) return {};
  static std::mutex m;
  static std::map<std::string, CompiledSeccomp> compiled;
  const std::string key = linux_seccomp.dump();
  // Held while compiling: the parallel creates of one up all bring the same profile at once
  // and wait for the first compile rather than each doing it.
  std::lock_guard<std::mutex> l(m);
  if (auto it = compiled.find(key); it != compiled.end()) return it->second;
  CompiledSeccomp out = compile_uncached(linux_seccomp);
  if (compiled.size() >= 8) compiled.clear();
  compiled.emplace(key, out);
  return out;
}

void load_seccomp(const CompiledSeccomp& compiled) {
  if (compiled.empty()) return;
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(compiled.program.size() / sizeof(sock_filter));
  prog.filter = reinterpret_cast<sock_filter*>(const_cast<unsigned char*>(compiled.program.data()));
  check_syscall(::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, compiled.flags, &prog), "seccomp(SECCOMP_SET_MODE_FILTER)");
}

void set_no_new_privs() { check_syscall(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)"); }

}  // namespace mycompose::runtime

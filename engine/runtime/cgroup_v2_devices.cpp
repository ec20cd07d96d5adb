// Device rules on cgroup v2: v2 has no devices.allow file; the kernel asks a
// BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. We generate that program from the
// OCI rules (no libbpf in our dependency list, and the program is a few straight-line checks).
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "cgroup_files.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime::cgroupfs {
namespace {

bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// Registers: r2 = device type, r3 = requested access, r4 = major, r5 = minor.
std::vector<bpf_insn> prologue() {
  return {
      insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0),  // access_type
      insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff),
      insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0),
      insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16),
      insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0),  // major
      insn(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0),  // minor
  };
}

std::int32_t access_bits(const std::string& access) {
  std::int32_t bits = 0;
  for (char c : access.empty() ? std::string("rwm") : access) {
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    else if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    else if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    else throw Error("linux.resources.devices: invalid access \"" + access + "\"");
  }
  return bits;
}

// One rule: every check that fails jumps past the block; reaching the end returns the verdict.
std::vector<bpf_insn> rule_block(const nlohmann::json& r) {
  std::vector<bpf_insn> checks;
  const auto type = r.value("type", std::string("a"));
  if (type == "c" || type == "b")
    checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, type == "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
  else if (type != "a" && !type.empty())
    throw Error("linux.resources.devices: unknown device type \"" + type + "\"");
  const auto access = access_bits(r.value("access", std::string("rwm")));
  const bool allow = r.value("allow", false);
  if (access != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
    // allow: the request must lie within the rule's access; deny: it must touch it.
    checks.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_3, 0, 0));
    checks.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_6, 0, 0, allow ? ~access & 7 : access));
    checks.push_back(insn(BPF_JMP | (allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_6, 0, 0, 0));
  }
  if (auto major = number(r, "major"); major && *major >= 0)
    checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, static_cast<std::int32_t>(*major)));
  if (auto minor = number(r, "minor"); minor && *minor >= 0)
    checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, static_cast<std::int32_t>(*minor)));
  // Jumps skip the rest of the block: the remaining checks plus the two verdict instructions.
  const auto n = checks.size();
  for (std::size_t i = 0; i < n; ++i)
    if (BPF_CLASS(checks[i].code) == BPF_JMP) checks[i].off = static_cast<std::int16_t>(n - i - 1 + 2);
  checks.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0));
  checks.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return checks;
}

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

}  // namespace

void attach_device_rules(const std::string& cgroup_dir, const nlohmann::json& rules) {
  if (rules.is_null()) return;
  if (!rules.is_array()) throw Error("linux.resources.devices must be an array");
  // The last matching rule wins (as with devices.allow/deny written in order), so the program
  // checks the rules from the last to the first; no match keeps the kernel default: allowed.
  std::vector<bpf_insn> prog = prologue();
  bool unconditional = false;
  for (auto it = rules.rbegin(); it != rules.rend() && !unconditional; ++it) {
    auto block = rule_block(*it);
    // A rule matching everything ends the program: the verifier refuses unreachable code.
    unconditional = block.size() == 2;
    prog.insert(prog.end(), block.begin(), block.end());
  }
  if (!unconditional) {
    prog.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
    prog.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }

  static const char kLicense[] = "Apache-2.0";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<std::uint64_t>(prog.data());
  load.insn_cnt = static_cast<std::uint32_t>(prog.size());
  load.license = reinterpret_cast<std::uint64_t>(kLicense);
  UniqueFd prog_fd(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
  if (!prog_fd) {
    // Ask again with the verifier's log so the error says why.
    const int err = errno;
    std::vector<char> log(16384, 0);
    load.log_level = 1;
    load.log_buf = reinterpret_cast<std::uint64_t>(log.data());
    load.log_size = static_cast<std::uint32_t>(log.size());
    UniqueFd retry(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
    throw Error("load the device filter (BPF_PROG_LOAD) for " + cgroup_dir + ": " + std::strerror(err) +
                (log[0] ? "\n" + std::string(log.data()) : std::string()));
  }

  UniqueFd dir(::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw SystemError("open " + cgroup_dir, errno);
  // Without BPF_F_ALLOW_MULTI a new attach replaces the previous program, so update() works.
  bpf_attr attach{};
  attach.target_fd = static_cast<std::uint32_t>(dir.get());
  attach.attach_bpf_fd = static_cast<std::uint32_t>(prog_fd.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  if (bpf(BPF_PROG_ATTACH, attach) != 0) throw SystemError("attach the device filter (BPF_PROG_ATTACH) to " + cgroup_dir, errno);
}

}  // namespace mycompose::runtime::cgroupfs

#include "hooks.hpp"

#include <fcntl.h>
#include <spawn.h>

#include "mycompose/common/error.hpp"

extern char** environ;

namespace mycompose::scheduler {

void run_lifecycle_hooks(const ConvergeHooks& hooks, const char* key, const std::string& service_name,
                         const nlohmann::ordered_json& service, const std::string& container_id,
                         const std::string& container_name) {
  if (!service.contains(key) || !service[key].is_array() || service[key].empty()) return;
  if (!hooks.exec_hook) return;
  for (const auto& hook : service[key]) {
    runtime::ExecOptions p;
    if (hook.contains("command") && hook["command"].is_array()) p.args = hook["command"].get<std::vector<std::string>>();
    else if (hook.contains("command") && hook["command"].is_string()) p.args = {"/bin/sh", "-c", hook["command"].get<std::string>()};
    if (p.args.empty()) continue;
    p.user = hook.value("user", "");
    p.cwd = hook.value("working_dir", "");
    if (hook.contains("environment") && hook["environment"].is_object())
      for (const auto& [k, v] : hook["environment"].items())
        if (!v.is_null()) p.env.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
    p.privileged = hook.value("privileged", false);
    OutputTail out, err;
    const int status = hooks.exec_hook(container_id, p, [&](const std::string& line, bool from_stderr) {
      (from_stderr ? err : out).add_line(line);
      if (hooks.hook_output) hooks.hook_output(container_name, service_name, line, "");
    });
    if (status != 0) {
      const std::string tail = failure_tail(out, err);
      throw Error(service_name + " hook exited with status " + std::to_string(status) + (tail.empty() ? "" : ": " + tail));
    }
  }
}

std::vector<std::string> hook_argv(const std::vector<std::string>& prefix, const std::string& container_id,
                                   const runtime::ExecOptions& p) {
  std::vector<std::string> argv = prefix;
  if (!p.user.empty()) argv.insert(argv.end(), {"--user", p.user});
  if (!p.cwd.empty()) argv.insert(argv.end(), {"--workdir", p.cwd});
  if (p.privileged) argv.push_back("--privileged");
  for (const auto& e : p.env) argv.insert(argv.end(), {"--env", e});
  argv.push_back(container_id);
  argv.insert(argv.end(), p.args.begin(), p.args.end());
  return argv;
}

pid_t spawn_hook(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  for (auto [from, to] : {std::pair{out_fd, 1}, std::pair{err_fd, 2}}) {
    if (from >= 0) posix_spawn_file_actions_adddup2(&fa, from, to);
    else posix_spawn_file_actions_addopen(&fa, to, "/dev/null", O_WRONLY, 0);
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw SystemError("run " + argv.front(), rc);
  return pid;
}

namespace {
constexpr std::size_t kTailLines = 10;
constexpr std::size_t kTailBytes = 2048;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Cut at a byte count, then drop the pieces of a character the cut split.
std::string valid_utf8_suffix(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return s.substr(i);
}
}  // namespace

void OutputTail::add_line(std::string line) {
  while (!line.empty() && line.back() == '\r') line.pop_back();
  if (auto cr = line.rfind('\r'); cr != std::string::npos) line = line.substr(cr + 1);  // a progress bar's last state
  if (trim(line).empty()) return;
  if (line.size() > kTailBytes) line.resize(kTailBytes);
  lines_.push_back(std::move(line));
  if (lines_.size() > kTailLines) lines_.erase(lines_.begin());
}

std::string OutputTail::text() const {
  std::string joined;
  for (const auto& l : lines_) joined += (joined.empty() ? "" : "\n") + l;
  joined = trim(joined);
  if (joined.size() > kTailBytes) joined = valid_utf8_suffix(joined.substr(joined.size() - kTailBytes));
  return joined;
}

std::string failure_tail(const OutputTail& out, const OutputTail& err) {
  std::string tail = err.text();
  return tail.empty() ? out.text() : tail;
}

void HookLines::add(std::string_view chunk) {
  for (char c : chunk) {
    if (c == '\n') {
      emit_(partial_);
      partial_.clear();
      continue;
    }
    partial_ += c;
    if (partial_.size() == kMaxHookLine) {
      emit_(partial_);
      partial_.clear();
    }
  }
}

void HookLines::finish() {
  if (!partial_.empty()) emit_(partial_);
  partial_.clear();
}

}  // namespace mycompose::scheduler

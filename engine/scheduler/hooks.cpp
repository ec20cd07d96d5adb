#include "hooks.hpp"

#include <fcntl.h>
#include <spawn.h>

#include "mycompose/common/error.hpp"

extern char** environ;

namespace mycompose::scheduler {

void run_lifecycle_hooks(const ConvergeHooks& hooks, const char* key, const std::string& service_name,
                         const nlohmann::ordered_json& service, const std::string& container_id) {
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
    const int status = hooks.exec_hook(container_id, p);
    if (status != 0) throw Error(service_name + " hook exited with status " + std::to_string(status));
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

pid_t spawn_quietly(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw SystemError("run " + argv.front(), rc);
  return pid;
}

}  // namespace mycompose::scheduler

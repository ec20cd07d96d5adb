// `mycompose export SERVICE`: the container's filesystem (its overlay root, without the
// volumes and bind mounts, as `docker export`) as a tar on stdout or in the -o file.
// The CLI reads the container's root itself as `cp` does, through file descriptors only
// (scheduler/copy.hpp), so a symlink the container swaps in cannot point the walk outside.
#include <fcntl.h>
#include <unistd.h>

#include "commands.hpp"
#include "flags/export.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/temp_name.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/copy.hpp"
#include "service_container.hpp"

namespace mycompose::cli {
namespace {

// The -o file appears whole or not at all (a temp file beside it, renamed), mode 0600 as
// docker compose writes it.
void export_to_file(const scheduler::ContainerFiles& c, const std::filesystem::path& output) {
  const std::filesystem::path target = std::filesystem::absolute(output);
  if (std::filesystem::is_directory(target)) throw Error("failed to export container: invalid output path: \"" + output.string() + "\" is a directory");
  const std::filesystem::path tmp = target.parent_path() / ("." + target.filename().string() + mycompose::fs::owned_temp_name(".tmp-"));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) throw SystemError("failed to export container: create " + tmp.string(), errno);
  try {
    scheduler::copy_from_container_tar(c, "/.", fd.get(), {true, false});
    check_syscall(::fsync(fd.get()), "fsync " + tmp.string());
    check_syscall(::rename(tmp.c_str(), target.c_str()), "rename " + tmp.string() + " to " + target.string());
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace

void register_export(CLI::App& app, Context& ctx) {
  static flags::ExportOptions o;
  auto* cmd = flags::add_export(app, o);
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options({o.service}));
    if (!project.model.value("services", nlohmann::ordered_json::object()).contains(o.service))
      throw Error("no such service: " + o.service);
    if (o.output.empty() && ::isatty(STDOUT_FILENO)) throw Error("output option is required when exporting to terminal");
    const auto root = std::filesystem::absolute(daemon::default_root());
    scheduler::ContainerStore store(root);
    // docker compose exports a running container (one-offs included), the lowest number
    // unless --index names one.
    const auto c = scheduler::ContainerFiles::of(root, service_container(store, {project.name, o.service, o.index, true, true}));
    if (o.output.empty()) scheduler::copy_from_container_tar(c, "/.", STDOUT_FILENO, {true, false});
    else export_to_file(c, o.output);
  });
}

}  // namespace mycompose::cli

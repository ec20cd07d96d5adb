#pragma once
// The stdin of a `stdin_open: true` service container, for `attach`: a FIFO in its folder
// (containers/<id>/stdin), made at create. As with the output FIFOs (log_output.hpp) the
// container holds it O_RDWR, so its stdin never reaches EOF (Docker keeps an open stdin
// open too) and nothing breaks while no engine or CLI writes; the engine writes what an
// attached CLI sends.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::scheduler {

inline constexpr const char* kStdinFifo = "stdin";

// Makes containers/<id>/stdin (once: a renewed container keeps it).
void make_stdin_fifo(const std::filesystem::path& container_dir);
// The container's end, O_RDWR; empty when the container has no stdin FIFO.
UniqueFd open_stdin_for_container(const std::filesystem::path& container_dir);
// Writes `data` to the container's stdin without blocking. Throws Error when the container
// has no open stdin ("… is not running" when no process holds it) or its pipe is full.
void write_container_stdin(const std::filesystem::path& container_dir, const std::string& name, std::string_view data);

}  // namespace mycompose::scheduler

namespace mycompose::daemon {
class Engine;
}
namespace mycompose::scheduler {
class ContainerStore;
// What `attach` needs beside the log stream, for one container of a project:
// POST /projects/{name}/containers/{container}/stdin {"hex": "<bytes as hex>"} and
// POST /projects/{name}/containers/{container}/kill {"signal": "SIGINT"} (--sig-proxy).
void install_attach_routes(daemon::Engine& engine, std::shared_ptr<ContainerStore> store);
}  // namespace mycompose::scheduler

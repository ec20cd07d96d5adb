#pragma once
// Where a container's output goes, with no process of ours beside it: two FIFOs in its
// folder (containers/<id>/stdout, stderr) that the engine reads on its loop and writes to
// the json-file log. The container holds them O_RDWR, so it never gets EPIPE or SIGPIPE
// while no engine reads (the engine may be killed at any moment); a 1 MiB pipe buffer keeps
// what it writes until the next engine drains it (then the writer blocks, as Docker's
// live-restore does).
#include <filesystem>

#include <nlohmann/json.hpp>

#include "log_file.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::scheduler {

inline constexpr const char* kStdoutFifo = "stdout";
inline constexpr const char* kStderrFifo = "stderr";
inline constexpr const char* kLogConfigFile = "log-config.json";
inline constexpr int kOutputPipeBytes = 1 << 20;

struct OutputFifos {
  UniqueFd out, err;
};

// Makes the FIFOs (once: a renewed container keeps them) and opens them for the container.
OutputFifos open_output_fifos(const std::filesystem::path& container_dir);
// The engine's end: O_RDWR (never EOF, even between two runs of the container), non-blocking.
UniqueFd open_fifo_reader(const std::filesystem::path& fifo);

// The service's logging: as the capture reads it (written at create).
void write_log_config(const std::filesystem::path& container_dir, const LogConfig& config);
LogConfig read_log_config(const std::filesystem::path& container_dir);

// containers/<id>/<id>-json.log
std::filesystem::path json_log_path(const std::filesystem::path& container_dir);

}  // namespace mycompose::scheduler

#include "log_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;

namespace {

UniqueFd open_fifo(const stdfs::path& path, int flags) {
  if (::mkfifo(path.c_str(), 0600) != 0 && errno != EEXIST) throw SystemError("mkfifo " + path.string(), errno);
  // O_RDWR: opening never blocks, and the pipe always has a reader.
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | flags));
  if (!fd) throw SystemError("open " + path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISFIFO(st.st_mode)) throw Error(path.string() + " is not a FIFO");
  // A bigger buffer only helps; a host limit below 1 MiB leaves the default.
  (void)::fcntl(fd.get(), F_SETPIPE_SZ, kOutputPipeBytes);
  return fd;
}

}  // namespace

OutputFifos open_output_fifos(const stdfs::path& dir) {
  OutputFifos f;
  f.out = open_fifo(dir / kStdoutFifo, 0);
  f.err = open_fifo(dir / kStderrFifo, 0);
  return f;
}

UniqueFd open_fifo_reader(const stdfs::path& fifo) {
  struct stat st {};
  if (::stat(fifo.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode)) return UniqueFd();
  return open_fifo(fifo, O_NONBLOCK);
}

void write_log_config(const stdfs::path& dir, const LogConfig& config) {
  fs::write_file_replace(dir / kLogConfigFile, config.to_json().dump(), 0600);
}

LogConfig read_log_config(const stdfs::path& dir) {
  try {
    return LogConfig::from_json(nlohmann::json::parse(fs::read_file(dir / kLogConfigFile, 1 << 16)));
  } catch (const std::exception&) {
    return LogConfig{};  // made before logs existed, or damaged: Docker's default
  }
}

stdfs::path json_log_path(const stdfs::path& dir) { return dir / (dir.filename().string() + "-json.log"); }

}  // namespace mycompose::scheduler

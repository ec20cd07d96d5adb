#include "secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "volume_sources.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

struct Kind {
  const char* singular;  // "secret"
  const char* folder;    // under the container's folder
  const char* default_dir;  // where a target without a leading / goes
};
constexpr Kind kSecret{"secret", "secrets", "/run/secrets/"};
constexpr Kind kConfig{"config", "configs", "/"};

std::string read_all(int fd, const std::string& what) {
  constexpr std::size_t kMax = 64 << 20;  // far above any secret; bounds what a file can cost
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(what + ": " + std::strerror(errno));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMax) throw Error(what + ": larger than 64 MiB");
  }
}

unsigned id_of(const Json& v, const std::string& what) {
  const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  std::size_t end = 0;
  unsigned long n = 0;
  try {
    n = std::stoul(s, &end);
  } catch (...) {
    end = 0;
  }
  if (s.empty() || end != s.size() || n > 0xffffffffUL) throw Error(what + ": \"" + s + "\" is not a numeric id");
  return static_cast<unsigned>(n);
}

class Materializer {
 public:
  Materializer(const std::string& service, const Json& def, const FileSources& sources, const stdfs::path& dir)
      : service_(service), def_(def), sources_(sources), dir_(dir) {}

  std::vector<runtime::MountSetting> run() {
    add(kSecret, "secrets", sources_.secrets);
    add(kConfig, "configs", sources_.configs);
    return mounts_;
  }

 private:
  void add(const Kind& kind, const char* key, const Json& definitions) {
    if (!def_.contains(key)) return;
    const Json& refs = def_[key];
    for (std::size_t i = 0; i < refs.size(); ++i) {
      const Json& ref = refs[i];
      const std::string source = ref.value("source", "");
      const std::string what = "service \"" + service_ + "\": " + kind.singular + " \"" + source + "\"";
      if (!definitions.contains(source)) throw Error(what + " is not defined at the top level");
      const Json& definition = definitions[source];

      std::string target = ref.value("target", "");
      if (target.empty()) target = source;
      if (target[0] != '/') target = kind.default_dir + target;

      if (definition.value("external", false))
        throw Error(what + ": external " + kind.folder + " live in a swarm, which mycompose does not run");
      std::string content;
      if (definition.contains("file")) {
        const std::string path = definition["file"].get<std::string>();
        // O_NONBLOCK: a FIFO put in the file's place must not hang the engine.
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        struct stat st{};
        if (!fd || ::fstat(fd.get(), &st) != 0) throw Error(what + ": file \"" + path + "\": " + std::strerror(errno));
        if (S_ISDIR(st.st_mode)) {
          // A folder cannot be copied into one file: bind it read-only as docker compose does,
          // by its real path, which the runtime opens following no symlink.
          runtime::MountSetting m{target, resolve_bind_source(dir_.parent_path().parent_path(), what, path, Json::object()), "bind", {"ro"}};
          m.source_root = "/";
          mounts_.push_back(std::move(m));
          continue;
        }
        if (!S_ISREG(st.st_mode)) throw Error(what + ": file \"" + path + "\" is not a regular file");
        content = read_all(fd.get(), what + ": file \"" + path + "\"");
      } else if (definition.contains("environment")) {
        const std::string var = definition["environment"].get<std::string>();
        auto it = sources_.environment.find(var);
        if (it == sources_.environment.end()) throw Error(what + ": environment variable \"" + var + "\" is not set");
        content = it->second;
      } else if (definition.contains("content")) {
        content = definition["content"].get<std::string>();
      } else {
        throw Error(what + ": the definition has no file, environment or content");
      }

      const unsigned uid = ref.contains("uid") ? id_of(ref["uid"], what + ": uid") : 0;
      const unsigned gid = ref.contains("gid") ? id_of(ref["gid"], what + ": gid") : 0;
      const unsigned mode = ref.contains("mode") ? ref["mode"].get<unsigned>() & 07777 : 0444;

      const stdfs::path folder = dir_ / kind.folder;
      fs::make_dirs(folder, 0700);
      // Numbered by position: two references to one secret may differ in owner and mode.
      const stdfs::path file = folder / (std::to_string(i) + "-" + source);
      fs::write_file_atomic(file, content, 0600);
      if (::chown(file.c_str(), uid, gid) != 0) throw SystemError("chown " + file.string(), errno);
      if (::chmod(file.c_str(), mode) != 0) throw SystemError("chmod " + file.string(), errno);
      mounts_.push_back({target, file.string(), "bind", {"ro"}});
    }
  }

  const std::string& service_;
  const Json& def_;
  const FileSources& sources_;
  const stdfs::path& dir_;
  std::vector<runtime::MountSetting> mounts_;
};

}  // namespace

std::vector<runtime::MountSetting> materialize_file_mounts(const std::string& service_name, const Json& service,
                                                           const FileSources& sources, const stdfs::path& container_dir) {
  return Materializer(service_name, service, sources, container_dir).run();
}

}  // namespace mycompose::scheduler

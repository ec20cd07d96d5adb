#include "system_check_temps.hpp"

#include <string>

#include "mycompose/common/temp_name.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;

namespace {

struct TempKind {
  const char* folder;  // under the root
  const char* prefix;
  const char* what;    // who makes them
};

constexpr TempKind kTemps[] = {
    {"content/tmp", "load-", "the staging folder of an image load"},
    {"content/tmp", "blob-", "a blob being written (pull, load, import, build)"},
    {"layers", ".tmp-", "a layer being unpacked"},
    {"layers", ".del-", "a layer being removed"},
    {"build/tmp", "", "the folders of a build step"},
};

}  // namespace

void find_temp_leaks(const stdfs::path& root, std::vector<Leak>& out) {
  for (const auto& k : kTemps) {
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(root / k.folder, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(k.prefix, 0) != 0 || name == ".pull.lock") continue;
      if (fs::temp_owner_alive(name, k.prefix)) continue;
      auto owner = fs::temp_name_owner(name, k.prefix);
      Leak l;
      l.kind = "temp";
      l.object = e.path().string();
      l.paths = {l.object};
      l.how = std::string(k.what) + ", left by " +
              (owner ? "process " + std::to_string(*owner) + ", which is gone" : std::string("a process that is gone (no owner in its name)"));
      out.push_back(l);
    }
  }
}

}  // namespace mycompose::scheduler

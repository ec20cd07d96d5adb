// Converger → engine hooks on the way out: a container that `down` (or a recreate) takes away is
// announced as stopping while it still runs and as removed while its folder still exists, so
// the Supervisor restarts nothing and the health monitor writes no health.json into a folder
// being deleted (samples/webapp-mysql's `down` failed with "Directory not empty").
#include <mutex>

#include "mycompose/scheduler/converge.hpp"
#include "store_fixture.hpp"

using namespace store_test;
using mycompose::scheduler::Converger;

namespace {

mycompose::compose::Project project_of(const std::string& command) {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "hooks";
  ctx.working_dir = "/srv/hooks";
  ctx.resolve_env_files = false;
  mycompose::compose::Project p;
  p.name = "hooks";
  p.working_dir = "/srv/hooks";
  const std::string yaml = "services:\n  app:\n    image: busybox:test\n    command: [\"sh\", \"-c\", \"" + command +
                           "\"]\n    restart: always\n";
  p.model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  return p;
}

// What the hooks were told, with what was true of the container at that moment.
struct Recorder {
  ContainerStore& store;
  std::mutex m;
  std::vector<std::string> lines;

  void add(const std::string& what, const std::string& id) {
    const bool folder = stdfs::exists(store.folder(id));
    const std::string status = folder ? store.state(id).status : "gone";
    std::lock_guard<std::mutex> l(m);
    lines.push_back(what + " " + id.substr(0, 12) + " " + status);
  }
  mycompose::scheduler::ConvergeHooks hooks() {
    mycompose::scheduler::ConvergeHooks h;
    h.started = [this](const std::string& id, const std::string&) { add("started", id); };
    h.stopping = [this](const std::string& id) { add("stopping", id); };
    h.removed = [this](const std::string& id) { add("removed", id); };
    return h;
  }
  std::vector<std::string> take() {
    std::lock_guard<std::mutex> l(m);
    return std::exchange(lines, {});
  }
};

}  // namespace

TEST_CASE("converge hooks: down and recreate say stopping while the container runs, removed before its folder goes") {
  Root r;
  ContainerStore store(r.root());
  Recorder rec{store, {}, {}};
  Converger converger(r.root(), rec.hooks());
  struct Down {  // whatever happens, the project goes away
    Converger& c;
    ~Down() {
      try {
        c.down(project_of("exec sleep 1000"), {});
      } catch (...) {
      }
    }
  } guard{converger};

  converger.up(project_of("exec sleep 1000"));
  const std::string first = store.find("hooks-app-1")->id.substr(0, 12);
  CHECK(rec.take() == std::vector<std::string>{"started " + first + " running"});

  converger.up(project_of("exec sleep 1001"));  // changed: recreated
  const std::string second = store.find("hooks-app-1")->id.substr(0, 12);
  REQUIRE(second != first);
  CHECK(rec.take() == std::vector<std::string>{"stopping " + first + " running", "removed " + first + " stopped",
                                               "started " + second + " running"});

  converger.down(project_of("exec sleep 1001"), {});
  CHECK(rec.take() == std::vector<std::string>{"stopping " + second + " running", "removed " + second + " stopped"});
  CHECK(store.list().empty());
}

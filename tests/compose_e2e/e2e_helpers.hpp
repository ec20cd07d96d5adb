#pragma once
// What the ported docker compose e2e scenarios share: the Project fixture, and a CLI in an
// empty folder of the same MYCOMPOSE_ROOT for the commands upstream runs by project name
// alone (`--project-name NAME stop` from pkg/e2e, where no compose file is).
//
// Progress lines are docker compose's plain mode (its pkg/progress plain writer: stderr is
// not a terminal): " Container NAME  Started", id and status joined by two spaces.
#include <regex>

#include "integration/scheduler/cli_project_fixture.hpp"

namespace compose_e2e {

using namespace cli_project;

// A CLI whose working folder has no compose file; `env` added to its environment.
inline Cli elsewhere(const Project& p, const std::map<std::string, std::string>& env = {}) {
  const stdfs::path dir = p.r.dir / "elsewhere";
  stdfs::create_directories(dir);
  Cli c(p.r.root(), dir);
  for (const auto& [k, v] : env) c.o.env[k] = v;
  return c;
}

// Upstream's fixtures/simple-composefile, with sleep for alpine's top.
inline const char* const kSimpleComposefile = R"(services:
  simple:
    image: busybox:test
    command: ["sleep", "1000"]
  another:
    image: busybox:test
    command: ["sleep", "1000"]
)";

inline std::string combined(const mycompose::test::RunResult& r) { return r.out + r.err; }

inline bool matches(const std::string& text, const std::string& regex) { return std::regex_search(text, std::regex(regex)); }

}  // namespace compose_e2e

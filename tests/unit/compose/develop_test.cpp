// develop.watch → compose-go's Trigger: paths made absolute against the project folder,
// include/ignore as lists, exec as a service hook, initial_sync; the actions that copy files
// need a target, and an unknown action is refused naming the service and the entry.
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {
const std::string kHead = "services:\n  web:\n    build: .\n    develop:\n      watch:\n";
}

TEST_CASE("develop.watch: every field in compose-go's order with the path absolute", "[develop]") {
  json w = web(kHead +
               "        - path: ./src\n"
               "          action: sync+exec\n"
               "          target: /app\n"
               "          ignore: node_modules/\n"
               "          include: ['*.js', '*.css']\n"
               "          initial_sync: true\n"
               "          exec:\n"
               "            command: npm run build\n"
               "            user: node\n"
               "            working_dir: /app\n"
               "            environment: {MODE: dev}\n")["develop"]["watch"][0];
  CHECK(w.dump() ==
        R"({"path":"/srv/proj/src","action":"sync+exec","target":"/app",)"
        R"("exec":{"command":["npm","run","build"],"user":"node","working_dir":"/app","environment":{"MODE":"dev"}},)"
        R"("include":["*.js","*.css"],"ignore":["node_modules/"],"initial_sync":true})");
}

TEST_CASE("develop.watch: rebuild and restart need no target", "[develop]") {
  CHECK(error_of(kHead + "        - path: ./src\n          action: rebuild\n") == "");
  CHECK(error_of(kHead + "        - path: ./src\n          action: restart\n") == "");
}

TEST_CASE("develop.watch: sync and sync+restart and sync+exec need a target", "[develop]") {
  for (const char* action : {"sync", "sync+restart", "sync+exec"}) {
    std::string e = error_of(kHead + "        - path: ./src\n          action: " + action + "\n");
    INFO(action << ": " << e);
    CHECK(e.find("services.web.develop.watch: target is required for non-rebuild actions") != std::string::npos);
  }
}

TEST_CASE("develop.watch: an unknown action or a blank path is refused naming the service and entry", "[develop]") {
  std::string e = error_of(kHead + "        - path: ./src\n          action: sync\n          target: /a\n"
                                   "        - path: ./src\n          action: copy\n");
  INFO(e);
  CHECK(e.find("services.web.develop.watch") != std::string::npos);
  CHECK(e.find("1") != std::string::npos);
  CHECK(e.find("action") != std::string::npos);
  std::string blank = error_of(kHead + "        - path: ''\n          action: rebuild\n");
  INFO(blank);
  CHECK(blank.find("value can't be blank") != std::string::npos);
}

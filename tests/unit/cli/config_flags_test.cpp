// `mycompose config` flags, run on the golden stacks and on scratch projects.
#include <catch2/catch.hpp>

#include <regex>

#include "config_run.hpp"

using namespace config_test;
namespace stdfs = std::filesystem;

namespace {

stdfs::path stack(const std::string& name) { return stdfs::canonical(stdfs::path(source_dir()) / "tests" / "golden" / name); }

// A scratch project folder holding one compose.yaml, removed when the test ends.
struct Scratch {
  stdfs::path dir;
  explicit Scratch(const std::string& compose) {
    char tmpl[] = "/tmp/mycompose-config-XXXXXX";
    dir = mkdtemp(tmpl);
    write(compose);
  }
  ~Scratch() { stdfs::remove_all(dir); }
  void write(const std::string& compose) const { std::ofstream(dir / "compose.yaml") << compose; }
};

}  // namespace

TEST_CASE("config --services lists services dependencies first", "[config]") {
  Result r = run_config(stack("nextcloud"), {"config", "--services"});
  CHECK(r.status == 0);
  CHECK(r.out == "db\nredis\napp\ncron\n");
}

TEST_CASE("config --volumes, --networks and --images", "[config]") {
  CHECK(run_config(stack("wordpress"), {"config", "--volumes"}).out == "db_data\nwp_data\n");
  CHECK(run_config(stack("flask"), {"config", "--networks"}).out == "backend\nfrontend\n");
  // A service without an image gets the name compose gives its build: <project>-<service>.
  CHECK(run_config(stack("django"), {"config", "--images"}).out ==
        "django-beat\npostgres:16\nredis:7-alpine\ndjango-web\ndjango-worker\n");
}

TEST_CASE("config --hash prints 'service hash' lines that follow the definition", "[config][hash]") {
  Scratch p("services:\n  web:\n    image: nginx:1.25\n  db:\n    image: postgres:16\n");
  Result all = run_config(p.dir, {"config", "--hash", "*"});
  REQUIRE(all.status == 0);
  CHECK(std::regex_match(all.out, std::regex("db [0-9a-f]{64}\nweb [0-9a-f]{64}\n")));
  Result web = run_config(p.dir, {"config", "--hash", "web"});
  CHECK(all.out.find(web.out) != std::string::npos);
  CHECK(run_config(p.dir, {"config", "--hash", "web"}).out == web.out);  // same input, same hash

  p.write("services:\n  web:\n    image: nginx:1.26\n  db:\n    image: postgres:16\n");
  Result changed = run_config(p.dir, {"config", "--hash", "*"});
  CHECK(changed.out.substr(0, 68) == all.out.substr(0, 68));  // db unchanged
  CHECK(changed.out.substr(68) != all.out.substr(68));        // web changed

  Result missing = run_config(p.dir, {"config", "--hash", "nope"});
  CHECK(missing.status == 1);
  CHECK(missing.err == "error: no such service: nope\n");
}

TEST_CASE("config -q validates without printing, errors carry file:line:col", "[config]") {
  Result ok = run_config(stack("elk"), {"config", "-q"});
  CHECK(ok.status == 0);
  CHECK(ok.out == "");
  Scratch bad("services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80:80:x\"\n");
  Result r = run_config(bad.dir, {"config", "-q"});
  CHECK(r.status == 1);
  CHECK(r.out == "");
  CHECK(r.err == "error: " + (bad.dir / "compose.yaml").string() +
                     ":5:9: services.web.ports[0]: invalid port \"80:80:80:x\": \"80:80\" is not an IP address\n");
}

TEST_CASE("config -o writes the output to a file", "[config]") {
  Scratch p("services:\n  web:\n    image: nginx\n");
  Result r = run_config(p.dir, {"config", "-o", (p.dir / "out.yaml").string()});
  CHECK(r.status == 0);
  CHECK(r.out == "");
  CHECK(slurp(p.dir / "out.yaml") == run_config(p.dir, {"config"}).out);
}

TEST_CASE("config --environment and --variables", "[config]") {
  Result env = run_config(stack("gitea"), {"config", "--environment"});
  CHECK(env.status == 0);
  CHECK(env.out.find("GITEA_PORT=3000\n") != std::string::npos);
  CHECK(env.out.find("POSTGRES_VERSION=16\n") != std::string::npos);
  CHECK(env.out.find("HOME=/home/golden\n") != std::string::npos);

  Result vars = run_config(stack("monitoring"), {"config", "--variables"});
  CHECK(vars.status == 0);
  CHECK(vars.out ==
        "NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE\n"
        "GRAFANA_PASSWORD    false               admin               \n");
}

TEST_CASE("config --no-interpolate keeps ${VAR} as written", "[config]") {
  Result r = run_config(stack("monitoring"), {"config", "--no-interpolate"});
  CHECK(r.status == 0);
  CHECK(r.out.find("GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_PASSWORD:-admin}\n") != std::string::npos);
}

TEST_CASE("config --resolve-image-digests is accepted and says it is not supported yet", "[config]") {
  Result r = run_config(stack("hello"), {"config", "--resolve-image-digests"});
  CHECK(r.status == 0);
  CHECK(r.err.find("not supported yet") != std::string::npos);
  CHECK(r.out == slurp(stack("hello") / "expected.yaml"));
}

TEST_CASE("config --profiles lists every profile, enabled or not", "[config]") {
  Scratch p("services:\n  web:\n    image: nginx\n  debug:\n    image: busybox\n    profiles: [debug, tools]\n"
            "  admin:\n    image: adminer\n    profiles: [tools]\n");
  Result r = run_config(p.dir, {"config", "--profiles"});
  CHECK(r.status == 0);
  CHECK(r.out == "debug\ntools\n");
}

TEST_CASE("config --no-consistency, --no-normalize and --all-resources reach the normalize stage", "[config]") {
  Scratch p("services:\n  web:\n    image: nginx\n    depends_on: [db]\nnetworks:\n  unused: {}\n");
  Result strict = run_config(p.dir, {"config"});
  CHECK(strict.status == 1);
  CHECK(strict.err.find("depends on undefined service \"db\"") != std::string::npos);

  Result loose = run_config(p.dir, {"config", "--no-consistency", "--format", "json"});
  REQUIRE(loose.status == 0);
  CHECK(loose.out.find("\"default\"") != std::string::npos);  // implicit network, normalized
  CHECK(loose.out.find("\"unused\"") == std::string::npos);   // unused network dropped

  Result raw = run_config(p.dir, {"config", "--no-consistency", "--no-normalize", "--format", "json"});
  REQUIRE(raw.status == 0);
  CHECK(raw.out.find("\"default\"") == std::string::npos);

  Result all = run_config(p.dir, {"--all-resources", "config", "--no-consistency", "--format", "json"});
  REQUIRE(all.status == 0);
  CHECK(all.out.find("\"unused\"") != std::string::npos);
}

// docker compose pkg/e2e/ps_test.go: ps as a table, as JSON with the publishers, --all, an
// unknown service refused; and psFormat from the Docker CLI's config (docker compose #13643).
// Upstream's nginx service (ports exposed by its image) is left out: busybox:test exposes none.
#include <fstream>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kPsTest = R"(services:
  busybox:
    image: busybox:test
    command: ["sleep", "1000"]
    ports: ["127.0.0.1:18001:8000"]
)";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) out.push_back(text.substr(start, nl - start));
  out.push_back(text.substr(start));  // Go's strings.Split: the part after the last newline
  return out;
}

}  // namespace

TEST_CASE("TestPs: table, json, --all and an unknown service") {
  const std::string name = "e2e-ps";
  Project p(kPsTest, name);
  Cli bare = elsewhere(p);
  auto up = p.run({"--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container e2e-ps-busybox-1  Started") != std::string::npos);

  // table
  auto table = lines_of(p.ok({"-f", (p.dir / "compose.yaml").string(), "--project-name", name, "ps"}));
  REQUIRE(table.size() == 3);
  CHECK(table[0].rfind("NAME", 0) == 0);
  CHECK(table[1].find("e2e-ps-busybox-1") != std::string::npos);
  CHECK(table[1].find("127.0.0.1:18001->8000/tcp") != std::string::npos);

  // json: one object per line
  auto json_lines = lines_of(p.ok({"--project-name", name, "ps", "--format", "json"}));
  REQUIRE(json_lines.size() == 2);
  const auto c = nlohmann::json::parse(json_lines[0]);
  CHECK(c["Name"] == "e2e-ps-busybox-1");
  CHECK(c["Project"] == name);
  REQUIRE(c["Publishers"].size() == 1);
  CHECK(c["Publishers"][0] == nlohmann::json{{"URL", "127.0.0.1"}, {"TargetPort", 8000}, {"PublishedPort", 18001}, {"Protocol", "tcp"}});
  // Byte for byte as docker compose encodes it: a publisher's fields in its struct's order.
  CHECK(json_lines[0].find(R"("Publishers":[{"URL":"127.0.0.1","TargetPort":8000,"PublishedPort":18001,"Protocol":"tcp"}])") !=
        std::string::npos);

  // ps --all
  bare.ok({"--project-name", name, "stop"});
  CHECK(lines_of(p.ok({"--project-name", name, "ps"})).size() == 2);
  CHECK(lines_of(p.ok({"--project-name", name, "ps", "--all"})).size() == 3);

  // ps unknown: with the file (-f), as upstream; by name alone there is no model to check
  const std::string file = (p.dir / "compose.yaml").string();
  p.ok({"-f", file, "--project-name", name, "ps", "busybox"});
  auto unknown = p.run({"-f", file, "--project-name", name, "ps", "unknown"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no such service: unknown") != std::string::npos);
}

TEST_CASE("TestPsHonorsPsFormat: ps without --format uses psFormat from the Docker config") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  const stdfs::path config = p.r.dir / "docker-config";
  stdfs::create_directories(config);
  std::ofstream(config / "config.json") << R"({"psFormat":"table {{.Name}}"})";
  p.o.env["DOCKER_CONFIG"] = config.string();
  p.ok({"up", "-d"});
  const std::string ps = p.ok({"ps"});
  CHECK(ps == "NAME\nproj-app-1\n");
  CHECK(ps.find("IMAGE") == std::string::npos);
  // --format still wins
  CHECK(p.ok({"ps", "--format", "{{.Service}}"}) == "app\n");
}

// service volumes: short syntax (bind/named/anonymous, modes) and long form; top-level
// volumes get their project-scoped names.
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {
json volumes_of(const std::string& items, const std::string& top = "volumes:\n  data: {}\n") {
  return web("services:\n  web:\n    image: nginx\n    volumes:\n" + items + top)["volumes"];
}
}  // namespace

TEST_CASE("volumes: relative bind becomes absolute and creates the host path", "[volumes]") {
  CHECK(volumes_of("      - ./html:/usr/share/nginx/html:ro\n").dump() ==
        R"([{"type":"bind","source":"/srv/proj/html","target":"/usr/share/nginx/html","read_only":true,"bind":{"create_host_path":true}}])");
  CHECK(volumes_of("      - ../shared/./x/:/x\n")[0]["source"] == "/srv/shared/x");
}

TEST_CASE("volumes: ~ is the home folder", "[volumes]") {
  CHECK(volumes_of("      - ~/.ssh:/root/.ssh:ro\n")[0]["source"] == "/home/me/.ssh");
}

TEST_CASE("volumes: a name is a named volume, no source an anonymous one", "[volumes]") {
  CHECK(volumes_of("      - data:/var/lib/data\n").dump() ==
        R"([{"type":"volume","source":"data","target":"/var/lib/data","volume":{}}])");
  CHECK(volumes_of("      - /cache\n").dump() == R"([{"type":"volume","target":"/cache","volume":{}}])");
  CHECK(volumes_of("      - data:/d:nocopy\n")[0]["volume"] == json::parse(R"({"nocopy":true})"));
}

TEST_CASE("volumes: SELinux and propagation modes", "[volumes]") {
  CHECK(volumes_of("      - /etc/app:/etc/app:z,rw\n")[0]["bind"].dump() == R"({"selinux":"z","create_host_path":true})");
  CHECK(volumes_of("      - /srv:/srv:ro,rshared\n")[0]["bind"].dump() == R"({"propagation":"rshared","create_host_path":true})");
  // On a named volume too (compose-go keeps them as the mount's bind options).
  CHECK(volumes_of("      - data:/data:z\n").dump() ==
        R"([{"type":"volume","source":"data","target":"/data","bind":{"selinux":"z"},"volume":{}}])");
  CHECK(volumes_of("      - data:/data:Z,ro\n")[0].dump() ==
        R"({"type":"volume","source":"data","target":"/data","read_only":true,"bind":{"selinux":"Z"},"volume":{}})");
}

TEST_CASE("volumes: long form keeps bind options and makes source absolute", "[volumes]") {
  json v = volumes_of("      - type: bind\n        source: ./conf\n        target: /conf\n        read_only: \"true\"\n"
                      "        bind:\n          create_host_path: false\n"
                      "      - type: tmpfs\n        target: /tmp\n        tmpfs:\n          size: 64m\n");
  CHECK(v[0].dump() == R"({"type":"bind","source":"/srv/proj/conf","target":"/conf","read_only":true,"bind":{"create_host_path":false}})");
  CHECK(v[1].dump() == R"({"type":"tmpfs","target":"/tmp","tmpfs":{"size":"67108864"}})");
}

TEST_CASE("volumes: --no-path-resolution keeps relative binds", "[volumes]") {
  auto ctx = context();
  ctx.resolve_paths = false;
  json v = web("services:\n  web:\n    image: x\n    volumes:\n      - ./a:/a\n", ctx)["volumes"];
  CHECK(v[0]["source"] == "./a");
}

TEST_CASE("volumes: top-level volumes are named <project>_<key> unless name or external", "[volumes]") {
  json m = model(R"(services:
  web:
    image: x
    volumes: [a:/a, b:/b, c:/c, d:/d]
volumes:
  a:
  b:
    name: my-b
  c:
    external: true
  d:
    external:
      name: legacy-d
    labels: [team=x]
)");
  CHECK(m["volumes"].dump() ==
        R"({"a":{"name":"proj_a"},"b":{"name":"my-b"},"c":{"name":"c","external":true},"d":{"name":"legacy-d","external":true,"labels":{"team":"x"}}})");
}

TEST_CASE("volumes: errors", "[volumes]") {
  const std::string head = "services:\n  web:\n    image: nginx\n    volumes:\n";
  CHECK(error_of(head + "      - data:/d\n") == "compose.yaml:5:9: service \"web\" refers to undefined volume \"data\"");
  CHECK(error_of(head + "      - ./x:relative\n") ==
        "compose.yaml:5:9: services.web.volumes[0]: invalid volume \"./x:relative\": the target \"relative\" is not an absolute path");
  CHECK(error_of(head + "      - ./x:/x:rx\n") ==
        "compose.yaml:5:9: services.web.volumes[0]: invalid volume \"./x:/x:rx\": unknown mode \"rx\"");
  CHECK(error_of(head + "      - a:b:c:d\n") ==
        "compose.yaml:5:9: services.web.volumes[0]: invalid volume \"a:b:c:d\": too many colons (expected [SOURCE:]TARGET[:MODE])");
  CHECK(error_of(head + "      - type: blob\n        target: /x\n") ==
        "compose.yaml:5:15: services.web.volumes[0].type must be one of bind, volume, tmpfs, cluster, npipe, image, got \"blob\"");
  CHECK(error_of(head + "      - source: x\n        target: /x\n") ==
        "compose.yaml:5:9: services.web.volumes[0]: missing required key \"type\"");
  CHECK(error_of("services:\n  web:\n    image: x\nvolumes:\n  data:\n    external: true\n    driver: local\n") ==
        "compose.yaml:7:13: volumes.data: \"external\" and \"driver\" cannot be used together (an external resource is not created by compose)");
}

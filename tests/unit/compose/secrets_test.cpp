// secrets and configs: service short/long forms, top-level names and absolute files.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("secrets: short and long forms", "[secrets]") {
  json m = model(R"(services:
  web:
    image: x
    secrets:
      - db_password
      - source: api_key
        target: /run/secrets/key
        uid: "1000"
        mode: 0440
    configs:
      - source: nginx_conf
        target: /etc/nginx/nginx.conf
secrets:
  db_password:
    file: ./secrets/db.txt
  api_key:
    environment: API_KEY
configs:
  nginx_conf:
    content: |
      worker_processes 1;
)");
  CHECK(m["services"]["web"]["secrets"].dump() ==
        R"([{"source":"db_password","target":"/run/secrets/db_password"},{"source":"api_key","target":"/run/secrets/key","uid":"1000","mode":288}])");
  CHECK(m["services"]["web"]["configs"].dump() == R"([{"source":"nginx_conf","target":"/etc/nginx/nginx.conf"}])");
  CHECK(m["secrets"].dump() ==
        R"({"api_key":{"name":"proj_api_key","environment":"API_KEY"},"db_password":{"name":"proj_db_password","file":"/srv/proj/secrets/db.txt"}})");
  CHECK(m["configs"].dump() == R"({"nginx_conf":{"name":"proj_nginx_conf","content":"worker_processes 1;\n"}})");
}

TEST_CASE("secrets: references must be defined", "[secrets]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    secrets: [nope]\n") ==
        "compose.yaml:4:15: service \"web\" refers to undefined secret \"nope\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    configs:\n      - source: nope\n") ==
        "compose.yaml:5:17: service \"web\" refers to undefined config \"nope\"");
  CHECK(error_of("services:\n  web:\n    image: x\nsecrets:\n  s:\n    path: x\n") ==
        "compose.yaml:6:5: secrets.s: unknown key \"path\"");
}

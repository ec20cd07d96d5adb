#include <catch2/catch.hpp>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/merge.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::dump;
using mycompose::compose::test::yaml;

namespace {

std::string merged(const std::string& a, const std::string& b) {
  return dump(enforce_unicity(merge_files(yaml(a, "a.yaml"), yaml(b, "b.yaml"))));
}

}  // namespace

TEST_CASE("merge: mappings merge, sequences append, scalars are replaced") {
  CHECK(merged("services: {web: {image: a, cap_add: [X], x-foo: {a: 1}}}",
               "services: {web: {image: b, cap_add: [Y], x-foo: {b: 2}}, db: {image: pg}}") ==
        "{services: {web: {image: b, cap_add: [X, Y], x-foo: {a: 1, b: 2}}, db: {image: pg}}}");
}

TEST_CASE("merge: command, entrypoint and healthcheck.test are replaced") {
  CHECK(merged("services: {w: {command: [a, b], entrypoint: [sh], healthcheck: {test: [CMD, x], interval: 5s}}}",
               "services: {w: {command: [c], entrypoint: [bash], healthcheck: {test: [CMD, y]}}}") ==
        "{services: {w: {command: [c], entrypoint: [bash], healthcheck: {test: [CMD, y], interval: 5s}}}}");
}

TEST_CASE("merge: environment merges by key, across list and map syntax") {
  CHECK(merged("services: {w: {environment: {A: 1, B: 2}}}", "services: {w: {environment: {B: 3, C: ~}}}") ==
        "{services: {w: {environment: {A: 1, B: 3, C: ~}}}}");
  CHECK(merged("services: {w: {environment: [A=1, B=2, D]}}", "services: {w: {environment: {B: 3, C: ~}}}") ==
        "{services: {w: {environment: [A=1, \"B=3\", D, \"C\"]}}}");
  CHECK(merged("services: {w: {labels: {a: x}}}", "services: {w: {labels: [a=y, b=z]}}") ==
        "{services: {w: {labels: [a=y, b=z]}}}");
}

TEST_CASE("merge: ports, volumes, secrets, configs, devices are unique by target") {
  CHECK(merged("services: {w: {volumes: [./a:/data, /x:/other:ro], ports: ['80:80']}}",
               "services: {w: {volumes: [{type: bind, source: ./b, target: /data}], ports: ['80:80', '81:80']}}") ==
        "{services: {w: {volumes: [{type: bind, source: ./b, target: /data}, /x:/other:ro], ports: [\"80:80\", \"81:80\"]}}}");
  CHECK(merged("services: {w: {secrets: [s1, {source: s2, target: /t}], configs: [c1], devices: ['/dev/a:/dev/x']}}",
               "services: {w: {secrets: [{source: s1, mode: 0400}, {source: s3, target: /t}], configs: [{source: c1}], "
               "devices: ['/dev/b:/dev/x']}}") ==
        "{services: {w: {secrets: [{source: s1, mode: 0400}, {source: s3, target: /t}], configs: [{source: c1}], "
        "devices: [\"/dev/b:/dev/x\"]}}}");
}

TEST_CASE("merge: dns, dns_search, tmpfs, env_file accept a string and append uniquely") {
  CHECK(merged("services: {w: {dns: 8.8.8.8, tmpfs: /tmp, env_file: a.env, dns_search: [x]}}",
               "services: {w: {dns: [1.1.1.1, 8.8.8.8], tmpfs: [/run], env_file: [{path: a.env, required: false}], "
               "dns_search: y}}") ==
        "{services: {w: {dns: [8.8.8.8, 1.1.1.1], tmpfs: [/tmp, /run], env_file: [{path: a.env, required: false}], "
        "dns_search: [x, y]}}}");
}

TEST_CASE("merge: depends_on and networks merge as mappings whatever the syntax") {
  CHECK(merged("services: {w: {depends_on: [db], networks: [front]}}",
               "services: {w: {depends_on: {cache: {condition: service_healthy}}, networks: {back: {aliases: [b]}}}}") ==
        "{services: {w: {depends_on: {db: {condition: service_started, required: true}, cache: {condition: "
        "service_healthy}}, networks: {front: ~, back: {aliases: [b]}}}}}");
}

TEST_CASE("merge: build string becomes a context, logging merges only for the same driver") {
  CHECK(merged("services: {w: {build: ./app}}", "services: {w: {build: {dockerfile: Dev}}}") ==
        "{services: {w: {build: {context: ./app, dockerfile: Dev}}}}");
  CHECK(merged("services: {w: {logging: {driver: json-file, options: {max-size: 1m}}}}",
               "services: {w: {logging: {options: {max-file: '3'}}}}") ==
        "{services: {w: {logging: {driver: json-file, options: {max-size: 1m, max-file: \"3\"}}}}}");
  CHECK(merged("services: {w: {logging: {driver: json-file, options: {max-size: 1m}}}}",
               "services: {w: {logging: {driver: syslog}}}") ==
        "{services: {w: {logging: {driver: syslog}}}}");
}

TEST_CASE("merge: !reset removes, !override replaces") {
  CHECK(merged("services: {w: {ports: ['80:80'], environment: {A: 1}, image: x}}",
               "services: {w: {ports: !reset [], environment: !override {B: 2}}}") ==
        "{services: {w: {environment: {B: 2}, image: x}}}");
  CHECK(merged("services: {w: {image: x}}", "services: {w: {build: !reset ~}}") == "{services: {w: {image: x}}}");
  // a !reset in the first file simply disappears
  CHECK(merged("services: {w: {image: x, user: !reset ~}}", "{}") == "{services: {w: {image: x}}}");
}

TEST_CASE("merge: a null override keeps the base value") {
  CHECK(merged("services: {w: {image: x, ports: ['1:1']}}", "services: {w: {ports: }}") ==
        "{services: {w: {image: x, ports: [\"1:1\"]}}}");
}

TEST_CASE("merge: incompatible shapes are an error at the override") {
  CHECK_THROWS_WITH(merged("services: {w: {ulimits: {nofile: 1}, volumes: [a:/a]}}", "services:\n  w:\n    volumes: {x: y}\n"),
                    "b.yaml:3:14: cannot override services.w.volumes: a mapping cannot replace a sequence");
}

TEST_CASE("merge: extends uses the service rules") {
  Node base = yaml("{image: x, command: [a], environment: [A=1]}");
  Node over = yaml("{command: [b], environment: {A: 2}}");
  CHECK(dump(merge_service(base, over)) == "{image: x, command: [b], environment: [\"A=2\"]}");
}

TEST_CASE("merge: unicity applies exactly at the rule paths and at every depth") {
  CHECK(merged("services: {w: {networks: {n: {aliases: [a, b]}}, cap_add: [X]}}",
               "services: {w: {networks: {n: {aliases: [a, c]}}, cap_add: [X, Y], command: [r, r], x-l: [a, a]}}\n"
               "networks: {n: {labels: [k=1], x-l: [a]}}\nvolumes: {v: {labels: [k=1, k=2]}}\nx-top: [a, a]") ==
        "{services: {w: {networks: {n: {aliases: [a, b, c]}}, cap_add: [X, Y], command: [r, r], x-l: [a, a]}}, "
        "networks: {n: {labels: [k=1], x-l: [a]}}, volumes: {v: {labels: [k=2]}}, x-top: [a, a]}");
}

// `up`'s warnings about keys the engine does not honour (compose/normalize/supported.cpp).
#include "../../../engine/scheduler/unsupported_keys.hpp"

#include "project_fixture.hpp"

using namespace scheduler_test;
using mycompose::scheduler::unsupported_key_warnings;

TEST_CASE("unsupported keys: one warning per service key the engine ignores, and for LSM options") {
  auto p = project(R"(services:
  web.front:
    image: x
    blkio_config: {weight: 300}
    mem_swappiness: 10
    security_opt: ["apparmor=docker-default", "no-new-privileges"]
    x-mine: 1
  db:
    image: x
    volumes_from: [web.front]
)");
  CHECK(unsupported_key_warnings(p.model) ==
        std::vector<std::string>{"service \"web.front\": blkio_config is not supported yet and is ignored",
                                 "service \"web.front\": mem_swappiness is not supported yet and is ignored",
                                 "service \"web.front\": security_opt \"apparmor=docker-default\" is ignored: this engine has no AppArmor support"});
  CHECK(unsupported_key_warnings(project("services:\n  web:\n    image: x\n    sysctls: {net.ipv4.ip_forward: 1}\n").model).empty());
}

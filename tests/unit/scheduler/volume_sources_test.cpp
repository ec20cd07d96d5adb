// The image's VOLUMEs become anonymous volumes of a service unless a mount covers them.
#include "../../../engine/scheduler/volume_sources.hpp"

#include "project_fixture.hpp"

using namespace scheduler_test;
using mycompose::scheduler::add_image_volumes;

TEST_CASE("volume sources: image VOLUMEs not covered by the service become anonymous volumes") {
  auto service = project(R"(services:
  db:
    image: x
    volumes: ["data:/var/lib/db/"]
    tmpfs: ["/tmp:size=1m"]
volumes: {data: {}}
)").model["services"]["db"];
  const nlohmann::json image = {{"config", {{"Volumes", {{"/var/lib/db", nlohmann::json::object()},
                                                         {"/tmp", nlohmann::json::object()},
                                                         {"/logs", nlohmann::json::object()}}}}}};
  add_image_volumes(service, image);
  REQUIRE(service["volumes"].size() == 2);
  CHECK(service["volumes"][1] == nlohmann::ordered_json{{"type", "volume"}, {"target", "/logs"}});
  // An image without VOLUMEs (or without a config) changes nothing.
  auto before = service;
  add_image_volumes(service, {{"config", nullptr}});
  add_image_volumes(service, nlohmann::json::object());
  CHECK(service == before);
}

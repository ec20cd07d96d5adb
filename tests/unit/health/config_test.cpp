// Healthcheck config: Docker's defaults, the image/service merge, CMD / CMD-SHELL / NONE.
#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/yaml.hpp"
#include "mycompose/health/config.hpp"

using namespace mycompose::health;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The service as `config --format json` gives it: through our own loader.
json service(const std::string& yaml) {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "shop";
  ctx.working_dir = "/srv/shop";
  ctx.resolve_env_files = false;
  auto model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  return json::parse(model["services"]["web"].dump());
}

const json kImage = json::parse(R"({"architecture":"amd64","config":{
  "Cmd":["httpd"],
  "Healthcheck":{"Test":["CMD","wget","-q","localhost"],"Interval":10000000000,"Retries":7,"StartPeriod":60000000000}}})");

}  // namespace

TEST_CASE("a check with nothing set runs with Docker's defaults") {
  HealthConfig c;
  c.test = {"CMD", "true"};
  Timings t = c.timings();
  CHECK(t.interval == 30s);
  CHECK(t.timeout == 30s);
  CHECK(t.start_period == 0s);
  CHECK(t.start_interval == 5s);
  CHECK(t.retries == 3);
}

TEST_CASE("the image's HEALTHCHECK is used when the service has none") {
  HealthConfig c = resolve_health_config(kImage, service("services: {web: {image: x}}"));
  CHECK(c.enabled());
  CHECK(c.test == std::vector<std::string>{"CMD", "wget", "-q", "localhost"});
  CHECK(c.probe_command() == std::vector<std::string>{"wget", "-q", "localhost"});
  CHECK(c.timings().interval == 10s);
  CHECK(c.timings().retries == 7);
  CHECK(c.timings().start_period == 60s);
  CHECK(c.timings().timeout == 30s);  // unset in the image too: Docker's default
}

TEST_CASE("the service's healthcheck overrides the image field by field") {
  // No test in the service: the image's test with the service's timings.
  HealthConfig c = resolve_health_config(kImage, service("services: {web: {image: x, healthcheck: {interval: 1m30s, timeout: 250ms}}}"));
  CHECK(c.test == std::vector<std::string>{"CMD", "wget", "-q", "localhost"});
  CHECK(c.timings().interval == 90s);
  CHECK(c.timings().timeout == 250ms);
  CHECK(c.timings().retries == 7);
  CHECK(c.timings().start_period == 60s);

  // A string test is a shell command.
  c = resolve_health_config(kImage, service("services: {web: {image: x, healthcheck: {test: 'test -f /tmp/ok', retries: 2, start_interval: 2s}}}"));
  CHECK(c.test == std::vector<std::string>{"CMD-SHELL", "test -f /tmp/ok"});
  CHECK(c.probe_command() == std::vector<std::string>{"/bin/sh", "-c", "test -f /tmp/ok"});
  CHECK(c.timings().retries == 2);
  CHECK(c.timings().start_interval == 2s);
  CHECK(c.timings().interval == 10s);
}

TEST_CASE("disable: true and test NONE turn the image's check off") {
  HealthConfig c = resolve_health_config(kImage, service("services: {web: {image: x, healthcheck: {disable: true}}}"));
  CHECK(c.test == std::vector<std::string>{"NONE"});
  CHECK_FALSE(c.enabled());
  CHECK(c.probe_command().empty());
  c = resolve_health_config(kImage, service("services: {web: {image: x, healthcheck: {test: [NONE]}}}"));
  CHECK_FALSE(c.enabled());
  // Also when a model still carries `disable` itself.
  CHECK_FALSE(merge(from_service(json{{"disable", true}}), from_image_config(kImage)).enabled());
  // An image's HEALTHCHECK NONE, and no healthcheck anywhere.
  CHECK_FALSE(from_image_config(json{{"config", {{"Healthcheck", {{"Test", {"NONE"}}}}}}}).enabled());
  CHECK_FALSE(resolve_health_config(json::object(), service("services: {web: {image: x}}")).enabled());
}

TEST_CASE("a test type Docker does not know runs no probe") {
  HealthConfig c;
  c.test = {"CMDX", "true"};
  CHECK_FALSE(c.enabled());
}

TEST_CASE("CMD-SHELL runs in the image's SHELL when it has one") {
  json image = {{"config", {{"Shell", {"/bin/bash", "-o", "pipefail", "-c"}}}}};
  HealthConfig c = resolve_health_config(image, service("services: {web: {image: x, healthcheck: {test: 'exit 0'}}}"));
  CHECK(c.probe_command() == std::vector<std::string>{"/bin/bash", "-o", "pipefail", "-c", "exit 0"});
}

TEST_CASE("service durations as numbers of nanoseconds and bad durations") {
  HealthConfig c = from_service(json{{"test", {"CMD", "true"}}, {"interval", 1500000000}});
  CHECK(c.interval == 1500ms);
  CHECK_THROWS_WITH(from_service(json{{"test", {"CMD", "true"}}, {"timeout", "soon"}}),
                    "healthcheck.timeout: invalid duration \"soon\"");
}

TEST_CASE("Docker's inspect shape keeps what was set") {
  HealthConfig c = resolve_health_config(kImage, service("services: {web: {image: x, healthcheck: {timeout: 3s}}}"));
  CHECK(c.to_docker_json() == json::parse(R"({"Test":["CMD","wget","-q","localhost"],"Interval":10000000000,
      "Timeout":3000000000,"StartPeriod":60000000000,"Retries":7})"));
}

TEST_CASE("durations print as Go prints them") {
  CHECK(format_duration(30s) == "30s");
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(250ms) == "250ms");
}

#pragma once
// What a container's healthcheck is: the image's HEALTHCHECK overridden by the service's
// `healthcheck`, merged field by field as Docker's daemon merges a container's config with its
// image's (an unset test, duration or retries falls back to the image's value).
//
//   auto hc = health::resolve_health_config(image_config, service_definition);
//   if (hc.enabled()) monitor.watch(id, hc);
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mycompose::health {

using Duration = std::chrono::nanoseconds;

// Docker's defaults for values left at 0.
inline constexpr Duration kDefaultInterval = std::chrono::seconds(30);
inline constexpr Duration kDefaultTimeout = std::chrono::seconds(30);
inline constexpr Duration kDefaultStartPeriod = Duration::zero();
inline constexpr Duration kDefaultStartInterval = std::chrono::seconds(5);
inline constexpr int kDefaultRetries = 3;

// The values the monitor runs with: every default applied.
struct Timings {
  Duration interval = kDefaultInterval;
  Duration timeout = kDefaultTimeout;
  Duration start_period = kDefaultStartPeriod;
  Duration start_interval = kDefaultStartInterval;
  int retries = kDefaultRetries;
};

// Docker's HealthConfig: 0 means "not set" (the image's value, else Docker's default).
struct HealthConfig {
  // ["CMD", args…] | ["CMD-SHELL", command] | ["NONE"]; empty: no healthcheck at all.
  std::vector<std::string> test;
  Duration interval{0}, timeout{0}, start_period{0}, start_interval{0};
  int retries = 0;
  // The image's SHELL (Config.Shell) a CMD-SHELL test runs in; empty: /bin/sh -c.
  std::vector<std::string> shell;

  // A probe runs: the test is CMD or CMD-SHELL with a command. NONE, no test, or a type Docker
  // does not know (it logs a warning and runs nothing) all mean no probe.
  bool enabled() const;
  Timings timings() const;
  // The command the probe runs in the container: CMD's words, or the shell plus CMD-SHELL's.
  std::vector<std::string> probe_command() const;
  // Docker's inspect shape (Config.Healthcheck): {"Test","Interval","Timeout","StartPeriod",
  // "StartInterval","Retries"} with durations in nanoseconds, unset values left out.
  nlohmann::json to_docker_json() const;
};

// From an image config's Healthcheck (nanoseconds, Docker's names). Accepts the whole image
// config ({"config": {"Healthcheck": …}}), its "config" object, or the Healthcheck object.
HealthConfig from_image_config(const nlohmann::json& image_config);
// From a service's canonical `healthcheck` (as `config --format json` prints it: test as a
// list, durations as Go duration strings or nanosecond numbers, disable already turned into
// test ["NONE"] by the loader, though `disable: true` is honoured here too). Throws Error naming
// the field for a duration that does not parse.
HealthConfig from_service(const nlohmann::json& healthcheck);
// Docker's merge: the service's values win, each unset one comes from the image.
HealthConfig merge(const HealthConfig& service, const HealthConfig& image);
// The whole rule for a container: image config + service definition (its "healthcheck", if any).
HealthConfig resolve_health_config(const nlohmann::json& image_config, const nlohmann::json& service);

// Go's Duration.String ("30s", "1m30s", "250ms"), the form Docker's messages use.
std::string format_duration(Duration d);

}  // namespace mycompose::health

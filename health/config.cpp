// Healthcheck configuration: Docker's merge of container and image config, its defaults, and
// the CMD / CMD-SHELL / NONE forms (moby daemon/health.go getProbe, daemon/commit.go merge).
#include "mycompose/health/config.hpp"

#include "mycompose/common/error.hpp"
#include "mycompose/common/go_duration.hpp"

namespace mycompose::health {

using json = nlohmann::json;

namespace {

Duration or_default(Duration v, Duration def) { return v > Duration::zero() ? v : def; }

const json* image_healthcheck(const json& j) {
  if (!j.is_object()) return nullptr;
  if (j.contains("config") && j["config"].is_object()) return image_healthcheck(j["config"]);
  if (j.contains("Healthcheck")) return j["Healthcheck"].is_object() ? &j["Healthcheck"] : nullptr;
  if (j.contains("Test")) return &j;
  return nullptr;
}

std::vector<std::string> string_list(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

Duration service_duration(const json& hc, const char* key) {
  if (!hc.contains(key) || hc[key].is_null()) return Duration::zero();
  const json& v = hc[key];
  if (v.is_number_integer()) return Duration(v.get<std::int64_t>());
  if (v.is_string()) {
    if (auto ns = try_parse_go_duration(v.get<std::string>())) return Duration(*ns);
    throw Error("healthcheck." + std::string(key) + ": invalid duration \"" + v.get<std::string>() + "\"");
  }
  throw Error("healthcheck." + std::string(key) + ": a duration is expected, got " + v.dump());
}

}  // namespace

bool HealthConfig::enabled() const {
  if (test.empty()) return false;
  return (test[0] == "CMD" || test[0] == "CMD-SHELL") && test.size() > 1;
}

Timings HealthConfig::timings() const {
  Timings t;
  t.interval = or_default(interval, kDefaultInterval);
  t.timeout = or_default(timeout, kDefaultTimeout);
  t.start_period = or_default(start_period, kDefaultStartPeriod);
  t.start_interval = or_default(start_interval, kDefaultStartInterval);
  t.retries = retries > 0 ? retries : kDefaultRetries;
  return t;
}

std::vector<std::string> HealthConfig::probe_command() const {
  if (!enabled()) return {};
  std::vector<std::string> cmd;
  if (test[0] == "CMD-SHELL") cmd = shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : shell;
  cmd.insert(cmd.end(), test.begin() + 1, test.end());
  return cmd;
}

json HealthConfig::to_docker_json() const {
  json j = json::object();
  if (!test.empty()) j["Test"] = test;
  if (interval.count()) j["Interval"] = interval.count();
  if (timeout.count()) j["Timeout"] = timeout.count();
  if (start_period.count()) j["StartPeriod"] = start_period.count();
  if (start_interval.count()) j["StartInterval"] = start_interval.count();
  if (retries) j["Retries"] = retries;
  return j;
}

HealthConfig from_image_config(const json& image_config) {
  HealthConfig c;
  const json* config = image_config.is_object() && image_config.contains("config") ? &image_config["config"] : &image_config;
  if (config->is_object() && config->contains("Shell")) c.shell = string_list((*config)["Shell"]);
  const json* hc = image_healthcheck(image_config);
  if (!hc) return c;
  c.test = string_list(hc->value("Test", json::array()));
  auto ns = [&](const char* key) { return Duration(hc->contains(key) && (*hc)[key].is_number() ? (*hc)[key].get<std::int64_t>() : 0); };
  c.interval = ns("Interval");
  c.timeout = ns("Timeout");
  c.start_period = ns("StartPeriod");
  c.start_interval = ns("StartInterval");
  c.retries = hc->contains("Retries") && (*hc)["Retries"].is_number() ? (*hc)["Retries"].get<int>() : 0;
  return c;
}

HealthConfig from_service(const json& hc) {
  HealthConfig c;
  if (!hc.is_object()) return c;
  if (hc.value("disable", false)) {
    c.test = {"NONE"};
    return c;
  }
  if (hc.contains("test")) {
    // The loader turns a string into ["CMD-SHELL", …]; a hand-made model may still carry one.
    if (hc["test"].is_string()) c.test = {"CMD-SHELL", hc["test"].get<std::string>()};
    else c.test = string_list(hc["test"]);
  }
  c.interval = service_duration(hc, "interval");
  c.timeout = service_duration(hc, "timeout");
  c.start_period = service_duration(hc, "start_period");
  c.start_interval = service_duration(hc, "start_interval");
  if (hc.contains("retries") && hc["retries"].is_number()) c.retries = hc["retries"].get<int>();
  return c;
}

HealthConfig merge(const HealthConfig& service, const HealthConfig& image) {
  HealthConfig c = service;
  if (c.test.empty()) c.test = image.test;
  if (c.interval == Duration::zero()) c.interval = image.interval;
  if (c.timeout == Duration::zero()) c.timeout = image.timeout;
  if (c.start_period == Duration::zero()) c.start_period = image.start_period;
  if (c.start_interval == Duration::zero()) c.start_interval = image.start_interval;
  if (c.retries == 0) c.retries = image.retries;
  if (c.shell.empty()) c.shell = image.shell;
  return c;
}

HealthConfig resolve_health_config(const json& image_config, const json& service) {
  HealthConfig image = from_image_config(image_config);
  if (!service.is_object() || !service.contains("healthcheck") || service["healthcheck"].is_null()) return image;
  return merge(from_service(service["healthcheck"]), image);
}

std::string format_duration(Duration d) { return format_go_duration(d.count()); }

}  // namespace mycompose::health

#include <catch2/catch.hpp>

#include "mycompose/compose/profiles.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::dump;
using mycompose::compose::test::yaml;

namespace {
const char* kDoc =
    "services:\n"
    "  web: {image: a}\n"
    "  debug: {image: b, profiles: [debug]}\n"
    "  tools: {image: c, profiles: [debug, tools]}\n"
    "  admin: {image: d, profiles: [admin]}\n";

std::string services_of(const ProfilesResult& r) {
  std::string s;
  for (const auto& e : r.document.find("services")->entries) s += (s.empty() ? "" : ",") + e.key;
  return s;
}
}  // namespace

TEST_CASE("profiles: services without profiles are always enabled") {
  auto r = apply_profiles(yaml(kDoc), {}, {});
  CHECK(services_of(r) == "web");
  CHECK(r.disabled.size() == 3);
  CHECK(r.disabled.at("tools") == std::vector<std::string>{"debug", "tools"});
}

TEST_CASE("profiles: an active profile enables its services") {
  CHECK(services_of(apply_profiles(yaml(kDoc), {"debug"}, {})) == "web,debug,tools");
  CHECK(services_of(apply_profiles(yaml(kDoc), {"tools", "admin"}, {})) == "web,tools,admin");
  CHECK(services_of(apply_profiles(yaml(kDoc), {"*"}, {})) == "web,debug,tools,admin");
}

TEST_CASE("profiles: a service named on the command line enables its own profiles") {
  auto r = apply_profiles(yaml(kDoc), {}, {"tools"});
  CHECK(services_of(r) == "web,debug,tools");
  CHECK(r.active == std::vector<std::string>{"debug", "tools"});
  CHECK(r.disabled.count("admin") == 1);
}

TEST_CASE("profiles: COMPOSE_PROFILES splitting") {
  CHECK(split_profiles("a, b ,,c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_profiles("").empty());
}

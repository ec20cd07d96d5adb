#pragma once
// Shared by the per-attribute tests: YAML in → parse_yaml → normalize → canonical JSON out.
#include <catch2/catch.hpp>

#include <string>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/yaml.hpp"

namespace normalize_test {

using json = nlohmann::ordered_json;
using mycompose::compose::NormalizeContext;

inline NormalizeContext context() {
  NormalizeContext ctx;
  ctx.project_name = "proj";
  ctx.working_dir = "/srv/proj";
  ctx.environment = {{"HOME", "/home/me"}, {"FROM_SHELL", "shell value"}};
  ctx.resolve_env_files = false;  // env_file_test.cpp turns it on with real files
  return ctx;
}

inline mycompose::compose::NormalizeResult run(const std::string& yaml, const NormalizeContext& ctx = context()) {
  return mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx);
}

inline json model(const std::string& yaml, const NormalizeContext& ctx = context()) { return run(yaml, ctx).model; }

// The normalized service `web` of a document.
inline json web(const std::string& yaml, const NormalizeContext& ctx = context()) {
  return model(yaml, ctx)["services"]["web"];
}

// The message of the ComposeError normalizing `yaml` throws; "" when it succeeds.
inline std::string error_of(const std::string& yaml, const NormalizeContext& ctx = context()) {
  try {
    run(yaml, ctx);
  } catch (const mycompose::compose::ComposeError& e) {
    return e.what();
  }
  return "";
}

}  // namespace normalize_test

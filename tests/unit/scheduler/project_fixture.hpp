#pragma once
// A Project from YAML text, through the real normalizer (as `config --format json` makes it).
#include <catch2/catch.hpp>

#include <string>

#include "mycompose/common/error.hpp"
#include "mycompose/compose/loader.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/yaml.hpp"

namespace scheduler_test {

inline mycompose::compose::Project project(const std::string& yaml) {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "shop";
  ctx.working_dir = "/srv/shop";
  ctx.resolve_env_files = false;
  mycompose::compose::Project p;
  p.name = "shop";
  p.working_dir = "/srv/shop";
  p.config_files = {"/srv/shop/compose.yaml"};
  p.model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  return p;
}

// The message of the mycompose::Error `f` throws; "" when it does not throw.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const mycompose::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace scheduler_test

#pragma once
// Where the static probe programs of tests/security/probes are built (build/tests/probes),
// found beside the mycompose binary the tests run.
#include <filesystem>
#include <string>

#include "support/run.hpp"

namespace security_test {

inline std::filesystem::path probe(const std::string& name) {
  return std::filesystem::path(mycompose::test::mycompose_bin()).parent_path() / "tests" / "probes" / name;
}

}  // namespace security_test

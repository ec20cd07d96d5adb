// Commands docker compose has and mycompose does not exit 1 and say so, and why (never an
// internal issue name). When you implement one of the verbs below, delete its row.
#include <catch2/catch.hpp>

#include "support/run.hpp"

using mycompose::test::run_mycompose;

namespace {

struct Pending {
  std::vector<std::string> args;  // a valid command line for the verb
  std::string path;               // as the message names it
  std::string why;
};

const std::string kAlpha = "docker compose's experimental (alpha) commands are not part of mycompose";
const Pending kPending[] = {
    {{"alpha", "viz"}, "alpha viz", kAlpha},
};

}  // namespace

TEST_CASE("a command mycompose does not have exits 1 saying it is not supported") {
  for (const auto& p : kPending) {
    auto r = run_mycompose(p.args);
    INFO("mycompose " << p.path << "\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err == "error: mycompose " + p.path + " is not supported: " + p.why + "\n");
  }
}

TEST_CASE("global flags before or after an unsupported command do not change the message") {
  auto before = run_mycompose({"-p", "demo", "--ansi", "never", "alpha", "viz"});
  auto after = run_mycompose({"alpha", "viz", "-p", "demo"});
  CHECK(before.exit_code == 1);
  CHECK(after.exit_code == 1);
  CHECK(before.err == "error: mycompose alpha viz is not supported: " + kAlpha + "\n");
  CHECK(after.err == before.err);
}

// Commands whose issue has not landed exit 1 and name the issue that brings them.
//
// Only the rows of issues [E] and [F] are pinned here: the [B] and [C] verbs (runtime, image,
// pull, push, images, login, logout) are being implemented right now, and their owners' own
// tests take over when they land. When you implement one of the verbs below, delete its row.
#include <catch2/catch.hpp>

#include "support/run.hpp"

using mycompose::test::run_mycompose;

namespace {

struct Pending {
  std::vector<std::string> args;  // a valid command line for the verb
  std::string path;               // as the message names it
  std::string issue;
};

const Pending kPending[] = {
    {{"alpha", "viz"}, "alpha viz", "[E]"},
};

}  // namespace

TEST_CASE("a command whose issue has not landed exits 1 naming the issue") {
  for (const auto& p : kPending) {
    auto r = run_mycompose(p.args);
    INFO("mycompose " << p.path << "\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err == "error: mycompose " + p.path + ": not implemented yet (arrives with issue " + p.issue + ")\n");
  }
}

TEST_CASE("global flags before or after a not-yet command do not change the message") {
  auto before = run_mycompose({"-p", "demo", "--ansi", "never", "alpha", "viz"});
  auto after = run_mycompose({"alpha", "viz", "-p", "demo"});
  CHECK(before.exit_code == 1);
  CHECK(after.exit_code == 1);
  CHECK(before.err == "error: mycompose alpha viz: not implemented yet (arrives with issue [E])\n");
  CHECK(after.err == before.err);
}

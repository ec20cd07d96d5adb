// Bad command lines: CLI11's error on stderr naming the culprit, and a non-zero exit.
#include <catch2/catch.hpp>

#include "support/run.hpp"

using mycompose::test::run_mycompose;

namespace {

struct BadCase {
  std::vector<std::string> args;
  std::vector<std::string> named;  // what the error must mention
};

const BadCase kBad[] = {
    {{"up", "--bogus"}, {"--bogus"}},
    {{"exec", "--frobnicate", "web", "sh"}, {"--frobnicate"}},
    {{"volume", "ls", "--bogus"}, {"--bogus"}},
    {{"frobnicate"}, {"subcommand"}},
    {{}, {"subcommand"}},
    {{"volume"}, {"subcommand"}},
    {{"down", "--rmi", "some"}, {"--rmi", "some"}},
    {{"up", "--pull", "sometimes"}, {"--pull", "sometimes"}},
    {{"create", "--pull", "sometimes"}, {"--pull"}},
    {{"up", "--scale", "web"}, {"--scale", "SERVICE=NUM"}},
    {{"up", "--scale", "web=many"}, {"--scale"}},
    {{"scale", "web"}, {"SERVICE=REPLICAS"}},
    {{"up", "-t", "soon"}, {"--timeout", "soon"}},
    {{"stop", "--timeout", "1.5x"}, {"--timeout"}},
    {{"logs", "--tail", "last"}, {"--tail", "last"}},
    {{"port", "--protocol", "sctp", "web", "80"}, {"--protocol", "sctp"}},
    {{"port", "web", "http"}, {"PRIVATE_PORT"}},
    {{"ps", "--status", "sleeping"}, {"--status", "sleeping"}},
    {{"images", "--format", "yaml"}, {"--format", "yaml"}},
    {{"build", "-m", "lots"}, {"--memory", "lots"}},
    {{"pull", "--policy", "never"}, {"--policy", "never"}},
    {{"--ansi", "sometimes", "ps"}, {"--ansi", "sometimes"}},
    {{"exec", "web"}, {"COMMAND"}},
    {{"run"}, {"SERVICE"}},
    {{"wait"}, {"SERVICE"}},
    {{"volume", "rm"}, {"VOLUME"}},
    {{"version", "extra"}, {"extra"}},
};

}  // namespace

TEST_CASE("a bad flag, value or argument exits non-zero naming it") {
  for (const auto& b : kBad) {
    auto r = run_mycompose(b.args);
    std::string line;
    for (const auto& a : b.args) line += " " + a;
    INFO("mycompose" << line << "\n" << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.out.empty());
    for (const auto& word : b.named) CHECK_THAT(r.err, Catch::Contains(word));
  }
}

TEST_CASE("a parse error points to --help rather than running anything") {
  auto r = run_mycompose({"up", "--bogus"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("--help") && !Catch::Contains("not implemented"));
}

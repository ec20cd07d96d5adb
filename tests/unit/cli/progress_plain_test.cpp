// The plain, json and quiet renderers on one scripted engine stream: what a log file or a
// program reading our stderr gets.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <sstream>

#include "progress/renderers.hpp"

using namespace mycompose::cli::progress;

namespace {

// What the engine streams for `up` of db + web, with a warning and web failing to start.
const char* const kStream[] = {
    R"({"id":"Network shop_default","status":"Creating","state":"working"})",
    R"({"id":"Network shop_default","status":"Created","state":"done"})",
    R"({"id":"","status":"","state":"warning","text":"service \"web\": healthcheck is not supported yet"})",
    R"({"id":"Container shop-db-1","status":"Creating","state":"working"})",
    R"({"id":"Container shop-db-1","status":"Created","state":"done"})",
    R"({"id":"Container shop-db-1","status":"Started","state":"done"})",
    R"({"id":"Container shop-db-1","status":"Started","state":"done"})",
    R"({"id":"Container shop-web-1","status":"Starting","state":"working"})",
    R"({"id":"Container shop-web-1","status":"Error","state":"error","text":"exec: \"nope\": not found"})",
};

void play(Renderer& r) {
  for (const char* line : kStream) r.event(Event::from_json(nlohmann::json::parse(line)));
  r.finish();
}

}  // namespace

TEST_CASE("progress plain: each finished line once, warnings as docker compose's log line, the failing resource named") {
  std::ostringstream out;
  PlainRenderer r(out);
  play(r);
  CHECK(out.str() ==
        " \u2714 Network shop_default  Created\n"
        "WARN[0000] service \"web\": healthcheck is not supported yet\n"
        " \u2714 Container shop-db-1  Created\n"
        " \u2714 Container shop-db-1  Started\n"
        " \u2718 Container shop-web-1  Error: exec: \"nope\": not found\n");
}

TEST_CASE("progress json: one object per event with docker compose's fields") {
  std::ostringstream out;
  JsonRenderer r(out);
  play(r);
  CHECK(out.str() ==
        R"({"id":"Network shop_default","status":"Creating"}
{"id":"Network shop_default","status":"Created"}
{"text":"service \"web\": healthcheck is not supported yet","status":"Warning"}
{"id":"Container shop-db-1","status":"Creating"}
{"id":"Container shop-db-1","status":"Created"}
{"id":"Container shop-db-1","status":"Started"}
{"id":"Container shop-db-1","status":"Started"}
{"id":"Container shop-web-1","status":"Starting"}
{"id":"Container shop-web-1","text":"exec: \"nope\": not found","status":"Error"}
)");
  // Each line stands alone as JSON.
  std::istringstream lines(out.str());
  for (std::string l; std::getline(lines, l);) CHECK_NOTHROW(nlohmann::json::parse(l));
}

TEST_CASE("progress quiet: --progress quiet gives a renderer that prints nothing") {
  Settings saved = settings();
  settings().progress = "quiet";
  auto r = make_renderer("Running");
  settings() = saved;
  CHECK(dynamic_cast<QuietRenderer*>(r.get()) != nullptr);
}

TEST_CASE("progress mode: --progress wins, --ansi decides auto, a terminal gets tty") {
  ::setenv("TERM", "xterm", 1);
  ::unsetenv("NO_COLOR");
  Settings s;
  CHECK(resolve_mode(s, true) == Mode::Tty);
  CHECK(resolve_mode(s, false) == Mode::Plain);
  CHECK(use_colours(s, true));
  CHECK_FALSE(use_colours(s, false));
  ::setenv("TERM", "dumb", 1);
  CHECK(resolve_mode(s, true) == Mode::Plain);
  ::setenv("TERM", "xterm", 1);
  s.ansi = "never";
  CHECK(resolve_mode(s, true) == Mode::Plain);
  CHECK_FALSE(use_colours(s, true));
  s.ansi = "always";
  CHECK(resolve_mode(s, false) == Mode::Tty);
  CHECK(use_colours(s, false));
  s.progress = "json";
  CHECK(resolve_mode(s, true) == Mode::Json);
  s.progress = "quiet";
  CHECK(resolve_mode(s, true) == Mode::Quiet);
  s.progress = "plain";
  CHECK(resolve_mode(s, true) == Mode::Plain);
  s = Settings{};
  s.progress = "tty";
  CHECK(resolve_mode(s, false) == Mode::Tty);
}

TEST_CASE("progress titles: the header's word per command") {
  CHECK(title_for("up") == "Running");
  CHECK(title_for("down") == "Running");
  CHECK(title_for("stop") == "Stopping");
  CHECK(title_for("rm") == "Removing");
  CHECK(title_for("create") == "Creating");
}

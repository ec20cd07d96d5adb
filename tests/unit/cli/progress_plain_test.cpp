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

// docker compose's plain writer: Println("", id, text, status) for every event.
TEST_CASE("progress plain: every event as docker compose's plain line, no symbols, a repeat once, the error's message as its status") {
  std::ostringstream out;
  PlainRenderer r(out, [](std::string_view m) { return "WARN[0000] " + std::string(m) + "\n"; });  // common/warning.hpp's form
  play(r);
  CHECK(out.str() ==
        " Network shop_default  Creating\n"
        " Network shop_default  Created\n"
        "WARN[0000] service \"web\": healthcheck is not supported yet\n"
        " Container shop-db-1  Creating\n"
        " Container shop-db-1  Created\n"
        " Container shop-db-1  Started\n"
        " Container shop-web-1  Starting\n"
        " Container shop-web-1  exec: \"nope\": not found\n");
  CHECK(out.str().find("\u2714") == std::string::npos);
  CHECK(out.str().find('\033') == std::string::npos);
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

TEST_CASE("progress mode: --progress wins, --ansi never makes auto plain, a terminal gets tty") {
  ::unsetenv("NO_COLOR");
  ::unsetenv("COMPOSE_PROGRESS");
  ::unsetenv("COMPOSE_ANSI");
  Settings s;
  CHECK(resolve_mode(s, true) == Mode::Tty);
  CHECK(resolve_mode(s, false) == Mode::Plain);
  CHECK(use_colours(s, true));
  CHECK_FALSE(use_colours(s, false));
  s.ansi = "never";
  CHECK(resolve_mode(s, true) == Mode::Plain);
  CHECK_FALSE(use_colours(s, true));
  // docker compose: --ansi always colours, but does not turn auto into tty off a terminal.
  s.ansi = "always";
  CHECK(resolve_mode(s, false) == Mode::Plain);
  CHECK(use_colours(s, false));
  s.progress = "json";
  CHECK(resolve_mode(s, true) == Mode::Json);
  s.progress = "quiet";
  CHECK(resolve_mode(s, true) == Mode::Quiet);
  s.ansi = "auto";
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

TEST_CASE("progress mode: COMPOSE_PROGRESS and COMPOSE_ANSI stand in for the flags, which win") {
  ::setenv("COMPOSE_PROGRESS", "quiet", 1);
  ::unsetenv("COMPOSE_ANSI");
  Settings s;
  CHECK(resolve_mode(s, true) == Mode::Quiet);
  s.progress = "json";
  CHECK(resolve_mode(s, true) == Mode::Json);
  ::unsetenv("COMPOSE_PROGRESS");
  ::setenv("COMPOSE_ANSI", "never", 1);
  s = Settings{};
  CHECK(resolve_mode(s, true) == Mode::Plain);
  s.ansi = "auto";
  CHECK(resolve_mode(s, true) == Mode::Tty);
  ::unsetenv("COMPOSE_ANSI");
  s = Settings{};
  s.progress = "none";  // docker compose's other name for quiet
  CHECK(resolve_mode(s, true) == Mode::Quiet);
}

TEST_CASE("progress mode: the pairs docker compose refuses, in its words") {
  ::unsetenv("COMPOSE_PROGRESS");
  ::unsetenv("COMPOSE_ANSI");
  Settings s;
  s.progress = "tty";
  s.ansi = "never";
  CHECK_THROWS_WITH(resolve_mode(s, true), "can't use --progress tty while ANSI support is disabled");
  s.progress = "plain";
  s.ansi = "always";
  CHECK_THROWS_WITH(resolve_mode(s, true), "can't use --progress plain while ANSI support is forced");
  s = Settings{};
  s.progress = "fancy";
  CHECK_THROWS_WITH(resolve_mode(s, true), "unsupported --progress value \"fancy\"");
}

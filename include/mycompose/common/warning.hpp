#pragma once
// Warnings to the user as docker compose prints them: its warnings are logrus entries on
// stderr, so their form depends on whether stderr is a terminal. On one:
//   WARN[0000] message                                     (WARN in yellow, the message
//   padded to 44 columns and one space, [seconds since the command started])
// and otherwise logrus' text form:
//   time="2026-12-07T13:02:32Z" level=warning msg="message"
// Every warning of the CLI and of the compose loader goes through print_warning.
#include <ctime>
#include <string>
#include <string_view>

namespace mycompose {

// One warning line, with its '\n'. now: wall clock (local time, as logrus prints it);
// seconds: since the command started.
// colours: the terminal form's yellow WARN (off with --ansi never).
std::string warning_line(std::string_view message, bool terminal, std::time_t now, long seconds, bool colours = true);
// warning_line for stderr now: its kind, the wall clock, the seconds since the start.
std::string stderr_warning_line(std::string_view message, bool colours = true);
// To stderr, in the form its kind (terminal or not) calls for.
void print_warning(std::string_view message);
// Go's %q of a string, as logrus quotes a value that needs it.
std::string go_quote(std::string_view s);

}  // namespace mycompose

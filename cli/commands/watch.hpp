#pragma once
// `up --watch`: the watch that runs beside a foreground up (cli/commands/watch.cpp).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "log_printer.hpp"
#include "mycompose/compose/loader.hpp"
#include "watch/session.hpp"

namespace mycompose::cli {

// Checked before up starts anything: docker compose's NewWatcher refuses a project where no
// selected service has develop.watch.
std::unique_ptr<watch::Session> up_watcher(const compose::Project& project, const std::vector<std::string>& services);

// Runs the watch on its own thread, its lines through `printer`, while `attached` (the
// foreground up) runs; stops it when `attached` returns, and returns what it returned. When
// the attached containers all stopped because the watch rebuilt or restarted them, it calls
// `attached(true)` again (docker compose stays attached to recreated containers).
int run_watching(watch::Session& session, LogPrinter& printer, const std::function<int(bool again)>& attached);

}  // namespace mycompose::cli

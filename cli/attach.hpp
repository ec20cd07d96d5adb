#pragma once
// Reading a project's output from the engine (POST /projects/<name>/logs): `logs` prints it,
// a foreground `up` prints it while it waits for the attached containers to exit, stops the
// project on Ctrl-C or --abort-on-container-exit, and returns compose's exit status.
#include <signal.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "log_printer.hpp"
#include "project_request.hpp"
#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

// `logs`: options {"services","index","follow","tail","since","until"}. Without follow it
// returns at the end of the logs; with follow once every container it follows has stopped.
void print_logs(const compose::Project& project, const nlohmann::json& options, LogPrinter& printer);

struct AttachOptions {
  std::vector<std::string> services;  // the attached services: their output is printed
  // The services whose containers' exits are followed (reported, cascaded, awaited): as docker
  // compose's monitor, those named on the command line, else the attached ones.
  std::vector<std::string> watch;
  // What Ctrl-C and an abort stop: the services named on the command line (empty: all), never
  // the dependencies a named service pulled in.
  std::vector<std::string> stop;
  std::string since;                  // output from this time on ("<unix seconds>.<ns>")
  bool abort_on_exit = false;         // --abort-on-container-exit (and --exit-code-from)
  bool abort_on_failure = false;      // --abort-on-container-failure: only a non-zero exit aborts
  std::string exit_code_from;
  std::optional<int> timeout;         // -t: stop timeout
};

// Foreground `up` after the project converged: "Attaching to web-1, db-1", the attached
// containers' output, "web-1 exited with code N"; returns when they have all exited.
// Ctrl-C: "Gracefully stopping..." and the `stop` services' containers stop (again: return
// at once, 130). With abort_on_exit the first exit (abort_on_failure: the first non-zero one)
// stops them and its code is the result, unless exit_code_from's container exits later.
int attach_project(const compose::Project& project, const AttachOptions& options, LogPrinter& printer);

// Prints the lines lifecycle hooks print as docker compose does in the foreground:
// "web-1 ->  | line" (for run_project_verb).
HookOutput hook_printer(const compose::Project& project, LogPrinter& printer);

// Unblocks the signals a follower waited on with sigwait, first taking any SIGUSR1 wake-up
// still pending (its default action would end the process).
void unblock_after_wakeups(const sigset_t& blocked);

// The current time as `since` takes it.
std::string since_now();

}  // namespace mycompose::cli

#pragma once
// Building blocks shared by the per-verb flag headers in this folder.
//
// Each verb has one header `flags/<verb>.hpp` with an options struct and
// `CLI::App* add_<verb>(CLI::App& parent, <Verb>Options& o)`, which declares the subcommand
// with docker compose's flags (names, short forms, help, defaults, value checks) bound to
// the struct. The verb's real implementation (`cli/commands/<verb>.cpp`) calls it and sets
// the callback; until then cli/commands/not_yet.cpp does.
#include <CLI/CLI.hpp>

#include <cctype>
#include <string>
#include <vector>

namespace mycompose::cli::flags {

// SERVICE... (optional, any number): most verbs act on all services when none is named.
inline CLI::Option* add_services(CLI::App* cmd, std::vector<std::string>& services) {
  return cmd->add_option("SERVICE", services, "Services to act on (default: all services)");
}

// --index: which replica of a scaled service (docker counts from 1; 0 means "the first").
inline CLI::Option* add_index(CLI::App* cmd, int& index, const std::string& help =
                                  "Index of the container if service has multiple replicas") {
  return cmd->add_option("--index", index, help)->check(CLI::NonNegativeNumber)->capture_default_str();
}

// --pull policy as `up`, `create` and `run` take it.
inline const CLI::IsMember kPullPolicy{std::vector<std::string>{"always", "missing", "never", "build", "policy"}};

// --format for listings that print a table or JSON.
inline const CLI::IsMember kTableOrJson{std::vector<std::string>{"table", "json"}};

// SERVICE=NUM, as `--scale` and `scale` take it.
inline const CLI::Validator kServiceEqualsNum(
    [](std::string& value) -> std::string {
      auto eq = value.find('=');
      bool ok = eq != std::string::npos && eq > 0 && eq + 1 < value.size();
      for (std::size_t i = eq + 1; ok && i < value.size(); ++i)
        ok = std::isdigit(static_cast<unsigned char>(value[i])) != 0;
      return ok ? std::string{} : "invalid value '" + value + "', should be SERVICE=NUM";
    },
    "SERVICE=NUM");

// `all` or a line count, as `logs --tail` takes it.
inline const CLI::Validator kTailLines(
    [](std::string& value) -> std::string {
      if (value == "all" || (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos))
        return {};
      return "invalid value '" + value + "', should be a number of lines or \"all\"";
    },
    "all|NUM");

// A byte size in docker's notation: 512, 100k, 64m, 1.5g (suffix b/k/m/g, optional trailing b).
inline const CLI::Validator kByteSize(
    [](std::string& value) -> std::string {
      std::size_t i = 0, digits = 0;
      while (i < value.size() && (std::isdigit(static_cast<unsigned char>(value[i])) || value[i] == '.')) {
        digits += value[i] != '.';
        ++i;
      }
      std::string unit = value.substr(i);
      for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      static const char* const kUnits[] = {"", "b", "k", "kb", "m", "mb", "g", "gb"};
      bool unit_ok = false;
      for (const char* u : kUnits) unit_ok = unit_ok || unit == u;
      return digits > 0 && unit_ok ? std::string{} : "invalid size '" + value + "', e.g. 512m or 2g";
    },
    "BYTES");

}  // namespace mycompose::cli::flags

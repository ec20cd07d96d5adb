#pragma once
// OCI hooks (config.md "POSIX-platform Hooks"): each one a program run with the container's
// state on its stdin, in the namespaces of whoever calls run_hooks, bounded by its timeout.
#include <nlohmann/json.hpp>
#include <string>

namespace mycompose::runtime {

// The hook kinds, in lifecycle order (runtime.md "Lifecycle").
inline constexpr const char* kHookKinds[] = {"prestart",       "createRuntime", "createContainer",
                                             "startContainer", "poststart",     "poststop"};

// Validates config.json's "hooks" (absolute paths, string arrays, positive timeouts); throws
// Error naming the field at fault.
void check_hooks(const nlohmann::json& hooks);

// True when the document has at least one hook of that kind.
bool has_hooks(const nlohmann::json& spec, const char* kind);

// Runs spec.hooks[kind] one after the other, each with `state` on its stdin; throws Error
// ("hooks.<kind>[i] <path>: ...", with the end of its output) on the first that cannot start,
// exits non-zero, is killed or outlives its timeout (then it and its process group are killed).
void run_hooks(const nlohmann::json& spec, const char* kind, const nlohmann::json& state);

// run_hooks for the kinds whose failure is only a warning (poststart, poststop): each error
// goes to stderr as "warning: ..." and the next hook still runs.
void run_hooks_warn(const nlohmann::json& spec, const char* kind, const nlohmann::json& state);

}  // namespace mycompose::runtime

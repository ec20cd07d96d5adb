#pragma once
// Internal helpers shared by the v1 and v2 cgroup writers.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/runtime/cgroup.hpp"

namespace mycompose::runtime::cgroupfs {

// Writes value to an existing interface file (never creates it, as cgroupfs does not);
// throws SystemError "write <value> to <file>".
void write(const std::string& file, const std::string& value);
// Contents of an interface file without the trailing newline; throws SystemError naming it.
std::string read(const std::string& file);
std::optional<std::string> read_if_exists(const std::string& file);
bool exists(const std::string& file);
// Every pid listed in a cgroup.procs file.
std::vector<pid_t> read_pids(const std::string& procs_file);
// "key value" lines (memory.stat, cpu.stat) → value of key, if present.
std::optional<std::uint64_t> stat_value(const std::string& contents, const std::string& key);

// cgroups_path with a leading "/" removed; refuses empty paths and ".." components.
std::string normalize(const std::string& cgroups_path);
// mkdir of every missing level below base; returns the levels it created (outermost first).
std::vector<std::string> make_levels(const std::string& base, const std::string& relative);
// rmdir of leaf, retrying while the kernel still reports it busy (tasks leaving), then of
// every now-empty parent up to (not including) base. Throws SystemError naming the folder.
void remove_levels(const std::string& base, const std::string& relative);

// Optional numeric member of a JSON object (null/absent → nullopt).
std::optional<std::int64_t> number(const nlohmann::json& obj, const char* key);
std::optional<std::string> string(const nlohmann::json& obj, const char* key);

// v2 device rules: a BPF_CGROUP_DEVICE program built from the OCI rules, attached to the folder.
void attach_device_rules(const std::string& cgroup_dir, const nlohmann::json& rules);

// Writer factories for each mode.
std::unique_ptr<Cgroup> make_v1(const std::string& root, const std::string& relative, bool create);
std::unique_ptr<Cgroup> make_v2(const std::string& root, const std::string& relative, bool create);

}  // namespace mycompose::runtime::cgroupfs

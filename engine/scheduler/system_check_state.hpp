#pragma once
// `system check`'s part for the state files and for containers the state no longer holds
// whole (system_check.hpp lists the kinds):
//
//   corrupt   a record that does not parse, or a copy a reader moved aside (<file>.corrupt-<time>)
//   temp      a temp file whose writer was killed (fs::temp_file_abandoned)
//   record    a container whose application runs without container.json (ps rebuilds it), or a
//             supervisor record of a container that is gone
//   runtime   runtime/<id> without a state (a create or delete killed half-way), whose container
//             folder is gone, or a removal that was killed (.removing~<id>)
//   folder    containers/<id> of a create that was killed (no record, none to rebuild), or a
//             removal that was killed
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/scheduler/system_check.hpp"

namespace mycompose::scheduler::state_check {

struct Containers {
  // containers/<id> the engine lists: a readable record, or one the bundle rebuilds.
  std::set<std::string> known;
  // runtime/<id> with a state: the parsed state.json, or {} for a torn one (the next read
  // rebuilds it from the host).
  std::map<std::string, nlohmann::json> runtime;
};

Containers read_containers(const std::filesystem::path& root);
void find_state_file_leaks(const std::filesystem::path& root, std::vector<Leak>& out);
void find_container_leaks(const std::filesystem::path& root, const Containers& c, std::vector<Leak>& out);
// Removes (or repairs) a leak of the kinds above; false for any other kind.
bool fix(const std::filesystem::path& root, const Leak& leak);

}  // namespace mycompose::scheduler::state_check

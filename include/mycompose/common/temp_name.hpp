#pragma once
// Names of our temporary files and folders under a state root carry the pid of the process
// that made them: "<prefix><pid>-<random>". A process killed mid-way (kill -9, a crash) leaves
// them behind; `system check` tells those from the temporaries of a process still at work by
// that pid, and reports (and with --fix removes) the ones whose owner is gone.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace mycompose::fs {

// "<prefix><our pid>-<12 random hex digits>"
std::string owned_temp_name(std::string_view prefix);

// The owner pid of a name made by owned_temp_name(prefix); nullopt if the name has the prefix
// but no owner in it (made by an older version), or lacks the prefix.
std::optional<pid_t> temp_name_owner(std::string_view name, std::string_view prefix);

// Whether a temporary with this name is still being used: its owner runs. A name without an
// owner counts as abandoned.
bool temp_owner_alive(std::string_view name, std::string_view prefix);

}  // namespace mycompose::fs

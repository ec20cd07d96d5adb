#pragma once
// `system check`'s look at our temporaries under a root (temp_name.hpp): what a load, a pull
// or a build killed mid-way left, told from the temporaries of a process still at work by the
// owner pid in their names.
#include <filesystem>
#include <vector>

#include "mycompose/scheduler/system_check.hpp"

namespace mycompose::scheduler {

// content/tmp/load-* and blob-*, layers/.tmp-* and .del-*, build/tmp/* whose owner is gone:
// Leak{kind "temp", object the path}.
void find_temp_leaks(const std::filesystem::path& root, std::vector<Leak>& out);

}  // namespace mycompose::scheduler

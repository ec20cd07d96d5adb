#pragma once
// Stage "profiles": services whose profiles are not enabled leave the model.
#include <map>
#include <string>
#include <vector>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// COMPOSE_PROFILES: comma-separated, blanks trimmed, empty entries dropped.
std::vector<std::string> split_profiles(const std::string& value);

struct ProfilesResult {
  Node document;                                          // without the disabled services
  std::vector<std::string> active;                        // the profiles in effect
  std::map<std::string, std::vector<std::string>> disabled;  // removed service → its profiles
};

// A service without `profiles` is always enabled; one with profiles when any of them is
// active or `*` is. A service named on the command line (`services`) enables its own profiles.
ProfilesResult apply_profiles(const Node& document, const std::vector<std::string>& profiles,
                              const std::vector<std::string>& services);

}  // namespace mycompose::compose

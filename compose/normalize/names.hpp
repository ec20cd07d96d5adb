#pragma once
#include <cctype>
#include <string_view>

namespace mycompose::compose::schema {

// [a-zA-Z0-9._-]+, what the specification allows for service, network, volume… names.
// (A loop, not std::regex: it runs for every key and regex construction is costly.)
inline bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

}  // namespace mycompose::compose::schema

#include "mycompose/common/temp_name.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "mycompose/common/random.hpp"

namespace mycompose::fs {

std::string owned_temp_name(std::string_view prefix) {
  std::string out(prefix);
  out += std::to_string(::getpid());
  out += '-';
  return out + random_hex(6);
}

std::optional<pid_t> temp_name_owner(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  name.remove_prefix(prefix.size());
  auto dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + dash, pid);
  if (ec != std::errc() || end != name.data() + dash || pid <= 0) return std::nullopt;
  return pid;
}

bool temp_owner_alive(std::string_view name, std::string_view prefix) {
  auto pid = temp_name_owner(name, prefix);
  return pid && (::kill(*pid, 0) == 0 || errno != ESRCH);
}

}  // namespace mycompose::fs

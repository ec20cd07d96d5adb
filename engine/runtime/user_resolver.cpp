// Docker user strings ("name", "uid:gid", …) → ids, read from the image's /etc/passwd and
// /etc/group. The files are resolved inside the rootfs (a symlinked /etc/passwd in an image
// never reaches the host's) and must be regular files (a FIFO there would stall us).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <sstream>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/runtime/spec_generator.hpp"

namespace mycompose::runtime {
namespace {

// Contents of path inside root, or nullopt when it does not exist there. Image content: a
// FIFO or a device there is refused naming the file, never opened (untrusted_file.hpp).
std::optional<std::string> read_in_root(const std::string& root, const std::string& path) {
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw SystemError("open rootfs " + root, errno);
  return fs::read_untrusted_if_exists(dir.get(), path, path + " in the image (" + root + ")", 16u << 20);
}

std::optional<std::uint32_t> parse_id(const std::string& s) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::vector<std::string>> records(const std::optional<std::string>& text) {
  std::vector<std::vector<std::string>> out;
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::istringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ':')) fields.push_back(f);
    if (!line.empty() && line.back() == ':') fields.emplace_back();
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace

ResolvedUser resolve_image_user(const std::string& rootfs, const std::string& user, const std::vector<std::string>& group_add) {
  ResolvedUser r;
  std::string user_part = user, group_part;
  if (auto colon = user.find(':'); colon != std::string::npos) {
    user_part = user.substr(0, colon);
    group_part = user.substr(colon + 1);
  }
  std::optional<std::vector<std::vector<std::string>>> passwd, groups;
  auto load_passwd = [&]() -> const auto& {
    if (!passwd) passwd = records(read_in_root(rootfs, "/etc/passwd"));
    return *passwd;
  };
  auto load_groups = [&]() -> const auto& {
    if (!groups) groups = records(read_in_root(rootfs, "/etc/group"));
    return *groups;
  };

  std::string user_name;
  if (user_part.empty()) user_part = "0";
  auto numeric_uid = parse_id(user_part);
  bool found = false;
  for (const auto& f : load_passwd()) {
    if (f.size() < 4) continue;
    if (numeric_uid ? parse_id(f[2]) == numeric_uid : f[0] == user_part) {
      auto uid = parse_id(f[2]);
      auto gid = parse_id(f[3]);
      if (!uid || !gid) continue;
      r.uid = *uid;
      r.gid = *gid;
      user_name = f[0];
      if (f.size() > 5 && !f[5].empty()) r.home = f[5];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!numeric_uid) throw Error("unable to find user " + user_part + ": no matching entries in passwd file");
    r.uid = *numeric_uid;
    r.gid = 0;
  }

  auto group_id = [&](const std::string& g) -> std::uint32_t {
    if (auto n = parse_id(g)) return *n;
    for (const auto& f : load_groups())
      if (f.size() >= 3 && f[0] == g)
        if (auto id = parse_id(f[2])) return *id;
    throw Error("unable to find group " + g + ": no matching entries in group file");
  };

  if (!group_part.empty()) {
    r.gid = group_id(group_part);
  } else if (!user_name.empty()) {
    // Supplementary groups come from /etc/group only when no group was named (as runc).
    for (const auto& f : load_groups()) {
      if (f.size() < 4) continue;
      std::istringstream members(f[3]);
      std::string m;
      while (std::getline(members, m, ','))
        if (m == user_name)
          if (auto id = parse_id(f[2]); id && *id != r.gid) r.additional_gids.push_back(*id);
    }
  }
  for (const auto& g : group_add) {
    auto id = group_id(g);
    if (std::find(r.additional_gids.begin(), r.additional_gids.end(), id) == r.additional_gids.end())
      r.additional_gids.push_back(id);
  }
  return r;
}

}  // namespace mycompose::runtime

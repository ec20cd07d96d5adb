#include "mycompose/compose/profiles.hpp"

#include <algorithm>

namespace mycompose::compose {
namespace {

std::vector<std::string> profiles_of(const Node& service) {
  std::vector<std::string> out;
  const Node* p = service.find("profiles");
  if (!p) return out;
  if (p->is_scalar()) out.push_back(p->value);
  for (const auto& item : p->items)
    if (item.is_scalar()) out.push_back(item.value);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

std::vector<std::string> split_profiles(const std::string& value) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t comma = value.find(',', pos);
    std::string part = value.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto b = part.find_first_not_of(" \t");
    auto e = part.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

ProfilesResult apply_profiles(const Node& document, const std::vector<std::string>& profiles,
                              const std::vector<std::string>& services) {
  ProfilesResult r;
  r.document = document;
  r.active = profiles;
  Node* svcs = r.document.find("services");
  if (!svcs || !svcs->is_map()) return r;
  for (const auto& name : services)
    if (const Node* s = svcs->find(name))
      for (const auto& p : profiles_of(*s))
        if (!contains(r.active, p)) r.active.push_back(p);
  const bool all = contains(r.active, "*");
  std::vector<MapEntry> kept;
  for (auto& e : svcs->entries) {
    std::vector<std::string> own = profiles_of(e.value);
    bool enabled = own.empty() || all || std::any_of(own.begin(), own.end(), [&](const std::string& p) { return contains(r.active, p); });
    if (enabled)
      kept.push_back(std::move(e));
    else
      r.disabled[e.key] = own;
  }
  svcs->entries = std::move(kept);
  return r;
}

}  // namespace mycompose::compose

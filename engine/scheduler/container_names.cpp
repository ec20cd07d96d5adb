#include "container_names.hpp"

#include <memory>

namespace mycompose::scheduler {

ContainerNames& ContainerNames::of(const std::filesystem::path& root) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<ContainerNames>> by_root;
  std::lock_guard lock(mu);
  auto& slot = by_root[std::filesystem::absolute(root).lexically_normal().string()];
  if (!slot) slot = std::make_unique<ContainerNames>();
  return *slot;
}

std::optional<std::string> ContainerNames::reserve(const std::string& name, const std::string& id, const LoadAll& load, const Holds& holds) {
  std::unique_lock lock(mu_);
  if (!loaded_) {
    for (const auto& [n, i] : load()) names_[n] = {i, false};
    loaded_ = true;
  }
  if (auto it = names_.find(name); it != names_.end() && it->second.id != id) {
    if (it->second.pending) return it->second.id;
    // Confirmed outside the lock: a record read must not stall every other create.
    const std::string holder = it->second.id;
    lock.unlock();
    const bool held = holds(holder, name);
    lock.lock();
    it = names_.find(name);
    if (it != names_.end() && it->second.id != id && (it->second.id != holder || held)) return it->second.id;
  }
  names_[name] = {id, true};
  return std::nullopt;
}

void ContainerNames::confirm(const std::string& name, const std::string& id) {
  std::lock_guard lock(mu_);
  if (auto it = names_.find(name); it != names_.end() && it->second.id == id) it->second.pending = false;
}

void ContainerNames::release(const std::string& name, const std::string& id) {
  std::lock_guard lock(mu_);
  if (auto it = names_.find(name); it != names_.end() && it->second.id == id) names_.erase(it);
}

}  // namespace mycompose::scheduler

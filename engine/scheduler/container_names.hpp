#pragma once
// Which container holds which name, kept in memory by the process that creates containers
// (the engine: nothing else calls ContainerStore::create). create() asked every record
// before (a read and a parse per container, per create: up of N replicas was quadratic);
// now it asks this index, filled once from the records.
//
// A name is reserved for a create in progress, so two parallel creates of one name cannot
// both pass the check. A hit is confirmed against the holder's record (a container removed
// by another process, e.g. `system check --fix`, does not keep its name); a miss is trusted.
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mycompose::scheduler {

class ContainerNames {
 public:
  // One index per state root, for the life of the process.
  static ContainerNames& of(const std::filesystem::path& root);

  // Every (name, id) of the records, read once on first use.
  using LoadAll = std::function<std::map<std::string, std::string>()>;
  // Whether the container `id` still exists under `name`.
  using Holds = std::function<bool(const std::string& id, const std::string& name)>;

  // Reserves `name` for `id`; the id of the container that holds it already, if any.
  std::optional<std::string> reserve(const std::string& name, const std::string& id, const LoadAll& load, const Holds& holds);
  // The create made its record (the name is held for good) or failed (the name is free).
  void confirm(const std::string& name, const std::string& id);
  void release(const std::string& name, const std::string& id);

 private:
  struct Entry {
    std::string id;
    bool pending = false;
  };
  std::mutex mu_;
  bool loaded_ = false;
  std::map<std::string, Entry> names_;
};

// Releases a reservation unless the create got as far as its record.
class NameReservation {
 public:
  NameReservation(ContainerNames& names, std::string name, std::string id)
      : names_(names), name_(std::move(name)), id_(std::move(id)) {}
  NameReservation(const NameReservation&) = delete;
  NameReservation& operator=(const NameReservation&) = delete;
  ~NameReservation() {
    if (confirmed_) names_.confirm(name_, id_);
    else names_.release(name_, id_);
  }
  void confirm() { confirmed_ = true; }

 private:
  ContainerNames& names_;
  std::string name_, id_;
  bool confirmed_ = false;
};

}  // namespace mycompose::scheduler

// `mycompose volume ls|create|inspect|rm|prune`, as `docker volume`.
//
// Volumes are folders under the root that the engine keeps no memory of, so these commands
// work on the disk directly (no engine needed); which containers use a volume comes from
// the containers' OCI specs.

#include <iostream>
#include <set>

#include "commands.hpp"
#include "commands/flags/volume.hpp"
#include "commands/sys_output.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/random.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/volumes.hpp"

namespace mycompose::cli {

namespace {

using scheduler::VolumeInfo;
using sys_output::print_table;
using sys_output::state_root;

std::string joined_labels(const std::map<std::string, std::string>& labels) {
  std::string s;
  for (const auto& [k, v] : labels) s += (s.empty() ? "" : ",") + k + "=" + v;
  return s;
}

bool in_use(const std::map<std::string, std::vector<std::string>>& users, const std::string& name) {
  auto it = users.find(name);
  return it != users.end() && !it->second.empty();
}

bool matches(const VolumeInfo& v, const std::multimap<std::string, std::string>& filters,
             const std::map<std::string, std::vector<std::string>>& users) {
  for (const auto& [key, value] : filters) {
    if (key == "label" && !sys_output::label_matches(v.labels, value)) return false;
    if (key == "name" && v.name.find(value) == std::string::npos) return false;
    if (key == "driver" && value != "local") return false;
    if (key == "dangling") {
      if (value != "true" && value != "false" && value != "1" && value != "0")
        throw Error("invalid filter 'dangling=" + value + "'");
      if ((value == "true" || value == "1") == in_use(users, v.name)) return false;
    }
  }
  return true;
}

nlohmann::ordered_json ls_json(const VolumeInfo& v) {
  return {{"Availability", "N/A"}, {"Driver", "local"},       {"Group", "N/A"}, {"Labels", joined_labels(v.labels)},
          {"Links", "N/A"},        {"Mountpoint", v.mountpoint}, {"Name", v.name}, {"Scope", "local"},
          {"Size", "N/A"},         {"Status", "N/A"}};
}

int run_ls(const flags::VolumeOptions& o) {
  const auto root = state_root();
  const auto filters = sys_output::parse_filters(o.ls.filters, {"label", "name", "driver", "dangling"});
  const auto users = scheduler::volume_users(root);
  std::vector<VolumeInfo> shown;
  for (auto& v : scheduler::list_volumes(root))
    if (matches(v, filters, users)) shown.push_back(std::move(v));
  if (o.ls.quiet) {
    for (const auto& v : shown) std::cout << v.name << "\n";
  } else if (o.ls.format == "json") {
    for (const auto& v : shown) std::cout << ls_json(v).dump() << "\n";
  } else {
    std::vector<std::vector<std::string>> rows{{"DRIVER", "VOLUME NAME"}};
    for (const auto& v : shown) rows.push_back({"local", v.name});
    print_table(rows);
  }
  return 0;
}

int run_create(const flags::VolumeOptions& o) {
  std::map<std::string, std::string> labels;
  for (const auto& l : o.create.labels) {
    auto eq = l.find('=');
    labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  if (!o.create.opts.empty()) throw Error("volume create: driver options (-o) are not supported by the local driver here");
  // Docker names an unnamed volume with 64 random hex digits.
  const std::string name = o.create.name.empty() ? random_hex(32) : o.create.name;
  scheduler::record_volume(state_root(), name, labels);
  std::cout << name << "\n";
  return 0;
}

int run_inspect(const flags::VolumeOptions& o) {
  const auto root = state_root();
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  int rc = 0;
  for (const auto& name : o.inspect.names) {
    auto v = scheduler::find_volume(root, name);
    if (!v) {
      std::cerr << "error: get " << name << ": no such volume\n";
      rc = 1;
      continue;
    }
    if (!o.inspect.format.empty()) std::cout << sys_output::render_template(o.inspect.format, v->inspect_json()) << "\n";
    else out.push_back(v->inspect_json());
  }
  if (o.inspect.format.empty()) std::cout << out.dump(4) << "\n";
  return rc;
}

int run_rm(const flags::VolumeOptions& o) {
  const auto root = state_root();
  const auto users = scheduler::volume_users(root);
  scheduler::ContainerStore store(root);
  int rc = 0;
  for (const auto& name : o.rm.names) {
    if (!scheduler::find_volume(root, name)) {
      if (o.rm.force) continue;
      std::cerr << "error: get " << name << ": no such volume\n";
      rc = 1;
      continue;
    }
    if (in_use(users, name)) {
      std::string list;
      for (const auto& c : users.at(name)) list += (list.empty() ? "" : " ") + c;
      std::cerr << "error: remove " << name << ": volume is in use - [" << list << "]\n";
      rc = 1;
      continue;
    }
    store.remove_volume(name);
    std::cout << name << "\n";
  }
  return rc;
}

int run_prune(const flags::VolumeOptions& o) {
  const auto root = state_root();
  const auto filters = sys_output::parse_filters(o.prune.filters, {"label", "label!"});
  if (!o.prune.force &&
      !sys_output::confirm(o.prune.all ? "WARNING! This will remove all local volumes not used by at least one container."
                                       : "WARNING! This will remove anonymous local volumes not used by at least one container."))
    return 0;
  const auto users = scheduler::volume_users(root);
  scheduler::ContainerStore store(root);
  std::vector<std::string> deleted;
  std::int64_t reclaimed = 0;
  for (const auto& v : scheduler::list_volumes(root)) {
    if (in_use(users, v.name) || (!o.prune.all && !v.anonymous)) continue;
    bool keep = false;
    for (const auto& [key, value] : filters)
      keep |= (key == "label") != sys_output::label_matches(v.labels, value);
    if (keep) continue;
    const std::int64_t size = scheduler::disk_usage(v.mountpoint);
    store.remove_volume(v.name);
    reclaimed += size;
    deleted.push_back(v.name);
  }
  if (!deleted.empty()) {
    std::cout << "Deleted Volumes:\n";
    for (const auto& d : deleted) std::cout << d << "\n";
    std::cout << "\n";
  }
  std::cout << "Total reclaimed space: " << sys_output::human_size(static_cast<double>(reclaimed)) << "\n";
  return 0;
}

}  // namespace

void register_volume(CLI::App& app, Context& ctx) {
  static flags::VolumeOptions o;
  auto* cmd = flags::add_volume(app, o);
  cmd->get_subcommand("ls")->callback([&ctx] { ctx.exit_code = run_ls(o); });
  cmd->get_subcommand("create")->callback([&ctx] { ctx.exit_code = run_create(o); });
  cmd->get_subcommand("inspect")->callback([&ctx] { ctx.exit_code = run_inspect(o); });
  cmd->get_subcommand("rm")->callback([&ctx] { ctx.exit_code = run_rm(o); });
  cmd->get_subcommand("prune")->callback([&ctx] { ctx.exit_code = run_prune(o); });
}

}  // namespace mycompose::cli

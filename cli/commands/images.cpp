// `mycompose images [SERVICE…]` (docker compose images): a row per container of the project
// (stopped ones and one-offs too), with the image it was made from. As docker compose, the
// project is only a name and the containers are found by label, so it works without a
// compose file; a container whose image is gone from the store is still listed.
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "commands.hpp"
#include "commands/flags/images.hpp"
#include "container_table.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/human_size.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/image/reference.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::cli {
namespace {

struct Row {
  std::string repository, tag, id, platform = "unknown";
  std::int64_t size = 0;
  std::optional<std::int64_t> created;  // ns since the epoch
};

// containerd's platforms.Format: os/architecture[/variant], "unknown" without an os.
std::string platform_of(const nlohmann::json& config) {
  auto text = [&](const char* key) { return config.contains(key) && config[key].is_string() ? config[key].get<std::string>() : ""; };
  if (text("os").empty()) return "unknown";
  std::string p = text("os") + "/" + text("architecture");
  if (!text("variant").empty()) p += "/" + text("variant");
  return p;
}

// The image a container names, looked up as docker compose inspects it: by the reference,
// else the id the container was made from. Gone from the store: what the container says.
Row image_row(const image::ImageStore& store, const scheduler::ContainerRecord& c) {
  Row r;
  try {
    const auto ref = image::Reference::parse(c.image);
    r.repository = ref.familiar_name();
    r.tag = ref.tag;
  } catch (const Error&) {
    // an image id: no repository or tag, as docker's ParseDockerRef refuses it
  }
  std::optional<std::string> id;
  try {
    id = store.resolve(c.image);
    if (!id && !c.image_id.empty()) id = store.resolve(c.image_id);
  } catch (const Error&) {
  }
  r.id = id.value_or(c.image_id);
  if (!id) return r;
  try {
    const auto summary = store.summary(*id);
    r.size = summary.size;
    r.created = parse_rfc3339(summary.created);
    r.platform = platform_of(store.image_config(*id));
  } catch (const Error&) {
  }
  return r;
}

std::string hex_of(const std::string& id) { return id.substr(id.find(':') + 1); }

void print_json(const std::map<std::string, Row>& rows) {
  if (rows.empty()) {  // docker compose encodes its empty (nil) list
    std::cout << "null\n\n";
    return;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [container, r] : rows) {
    nlohmann::ordered_json j{{"ID", r.id}, {"ContainerName", container}, {"Repository", r.repository}, {"Tag", r.tag},
                             {"Platform", r.platform}, {"Size", r.size}};
    if (r.created) j["Created"] = format_rfc3339(*r.created, Fraction::nano);
    out.push_back(std::move(j));
  }
  // json.Encoder's line, then Fprintln's.
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n\n";
}

void print_table(const std::map<std::string, Row>& rows) {
  std::vector<std::vector<std::string>> cells = {{"CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE ID", "SIZE", "CREATED"}};
  for (const auto& [container, r] : rows) {
    const std::string created =
        r.created ? human_duration(static_cast<double>(unix_now_ns() - *r.created) / 1e9) + " ago" : "N/A";
    cells.push_back({container, r.repository.empty() ? "<none>" : r.repository, r.tag.empty() ? "<none>" : r.tag,
                     r.platform, hex_of(r.id).substr(0, 12), human_size(static_cast<double>(r.size), 3), created});
  }
  std::cout << render_table(cells, 20, 3);  // docker compose's formatter.Print
}

}  // namespace

void register_images(CLI::App& app, Context& ctx) {
  static flags::ImagesOptions o;
  auto* cmd = flags::add_images(app, o);
  cmd->callback([&ctx] {
    const std::string project = project_name(ctx);
    const scheduler::ContainerStore containers(std::filesystem::absolute(daemon::default_root()));
    const image::ImageStore store(image::ImageStore::default_root());
    const std::set<std::string> wanted(o.services.begin(), o.services.end());
    std::map<std::string, Row> rows;  // by container name, as docker compose sorts its table
    for (const auto& c : containers.list(project)) {
      if (c.project != project || (!wanted.empty() && !wanted.count(c.service))) continue;
      rows[c.name] = image_row(store, c);
    }
    if (o.quiet) {
      std::set<std::string> seen;
      for (const auto& [container, r] : rows)
        if (!r.id.empty() && seen.insert(hex_of(r.id)).second) std::cout << hex_of(r.id) << "\n";
      return;
    }
    if (o.format == "json") return print_json(rows);
    print_table(rows);
  });
}

}  // namespace mycompose::cli

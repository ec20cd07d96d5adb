// `mycompose images [SERVICE…]` (docker compose images). Until containers exist (issue [E])
// it lists, per service, the image it runs when that image is in the store; CONTAINER
// shows "-" for a service without a container.
#include <iostream>
#include <set>

#include "commands.hpp"
#include "commands/flags/images.hpp"
#include "commands/pull_progress.hpp"
#include "commands/service_images.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/human_size.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::cli {

namespace {

struct Row {
  std::string container, repository, tag, id;
  std::int64_t size = 0;
};

void print_table(const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> cells = {{"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"}};
  for (const auto& r : rows) {
    std::string hex = r.id.substr(r.id.find(':') + 1);
    cells.push_back({r.container, r.repository, r.tag, hex.substr(0, 12), human_size(static_cast<double>(r.size))});
  }
  std::vector<std::size_t> width(5, 0);
  for (const auto& row : cells)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += i + 1 < row.size() ? row[i] + std::string(width[i] - row[i].size() + 3, ' ') : row[i];
    std::cout << line << "\n";
  }
}

}  // namespace

void register_images(CLI::App& app, Context& ctx) {
  static flags::ImagesOptions o;
  auto* cmd = flags::add_images(app, o);
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options(o.services));
    image::ImageStore store(image::ImageStore::default_root());
    std::vector<Row> rows;
    for (const auto& s : service_images(project, o.services, false)) {
      std::string name = effective_image(project, s);
      image::Reference ref;
      try {
        ref = image::Reference::parse(name);
      } catch (const Error&) {
        continue;
      }
      auto id = store.resolve(ref.str());
      if (!id) continue;
      auto summary = store.summary(*id);
      rows.push_back({"-", ref.familiar_name(), ref.tag, *id, summary.size});
    }
    if (o.quiet) {
      std::set<std::string> seen;
      for (const auto& r : rows) {
        std::string hex = r.id.substr(r.id.find(':') + 1);
        if (seen.insert(hex).second) std::cout << hex << "\n";
      }
      return;
    }
    if (o.format == "json") {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& r : rows)
        out.push_back({{"ContainerName", r.container == "-" ? "" : r.container},
                       {"Repository", r.repository},
                       {"Tag", r.tag},
                       {"ID", r.id},
                       {"Size", r.size}});
      std::cout << out.dump() << "\n";
      return;
    }
    print_table(rows);
  });
}

}  // namespace mycompose::cli

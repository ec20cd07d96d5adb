// `mycompose image …`: the local image store, as `docker image` (import, load, save, ls,
// inspect, rm, prune, tag). Output formats follow the Docker CLI.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "sys_output.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/human_size.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::cli {
namespace {

using nlohmann::ordered_json;

image::ImageStore open_store() { return image::ImageStore(image::ImageStore::default_root()); }

// go-units HumanDuration + " ago", as `docker images` shows CREATED.
std::string human_since(const std::string& created) {
  auto t = parse_rfc3339(created);
  if (!t) return "N/A";
  return human_duration(static_cast<double>(unix_now_ns() - *t) / 1e9) + " ago";
}

std::string created_at(const std::string& created) {
  auto t = parse_rfc3339(created);
  return t ? format_go_time_utc(*t) : "";
}

std::string short_id(const std::string& id) { return id.substr(7, 12); }

// Docker's tabwriter settings for tables: minwidth 10, padding 3.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(10);
      width[i] = std::max(width[i], r[i].size() + 3);
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size(), ' ');
    }
    std::cout << line << "\n";
  }
}

// The few Go-template forms scripts use: {{.Field}}, {{.A.B}}, {{json .Field}}.
std::string render_template(const std::string& tmpl, const ordered_json& obj) {
  std::string out;
  std::size_t i = 0;
  while (i < tmpl.size()) {
    auto open = tmpl.find("{{", i);
    if (open == std::string::npos) {
      out += tmpl.substr(i);
      break;
    }
    out += tmpl.substr(i, open - i);
    auto close = tmpl.find("}}", open);
    if (close == std::string::npos) throw Error("template: unclosed action in \"" + tmpl + "\"");
    std::string action = tmpl.substr(open + 2, close - open - 2);
    action.erase(0, action.find_first_not_of(' '));
    action.erase(action.find_last_not_of(' ') + 1);
    bool as_json = action.rfind("json ", 0) == 0;
    if (as_json) action = action.substr(5);
    if (action.empty() || action[0] != '.') throw Error("template: unsupported action \"{{" + action + "}}\"");
    const ordered_json* v = &obj;
    std::size_t p = 1;
    while (p < action.size()) {
      auto dot = action.find('.', p);
      std::string key = action.substr(p, dot == std::string::npos ? std::string::npos : dot - p);
      if (!v->is_object() || !v->contains(key)) throw Error("template: can't evaluate field " + key);
      v = &(*v)[key];
      p = dot == std::string::npos ? action.size() : dot + 1;
    }
    if (as_json) out += v->dump();
    else if (v->is_string()) out += v->get<std::string>();
    else if (v->is_null()) out += "<no value>";
    else out += v->dump();
    i = close + 2;
  }
  return out;
}

ordered_json inspect_json(const image::ImageStore& store, const std::string& id) {
  auto s = store.summary(id);
  auto cfg = store.image_config(id);
  ordered_json layers = ordered_json::array();
  std::vector<std::string> dirs;
  for (const auto& l : s.layers) {
    layers.push_back(l.diff_id);
    dirs.push_back(store.layer_dir(l.chain_id).string());
  }
  std::string lower;
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) lower += (lower.empty() ? "" : ":") + *it;
  ordered_json j;
  j["Id"] = id;
  j["RepoTags"] = s.repo_tags;
  j["RepoDigests"] = s.repo_digests;
  j["Parent"] = "";
  j["Comment"] = cfg.value("comment", "");
  j["Created"] = cfg.value("created", "");
  j["DockerVersion"] = cfg.value("docker_version", "");
  j["Author"] = cfg.value("author", "");
  j["Config"] = cfg.contains("config") ? ordered_json::parse(cfg["config"].dump()) : ordered_json(nullptr);
  j["Architecture"] = cfg.value("architecture", "");
  if (cfg.contains("variant")) j["Variant"] = cfg["variant"];
  j["Os"] = cfg.value("os", "");
  j["Size"] = s.size;
  j["GraphDriver"] = {{"Data", {{"LowerDir", lower}}}, {"Name", "overlay"}};
  j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
  j["Metadata"] = {{"LastTagTime", "0001-01-01T00:00:00Z"}};
  return j;
}

void add_import(CLI::App& image) {
  struct Opts {
    std::string source, ref, message, platform;
    std::vector<std::string> changes;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("import", "Import the contents from a tarball to create a filesystem image");
  cmd->add_option("file", o.source, "Tarball (file path, or - for stdin)")->required();
  cmd->add_option("REPOSITORY[:TAG]", o.ref, "Name for the image");
  cmd->add_option("-c,--change", o.changes, "Apply Dockerfile instruction to the created image")->allow_extra_args(false);
  cmd->add_option("-m,--message", o.message, "Set commit message for imported image");
  cmd->add_option("--platform", o.platform, "Set platform if server is multi-platform capable");
  cmd->callback([] {
    auto store = open_store();
    image::ImportOptions io{o.changes, o.message, o.platform};
    std::cout << image::import_rootfs(store, o.source, o.ref, io) << "\n";
  });
}

void add_load(CLI::App& image) {
  struct Opts {
    std::string input;
    bool quiet = false;
    std::string platform;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("load", "Load an image from a tar archive or STDIN");
  cmd->add_option("-i,--input", o.input, "Read from tar archive file, instead of STDIN");
  cmd->add_flag("-q,--quiet", o.quiet, "Suppress the load output");
  cmd->add_option("--platform", o.platform, "Load only the given platform variant");
  cmd->callback([] {
    if (o.input.empty() && ::isatty(0)) throw Error("requested load from stdin, but stdin is empty");
    auto store = open_store();
    for (const auto& line : image::load_archive(store, o.input.empty() ? "-" : o.input))
      if (!o.quiet) std::cout << line << "\n";
  });
}

void add_save(CLI::App& image) {
  struct Opts {
    std::string output;
    std::vector<std::string> images;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("save", "Save one or more images to a tar archive (streamed to STDOUT by default)");
  cmd->add_option("-o,--output", o.output, "Write to a file, instead of STDOUT");
  cmd->add_option("IMAGE", o.images, "Images to save")->required();
  cmd->callback([] {
    if (o.output.empty() && ::isatty(1))
      throw Error("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    auto store = open_store();
    image::save_images(store, o.images, o.output.empty() ? "-" : o.output);
  });
}

void add_ls(CLI::App& image) {
  struct Opts {
    std::string repo, format;
    bool quiet = false, all = false, digests = false, no_trunc = false;
    std::vector<std::string> filters;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("ls", "List images");
  cmd->alias("list");
  cmd->add_option("REPOSITORY[:TAG]", o.repo, "Only images of this repository (and tag)");
  cmd->add_flag("-q,--quiet", o.quiet, "Only show image IDs");
  cmd->add_flag("-a,--all", o.all, "Show all images (default hides intermediate images)");
  cmd->add_flag("--digests", o.digests, "Show digests");
  cmd->add_flag("--no-trunc", o.no_trunc, "Don't truncate output");
  cmd->add_option("--format", o.format, "Format output using a custom template: 'table', 'json' or a Go template");
  cmd->add_option("-f,--filter", o.filters, "Filter output based on conditions provided (dangling=true|false)")->allow_extra_args(false);
  cmd->callback([] {
    auto store = open_store();
    auto images = store.list();
    std::sort(images.begin(), images.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
    std::optional<bool> dangling;
    for (const auto& f : o.filters) {
      if (f == "dangling=true") dangling = true;
      else if (f == "dangling=false") dangling = false;
      else throw Error("invalid filter '" + f + "' (supported: dangling=true|false)");
    }
    std::optional<image::Reference> want;
    if (!o.repo.empty()) want = image::Reference::parse(o.repo);
    bool want_tag = o.repo.find(':', o.repo.rfind('/') == std::string::npos ? 0 : o.repo.rfind('/')) != std::string::npos;

    struct Row {
      std::string repo, tag, digest;
      const image::ImageSummary* img;
    };
    std::vector<Row> rows;
    for (const auto& img : images) {
      if (dangling && *dangling != img.repo_tags.empty()) continue;
      std::string digest = "<none>";
      if (!img.repo_digests.empty()) digest = img.repo_digests.front().substr(img.repo_digests.front().find('@') + 1);
      if (img.repo_tags.empty()) {
        if (!want) rows.push_back({"<none>", "<none>", digest, &img});
        continue;
      }
      for (const auto& t : img.repo_tags) {
        auto r = image::Reference::parse(t);
        if (want && (r.name() != want->name() || (want_tag && r.tag != want->tag))) continue;
        rows.push_back({r.familiar_name(), r.tag, digest, &img});
      }
    }
    auto id_of = [](const image::ImageSummary& s) { return o.no_trunc ? s.id : short_id(s.id); };
    if (o.quiet) {
      std::set<std::string> seen;
      for (const auto& r : rows)
        if (seen.insert(r.img->id).second) std::cout << id_of(*r.img) << "\n";
      return;
    }
    auto as_json = [&](const Row& r) {
      ordered_json j;
      j["Containers"] = "N/A";
      j["CreatedAt"] = created_at(r.img->created);
      j["CreatedSince"] = human_since(r.img->created);
      j["Digest"] = r.digest;
      j["ID"] = id_of(*r.img);
      j["Repository"] = r.repo;
      j["SharedSize"] = "N/A";
      j["Size"] = human_size(static_cast<double>(r.img->size), 3);
      j["Tag"] = r.tag;
      j["UniqueSize"] = "N/A";
      j["VirtualSize"] = human_size(static_cast<double>(r.img->size), 4);
      return j;
    };
    if (o.format == "json") {
      for (const auto& r : rows) std::cout << as_json(r).dump() << "\n";
      return;
    }
    if (!o.format.empty() && o.format != "table") {
      for (const auto& r : rows) std::cout << render_template(o.format, as_json(r)) << "\n";
      return;
    }
    std::vector<std::vector<std::string>> table;
    if (o.digests) table.push_back({"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"});
    else table.push_back({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
    for (const auto& r : rows) {
      std::vector<std::string> cells = {r.repo, r.tag};
      if (o.digests) cells.push_back(r.digest);
      cells.insert(cells.end(), {id_of(*r.img), human_since(r.img->created), human_size(static_cast<double>(r.img->size), 3)});
      table.push_back(cells);
    }
    print_table(table);
  });
}

void add_inspect(CLI::App& image, Context& ctx) {
  struct Opts {
    std::vector<std::string> images;
    std::string format;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("inspect", "Display detailed information on one or more images");
  cmd->add_option("IMAGE", o.images, "Images to inspect")->required();
  cmd->add_option("-f,--format", o.format, "Format output using a custom template: 'json' or a Go template");
  cmd->callback([&ctx] {
    auto store = open_store();
    ordered_json all = ordered_json::array();
    std::vector<std::string> missing;
    for (const auto& name : o.images) {
      auto id = store.resolve(name);
      if (!id) {
        missing.push_back(name);
        continue;
      }
      all.push_back(inspect_json(store, *id));
    }
    if (o.format.empty() || o.format == "json") {
      std::cout << all.dump(4) << "\n";
    } else {
      for (const auto& j : all) std::cout << render_template(o.format, j) << "\n";
    }
    for (const auto& m : missing) std::cerr << "error: No such image: " << m << "\n";
    if (!missing.empty()) ctx.exit_code = 1;
  });
}

void add_rm(CLI::App& image, Context& ctx) {
  struct Opts {
    std::vector<std::string> images;
    bool force = false, no_prune = false;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("rm", "Remove one or more images");
  cmd->alias("remove");
  cmd->add_option("IMAGE", o.images, "Images to remove")->required();
  cmd->add_flag("-f,--force", o.force, "Force removal of the image");
  cmd->add_flag("--no-prune", o.no_prune, "Do not delete untagged parents");
  cmd->callback([&ctx] {
    auto store = open_store();
    for (const auto& name : o.images) {
      try {
        for (const auto& line : store.remove(name, o.force)) std::cout << line << "\n";
      } catch (const Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        ctx.exit_code = 1;
      }
    }
  });
}

void add_prune(CLI::App& image) {
  struct Opts {
    bool all = false, force = false;
    std::vector<std::string> filters;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("prune", "Remove unused images");
  cmd->add_flag("-a,--all", o.all, "Remove all unused images, not just dangling ones");
  cmd->add_flag("-f,--force", o.force, "Do not prompt for confirmation");
  cmd->add_option("--filter", o.filters, "Provide filter values (not supported yet)")->allow_extra_args(false);
  cmd->callback([] {
    if (!o.filters.empty()) throw Error("image prune: --filter is not supported yet");
    if (!o.force && !sys_output::confirm(o.all ? "WARNING! This will remove all images without at least one container associated to them."
                                   : "WARNING! This will remove all dangling images."))
      return;
    auto store = open_store();
    auto r = store.prune(o.all);
    if (!r.lines.empty()) {
      std::cout << "Deleted Images:\n";
      for (const auto& l : r.lines) std::cout << l << "\n";
      std::cout << "\n";
    }
    std::cout << "Total reclaimed space: " << human_size(static_cast<double>(r.reclaimed), 4) << "\n";
  });
}

void add_tag(CLI::App& image) {
  struct Opts {
    std::string source, target;
  };
  static Opts o;
  auto* cmd = image.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  cmd->add_option("SOURCE_IMAGE", o.source, "SOURCE_IMAGE[:TAG]")->required();
  cmd->add_option("TARGET_IMAGE", o.target, "TARGET_IMAGE[:TAG]")->required();
  cmd->callback([] {
    auto store = open_store();
    auto id = store.resolve_or_throw(o.source);
    auto ref = image::Reference::parse(o.target);
    if (!ref.digest.empty()) throw Error("refusing to create a tag with a digest reference");
    store.tag(ref, id);
  });
}

}  // namespace

void register_image(CLI::App& app, Context& ctx) {
  auto* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);
  add_import(*image);
  add_load(*image);
  add_save(*image);
  add_ls(*image);
  add_inspect(*image, ctx);
  add_rm(*image, ctx);
  add_prune(*image);
  add_tag(*image);
  register_image_pull_push(*image, ctx);
}

}  // namespace mycompose::cli

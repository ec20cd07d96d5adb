#include "mycompose/scheduler/commit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "copy_entries.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/image/reference.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::scheduler {
namespace {

using nlohmann::json;

// Thaws the container on the way out, whatever happens.
struct PauseGuard {
  ContainerStore& store;
  std::string id;
  bool paused = false;
  PauseGuard(ContainerStore& s, std::string i, bool pause) : store(s), id(std::move(i)) {
    if (pause && store.state(id).status == "running") {
      store.pause(id);
      paused = true;
    }
  }
  ~PauseGuard() {
    if (!paused) return;
    try {
      store.resume(id);
    } catch (...) {
    }
  }
};

// The upper layer as an image layer tar: overlay whiteouts (0:0 character devices) become
// ".wh.<name>" files and opaque folders get a ".wh..wh..opq" entry.
void write_upper_layer(int upper_fd, const std::function<void(const void*, size_t)>& sink) {
  copy::TarWriter tar(sink);
  UniqueFd top(::dup(upper_fd));
  copy::walk_tree(std::move(top), "", [&](const copy::Entry& e) {
    if (S_ISCHR(e.mode) && e.rdev == makedev(0, 0)) {
      const auto slash = e.path.rfind('/');
      copy::Entry wh;
      wh.path = slash == std::string::npos ? ".wh." + e.path : e.path.substr(0, slash + 1) + ".wh." + e.path.substr(slash + 1);
      wh.mode = S_IFREG | 0644;
      wh.mtime = e.mtime;
      tar.put(wh);
      return;
    }
    tar.put(e);
    if (e.opaque && !e.path.empty()) {
      copy::Entry opq;
      opq.path = e.path + "/.wh..wh..opq";
      opq.mode = S_IFREG | 0644;
      opq.mtime = e.mtime;
      tar.put(opq);
    }
  });
  tar.finish();
}

// The container's configuration as docker commit takes it: the image's, with the command,
// environment and working folder the container runs with and its labels.
json container_config(const json& image_config, const json& spec, const ContainerRecord& rec) {
  json c = image_config.value("config", json::object());
  const json process = spec.value("process", json::object());
  const auto args = process.value("args", std::vector<std::string>{});
  const auto entrypoint = c.contains("Entrypoint") && c["Entrypoint"].is_array() ? c["Entrypoint"].get<std::vector<std::string>>()
                                                                                  : std::vector<std::string>{};
  if (!entrypoint.empty() && args.size() >= entrypoint.size() && std::equal(entrypoint.begin(), entrypoint.end(), args.begin())) {
    c["Cmd"] = std::vector<std::string>(args.begin() + static_cast<std::ptrdiff_t>(entrypoint.size()), args.end());
  } else if (!args.empty()) {
    c["Entrypoint"] = nullptr;
    c["Cmd"] = args;
  }
  bool image_home = false;
  for (const auto& e : c.value("Env", std::vector<std::string>{}))
    if (e.rfind("HOME=", 0) == 0) image_home = true;
  json env = json::array();
  for (const auto& e : process.value("env", std::vector<std::string>{})) {
    // Set per container by the runtime, not part of the container's configuration.
    if (e.rfind("HOSTNAME=", 0) == 0 || (!image_home && e.rfind("HOME=", 0) == 0)) continue;
    env.push_back(e);
  }
  c["Env"] = env;
  if (process.contains("cwd")) c["WorkingDir"] = process["cwd"];
  json labels = c.contains("Labels") && c["Labels"].is_object() ? c["Labels"] : json::object();
  for (const auto& [k, v] : rec.labels) labels[k] = v;
  c["Labels"] = labels;
  return c;
}

}  // namespace

std::string commit_container(const std::filesystem::path& root, const ContainerRecord& rec, const CommitOptions& o) {
  // Refuse a bad name or instruction before anything is written.
  std::optional<image::Reference> ref;
  if (!o.reference.empty()) ref = image::Reference::parse(o.reference);
  {
    json probe = json::object();
    image::apply_changes(probe, o.changes);
  }
  ContainerStore store(root);
  image::ImageStore images(root);
  const json base = images.image_config(rec.image_id);
  std::vector<image::LayerInfo> layers = images.image_layers(rec.image_id);
  if (layers.empty()) throw Error("image " + rec.image + " of container " + rec.name + " has no layers");
  const std::filesystem::path dir = store.folder(rec.id);
  const json spec = parse_json_bounded(fs::read_file(dir / "config.json", 16 << 20));

  const std::string label = "layer of container " + rec.name;
  std::string blob;
  {
    UniqueFd upper(::open((dir / "upper").c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!upper) throw SystemError("open the upper layer of container " + rec.name, errno);
    auto writer = images.write_blob(label);
    PauseGuard paused(store, rec.id, o.pause);
    write_upper_layer(upper.get(), [&](const void* p, size_t n) { writer.write(p, n); });
    blob = writer.commit();
  }
  image::LayerInfo layer;
  try {
    layer = images.add_layer(layers.back().chain_id, blob, "", "application/vnd.docker.image.rootfs.diff.tar", label);
  } catch (...) {
    images.remove_blob_if_unused(blob);
    throw;
  }
  layers.push_back(layer);

  json config = base;
  const std::string created = now_rfc3339();
  config["created"] = created;
  if (!o.author.empty()) config["author"] = o.author;
  else config.erase("author");
  if (!o.message.empty()) config["comment"] = o.message;
  else config.erase("comment");
  json c = container_config(base, spec, rec);
  image::apply_changes(c, o.changes);
  config["config"] = c;
  config["rootfs"]["type"] = "layers";
  config["rootfs"]["diff_ids"].push_back(layer.diff_id);
  json step = {{"created", created}, {"created_by", c.value("Cmd", json::array()).dump()}};
  if (!o.author.empty()) step["author"] = o.author;
  if (!o.message.empty()) step["comment"] = o.message;
  if (!config.contains("history") || !config["history"].is_array()) config["history"] = json::array();
  config["history"].push_back(step);
  try {
    const std::string id = images.add_image(config.dump(), layers);
    if (ref) images.tag(*ref, id);
    return id;
  } catch (...) {
    images.remove_layer_if_unused(layer.chain_id);
    images.remove_blob_if_unused(blob);
    throw;
  }
}

}  // namespace mycompose::scheduler

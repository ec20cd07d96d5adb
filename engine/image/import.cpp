// `docker import`: a rootfs tarball becomes a one-layer image. The tarball is stored as the
// layer blob exactly as received (so compressed input stays compressed on disk).
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>

#include "archive_source.hpp"
#include "extract.hpp"
#include "writer_lease.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::image {
namespace {

}  // namespace

std::string normalize_architecture(const std::string& a) {
  if (a == "x86_64" || a == "x86-64" || a == "amd64") return "amd64";
  if (a == "aarch64" || a == "arm64") return "arm64";
  if (a == "i386" || a == "i686" || a == "386") return "386";
  if (a.rfind("armv", 0) == 0 || a == "arm") return "arm";
  return a;
}

std::string host_architecture() {
  struct utsname u {};
  ::uname(&u);
  return normalize_architecture(u.machine);
}

std::string import_rootfs(ImageStore& store, const std::string& source, const std::string& ref_text,
                          const ImportOptions& opts) {
  std::optional<Reference> ref;
  if (!ref_text.empty()) ref = Reference::parse(ref_text);  // refuse a bad name before reading anything
  nlohmann::json container_config = nlohmann::json::object();
  apply_changes(container_config, opts.changes);

  std::string os = "linux", arch = host_architecture(), variant;
  if (!opts.platform.empty()) {
    auto p = opts.platform;
    auto s1 = p.find('/');
    if (s1 == std::string::npos) throw Error("invalid platform \"" + p + "\": expected os/arch[/variant]");
    os = p.substr(0, s1);
    auto rest = p.substr(s1 + 1);
    auto s2 = rest.find('/');
    arch = normalize_architecture(rest.substr(0, s2));
    if (s2 != std::string::npos) variant = rest.substr(s2 + 1);
    if (os != "linux") throw Error("invalid platform \"" + p + "\": only linux images are supported");
  }

  WriterLease lease(store);
  ArchiveSource in(source);
  std::string label = "import of " + in.label();
  auto writer = store.write_blob(label);
  std::vector<char> buf(1 << 20);
  while (std::size_t n = in.read(buf.data(), buf.size())) writer.write(buf.data(), n);
  auto blob = writer.commit();
  LayerInfo layer;
  try {
    layer = store.add_layer("", blob, "", sniff_layer_media_type(store.blob_path(blob)), label);
  } catch (...) {
    store.remove_blob_if_unused(blob);
    throw;
  }

  std::string created = now_rfc3339(Fraction::nano_fixed);
  std::string comment = opts.message.empty() ? "Imported from " + source : opts.message;
  nlohmann::json config = {
      {"architecture", arch},
      {"comment", comment},
      {"config", container_config},
      {"created", created},
      {"history", {{{"created", created}, {"comment", comment}}}},
      {"os", os},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.diff_id}}}},
  };
  if (!variant.empty()) config["variant"] = variant;
  auto id = store.add_image(config.dump(), {layer});
  if (ref) store.tag(*ref, id);
  return id;
}

}  // namespace mycompose::image

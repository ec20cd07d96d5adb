// Manifest and index documents (distribution spec / OCI image spec) and platform choice.
#include <sys/utsname.h>

#include <cstdlib>

#include "mycompose/common/error.hpp"
#include "mycompose/image/reference.hpp"
#include "mycompose/image/registry_manifest.hpp"

namespace mycompose::image::registry {

std::string manifest_accept_header() {
  return std::string(media::kDockerManifestList) + ", " + media::kOciIndex + ", " + media::kDockerManifest + ", " +
         media::kOciManifest;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

Platform normalize_platform(std::string_view os_in, std::string_view arch_in, std::string_view variant_in) {
  Platform p;
  p.os = os_in.empty() ? "linux" : std::string(os_in);
  std::string a(arch_in), v(variant_in);
  for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (a == "x86_64" || a == "x86-64" || a == "amd64") {
    a = "amd64";
    if (v == "v1") v.clear();
  } else if (a == "i386" || a == "i486" || a == "i586" || a == "i686" || a == "x86" || a == "386") {
    a = "386";
    v.clear();
  } else if (a == "aarch64" || a == "arm64") {
    a = "arm64";
    if (v.empty() || v == "8") v = "v8";
  } else if (a == "armhf" || a == "armv7l" || a == "armv7") {
    a = "arm";
    if (v.empty()) v = "v7";
  } else if (a == "armel" || a == "armv6l" || a == "armv6") {
    a = "arm";
    if (v.empty()) v = "v6";
  } else if (a == "armv5tel" || a == "armv5l" || a == "armv5") {
    a = "arm";
    if (v.empty()) v = "v5";
  } else if (a == "arm") {
    if (v.empty()) v = "v7";
  } else if (a == "ppc64el") {
    a = "ppc64le";
  }
  if (!v.empty() && v[0] != 'v') v = "v" + v;
  p.architecture = a;
  p.variant = v;
  return p;
}

Platform parse_platform(std::string_view s) {
  std::vector<std::string> parts;
  size_t b = 0;
  for (;;) {
    size_t e = s.find('/', b);
    parts.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  for (const auto& p : parts)
    if (p.empty()) throw Error("invalid platform \"" + std::string(s) + "\": expected os/arch[/variant]");
  if (parts.size() == 1) return normalize_platform("linux", parts[0]);
  if (parts.size() == 2) return normalize_platform(parts[0], parts[1]);
  if (parts.size() == 3) return normalize_platform(parts[0], parts[1], parts[2]);
  throw Error("invalid platform \"" + std::string(s) + "\": expected os/arch[/variant]");
}

Platform default_platform() {
  if (const char* env = std::getenv("DOCKER_DEFAULT_PLATFORM"); env && *env) return parse_platform(env);
  struct utsname u {};
  ::uname(&u);
  return normalize_platform("linux", u.machine);
}

bool is_index_media_type(std::string_view mt) { return mt == media::kDockerManifestList || mt == media::kOciIndex; }
bool is_manifest_media_type(std::string_view mt) { return mt == media::kDockerManifest || mt == media::kOciManifest; }

std::string detect_media_type(const nlohmann::json& doc, std::string_view content_type) {
  if (doc.is_object())
    if (auto mt = doc.find("mediaType"); mt != doc.end() && mt->is_string() && !mt->get<std::string>().empty())
      return *mt;
  std::string ct(content_type.substr(0, content_type.find(';')));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  if (is_index_media_type(ct) || is_manifest_media_type(ct)) return ct;
  if (doc.is_object() && doc.contains("manifests")) return media::kOciIndex;
  if (doc.is_object() && doc.contains("layers")) return media::kOciManifest;
  if (doc.is_object() && doc.value("schemaVersion", 0) == 1)
    return "application/vnd.docker.distribution.manifest.v1+json";
  return ct;
}

namespace {

Descriptor parse_descriptor(const nlohmann::json& j, std::string_view what) {
  if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string())
    throw Error(std::string(what) + ": invalid manifest: descriptor without a digest");
  Descriptor d;
  d.raw = j;
  d.media_type = j.value("mediaType", "");
  d.digest = j["digest"];
  if (!is_valid_digest(d.digest))
    throw Error(std::string(what) + ": invalid manifest: unsupported digest \"" + d.digest + "\"");
  if (auto s = j.find("size"); s != j.end() && s->is_number_integer()) d.size = s->get<std::int64_t>();
  if (d.size < 0) throw Error(std::string(what) + ": invalid manifest: negative size for " + d.digest);
  if (auto u = j.find("urls"); u != j.end() && u->is_array())
    for (const auto& x : *u)
      if (x.is_string()) d.urls.push_back(x);
  if (auto p = j.find("platform"); p != j.end() && p->is_object())
    d.platform = normalize_platform(p->value("os", ""), p->value("architecture", ""), p->value("variant", ""));
  return d;
}

}  // namespace

Manifest parse_manifest(const nlohmann::json& doc, std::string_view media_type, std::string_view what) {
  if (!is_manifest_media_type(media_type))
    throw Error(std::string(what) + ": unsupported manifest media type \"" + std::string(media_type) +
                "\" (schema 1 manifests are not supported)");
  if (!doc.is_object() || doc.value("schemaVersion", 0) != 2 || !doc.contains("config") || !doc.contains("layers") ||
      !doc["layers"].is_array())
    throw Error(std::string(what) + ": invalid manifest: expected schemaVersion 2 with config and layers");
  Manifest m;
  m.media_type = std::string(media_type);
  m.config = parse_descriptor(doc["config"], what);
  for (const auto& l : doc["layers"]) m.layers.push_back(parse_descriptor(l, what));
  return m;
}

Index parse_index(const nlohmann::json& doc, std::string_view media_type, std::string_view what) {
  if (!is_index_media_type(media_type))
    throw Error(std::string(what) + ": unsupported index media type \"" + std::string(media_type) + "\"");
  if (!doc.is_object() || !doc.contains("manifests") || !doc["manifests"].is_array())
    throw Error(std::string(what) + ": invalid manifest list: no \"manifests\" array");
  Index ix;
  ix.media_type = std::string(media_type);
  for (const auto& m : doc["manifests"]) ix.manifests.push_back(parse_descriptor(m, what));
  return ix;
}

std::optional<Descriptor> select_platform(const Index& index, const Platform& want_in) {
  Platform want = normalize_platform(want_in.os, want_in.architecture, want_in.variant);
  // Rank: 0 = exact variant; for arm, older variants run on newer cores (v7 runs v6, v5).
  auto rank = [&](const Platform& p) -> int {
    if (p.os != want.os || p.architecture != want.architecture) return -1;
    if (p.variant == want.variant) return 0;
    if (want.architecture == "arm" && !p.variant.empty() && !want.variant.empty() && p.variant < want.variant)
      return 1 + (want.variant[1] - p.variant[1]);
    return -1;
  };
  std::optional<Descriptor> best;
  int best_rank = 1 << 30;
  for (const auto& d : index.manifests) {
    if (!d.platform) continue;
    int r = rank(*d.platform);
    if (r >= 0 && r < best_rank) {
      best = d;
      best_rank = r;
    }
  }
  return best;
}

}  // namespace mycompose::image::registry

#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/image/registry_manifest.hpp"

using namespace mycompose::image::registry;
using nlohmann::json;

namespace {

std::string digest_of(char c) { return "sha256:" + std::string(64, c); }

json entry(char c, const char* arch, const char* variant = nullptr, const char* os = "linux") {
  json p = {{"os", os}, {"architecture", arch}};
  if (variant) p["variant"] = variant;
  return {{"mediaType", media::kDockerManifest}, {"digest", digest_of(c)}, {"size", 527}, {"platform", p}};
}

// A manifest list like busybox's on Docker Hub (abridged), plus an attestation entry.
json busybox_list() {
  return {{"schemaVersion", 2},
          {"mediaType", media::kDockerManifestList},
          {"manifests",
           {entry('0', "unknown", nullptr, "unknown"), entry('1', "amd64"), entry('2', "arm", "v5"),
            entry('3', "arm", "v6"), entry('4', "arm", "v7"), entry('5', "arm64", "v8"), entry('6', "386"),
            entry('7', "ppc64le"), entry('8', "s390x")}}};
}

}  // namespace

TEST_CASE("platform: architecture names normalize as Docker does") {
  CHECK(normalize_platform("linux", "x86_64").str() == "linux/amd64");
  CHECK(normalize_platform("linux", "aarch64").str() == "linux/arm64/v8");
  CHECK(normalize_platform("linux", "armhf").str() == "linux/arm/v7");
  CHECK(normalize_platform("linux", "armv7l").str() == "linux/arm/v7");
  CHECK(normalize_platform("linux", "armel").str() == "linux/arm/v6");
  CHECK(normalize_platform("linux", "i686").str() == "linux/386");
  CHECK(normalize_platform("linux", "arm", "7").str() == "linux/arm/v7");
  CHECK(parse_platform("linux/arm64").str() == "linux/arm64/v8");
  CHECK(parse_platform("amd64").str() == "linux/amd64");
  CHECK_THROWS_WITH(parse_platform("linux//x"), "invalid platform \"linux//x\": expected os/arch[/variant]");
}

TEST_CASE("platform: selection from a manifest list") {
  auto ix = parse_index(busybox_list(), media::kDockerManifestList, "busybox:latest");
  REQUIRE(ix.manifests.size() == 9);
  CHECK(select_platform(ix, parse_platform("linux/amd64"))->digest == digest_of('1'));
  CHECK(select_platform(ix, normalize_platform("linux", "x86_64"))->digest == digest_of('1'));
  CHECK(select_platform(ix, normalize_platform("linux", "aarch64"))->digest == digest_of('5'));
  CHECK(select_platform(ix, normalize_platform("linux", "armhf"))->digest == digest_of('4'));
  CHECK(select_platform(ix, normalize_platform("linux", "armel"))->digest == digest_of('3'));
  CHECK(select_platform(ix, parse_platform("linux/386"))->digest == digest_of('6'));
  CHECK_FALSE(select_platform(ix, parse_platform("linux/riscv64")).has_value());
  CHECK_FALSE(select_platform(ix, parse_platform("windows/amd64")).has_value());
}

TEST_CASE("platform: arm/v7 falls back to the newest older variant, arm64 entries without variant match") {
  json list = {{"schemaVersion", 2},
               {"mediaType", media::kOciIndex},
               {"manifests", {entry('a', "arm", "v5"), entry('b', "arm", "v6"), entry('c', "arm64")}}};
  auto ix = parse_index(list, media::kOciIndex, "x");
  CHECK(select_platform(ix, parse_platform("linux/arm/v7"))->digest == digest_of('b'));
  CHECK(select_platform(ix, parse_platform("linux/arm64"))->digest == digest_of('c'));
}

TEST_CASE("manifest: parse schema 2 and OCI, media type detection, bad documents") {
  json m = {{"schemaVersion", 2},
            {"mediaType", media::kDockerManifest},
            {"config", {{"mediaType", media::kDockerConfig}, {"size", 100}, {"digest", digest_of('c')}}},
            {"layers", {{{"mediaType", media::kDockerLayerGzip}, {"size", 2000}, {"digest", digest_of('d')}}}}};
  CHECK(detect_media_type(m, "") == media::kDockerManifest);
  auto parsed = parse_manifest(m, detect_media_type(m, ""), "x:latest");
  CHECK(parsed.config.digest == digest_of('c'));
  REQUIRE(parsed.layers.size() == 1);
  CHECK(parsed.layers[0].size == 2000);

  json oci = m;
  oci.erase("mediaType");
  CHECK(detect_media_type(oci, "application/vnd.oci.image.manifest.v1+json; charset=utf-8") == media::kOciManifest);
  CHECK(detect_media_type(oci, "") == media::kOciManifest);
  json idx = {{"schemaVersion", 2}, {"manifests", json::array()}};
  CHECK(detect_media_type(idx, "") == media::kOciIndex);

  json bad = m;
  bad["layers"][0]["digest"] = "md5:abc";
  CHECK_THROWS_WITH(parse_manifest(bad, media::kDockerManifest, "x:latest"),
                    "x:latest: invalid manifest: unsupported digest \"md5:abc\"");
  CHECK_THROWS_WITH(parse_manifest(m, "application/vnd.docker.distribution.manifest.v1+json", "x:latest"),
                    Catch::Contains("x:latest: unsupported manifest media type"));
}

TEST_CASE("manifest: the Accept header names all four document kinds") {
  auto a = manifest_accept_header();
  for (const char* mt : {media::kDockerManifest, media::kDockerManifestList, media::kOciManifest, media::kOciIndex})
    CHECK(a.find(mt) != std::string::npos);
}

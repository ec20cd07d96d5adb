#pragma once
// Image references with Docker's normalization (distribution/reference ParseNormalizedNamed
// followed by TagNameOnly): "busybox" = "docker.io/library/busybox:latest".
#include <string>
#include <string_view>

namespace mycompose::image {

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000", "ghcr.io"; never empty after parse()
  std::string path;    // repository path inside the registry: "library/busybox", "x"
  std::string tag;     // "latest" when neither tag nor digest was given; "" when only a digest was
  std::string digest;  // "sha256:<64 hex>" or ""

  // Parses and normalizes; throws mycompose::Error with Docker's text, e.g.
  //   invalid reference format: repository name (library/UPPER) must be lowercase
  //   invalid reference format: "a::b"
  // A bare 64-hex string is refused as Docker does (it is an image id, not a name).
  static Reference parse(std::string_view s);

  // "docker.io/library/busybox" — the fully qualified repository name.
  std::string name() const;
  // "busybox", "localhost:5000/x", "user/app" — the short form Docker shows.
  std::string familiar_name() const;
  // Fully qualified: "docker.io/library/busybox:latest", "...@sha256:…", or both.
  std::string str() const;
  // Familiar form with tag and/or digest: "busybox:latest", "busybox@sha256:…".
  std::string familiar() const;

  bool operator==(const Reference& o) const = default;
};

// True when s is "sha256:" followed by exactly 64 lower-case hex digits.
bool is_valid_digest(std::string_view s);

}  // namespace mycompose::image

// Reference parsing: Docker's normalization and its refusals (distribution/reference).
#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/image/reference.hpp"

using mycompose::image::Reference;

namespace {
const std::string kDigest = "sha256:" + std::string(64, 'a');
}

TEST_CASE("reference: valid references normalize as Docker does") {
  struct Row {
    std::string in, domain, path, tag, digest, full, familiar;
  };
  const std::vector<Row> rows = {
      {"busybox", "docker.io", "library/busybox", "latest", "", "docker.io/library/busybox:latest", "busybox:latest"},
      {"busybox:1.36", "docker.io", "library/busybox", "1.36", "", "docker.io/library/busybox:1.36", "busybox:1.36"},
      {"library/busybox", "docker.io", "library/busybox", "latest", "", "docker.io/library/busybox:latest", "busybox:latest"},
      {"docker.io/busybox", "docker.io", "library/busybox", "latest", "", "docker.io/library/busybox:latest", "busybox:latest"},
      {"index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", "", "docker.io/library/busybox:latest",
       "busybox:latest"},
      {"user/app:v1", "docker.io", "user/app", "v1", "", "docker.io/user/app:v1", "user/app:v1"},
      {"localhost:5000/x", "localhost:5000", "x", "latest", "", "localhost:5000/x:latest", "localhost:5000/x:latest"},
      {"localhost/x", "localhost", "x", "latest", "", "localhost/x:latest", "localhost/x:latest"},
      {"ghcr.io/a/b/c:t_1.2-3", "ghcr.io", "a/b/c", "t_1.2-3", "", "ghcr.io/a/b/c:t_1.2-3", "ghcr.io/a/b/c:t_1.2-3"},
      {"example.com:8080/a_b/c.d-e__f---g", "example.com:8080", "a_b/c.d-e__f---g", "latest", "",
       "example.com:8080/a_b/c.d-e__f---g:latest", "example.com:8080/a_b/c.d-e__f---g:latest"},
      {"127.0.0.1:5000/team/app:2", "127.0.0.1:5000", "team/app", "2", "", "127.0.0.1:5000/team/app:2",
       "127.0.0.1:5000/team/app:2"},
      {"[::1]:5000/x:y", "[::1]:5000", "x", "y", "", "[::1]:5000/x:y", "[::1]:5000/x:y"},
      {"Registry.Example.com/x", "Registry.Example.com", "x", "latest", "", "Registry.Example.com/x:latest",
       "Registry.Example.com/x:latest"},
      {"busybox@" + kDigest, "docker.io", "library/busybox", "", kDigest, "docker.io/library/busybox@" + kDigest,
       "busybox@" + kDigest},
      {"busybox:1@" + kDigest, "docker.io", "library/busybox", "1", kDigest, "docker.io/library/busybox:1@" + kDigest,
       "busybox:1@" + kDigest},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    auto ref = Reference::parse(r.in);
    CHECK(ref.domain == r.domain);
    CHECK(ref.path == r.path);
    CHECK(ref.tag == r.tag);
    CHECK(ref.digest == r.digest);
    CHECK(ref.str() == r.full);
    CHECK(ref.familiar() == r.familiar);
    CHECK(Reference::parse(ref.str()) == ref);  // the full form parses back to itself
  }
}

TEST_CASE("reference: invalid references are refused with Docker's message") {
  struct Row {
    std::string in, message;
  };
  const std::vector<Row> rows = {
      {"UPPER:tag", "invalid reference format: repository name (library/UPPER) must be lowercase"},
      {"user/Repo", "invalid reference format: repository name (user/Repo) must be lowercase"},
      {"a::b", "invalid reference format: \"a::b\""},
      {"busybox:", "invalid reference format: \"busybox:\""},
      {":tag", "invalid reference format: \":tag\""},
      {"a//b", "invalid reference format: \"a//b\""},
      {"-a", "invalid reference format: \"-a\""},
      {"a/b-", "invalid reference format: \"a/b-\""},
      {"a:b:c", "invalid reference format: \"a:b:c\""},
      {"a:" + std::string(129, 't'), "invalid reference format: \"a:" + std::string(129, 't') + "\""},
      {"busybox@sha256:abc", "invalid reference format: \"busybox@sha256:abc\": invalid checksum digest length"},
      {"busybox@md5:abc", "invalid reference format: \"busybox@md5:abc\""},
      {"-host.com/x", "invalid reference format: \"-host.com/x\""},
      {"", "invalid reference format: repository name must have at least one component"},
      {std::string(64, 'a'),
       "invalid repository name (" + std::string(64, 'a') + "), cannot specify 64-byte hexadecimal strings"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK_THROWS_WITH(Reference::parse(r.in), r.message);
  }
}

TEST_CASE("reference: digest validation") {
  CHECK(mycompose::image::is_valid_digest(kDigest));
  CHECK_FALSE(mycompose::image::is_valid_digest("sha256:" + std::string(63, 'a')));
  CHECK_FALSE(mycompose::image::is_valid_digest("sha256:" + std::string(64, 'A')));
  CHECK_FALSE(mycompose::image::is_valid_digest("sha512:" + std::string(64, 'a')));
}

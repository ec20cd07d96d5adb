// The build context's source checksum and its stat cache (an internal class of engine/build).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "../../../engine/build/context.hpp"
#include "mycompose/common/fs.hpp"

namespace stdfs = std::filesystem;
using mycompose::build::BuildContext;

namespace {

struct TempDir {
  stdfs::path dir;
  TempDir() {
    char tmpl[] = "/tmp/mycompose-ctx-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
};

void put(const stdfs::path& p, const std::string& content) {
  stdfs::create_directories(p.parent_path());
  mycompose::fs::write_file_atomic(p, content);
}

std::string checksum_of(const stdfs::path& ctx, const stdfs::path& cache, const std::string& src) {
  BuildContext c(ctx, ctx / ".dockerignore", cache);
  auto sum = c.checksum(c.resolve(src, "COPY"));
  c.save();
  return sum;
}

}  // namespace

TEST_CASE("context: the checksum follows content and mode, not mtime") {
  TempDir t;
  auto ctx = t.dir / "ctx";
  put(ctx / "a" / "f.txt", "one");
  auto s1 = checksum_of(ctx, t.dir / "cache", "a");
  put(ctx / "a" / "f.txt", "one");  // rewritten, same content
  CHECK(checksum_of(ctx, t.dir / "cache", "a") == s1);
  put(ctx / "a" / "f.txt", "two");
  auto s2 = checksum_of(ctx, t.dir / "cache", "a");
  CHECK(s2 != s1);
  stdfs::permissions(ctx / "a" / "f.txt", stdfs::perms::owner_exec, stdfs::perm_options::add);
  CHECK(checksum_of(ctx, t.dir / "cache", "a") != s2);
}

TEST_CASE("context: a file whose stat is unchanged is not read again") {
  TempDir t;
  auto ctx = t.dir / "ctx";
  put(ctx / "f.txt", "content");
  auto real = checksum_of(ctx, t.dir / "cache", "f.txt");
  // Poison the recorded hash: if the next checksum uses it, the file was not re-read.
  auto cache_file = stdfs::directory_iterator(t.dir / "cache")->path();
  auto j = nlohmann::json::parse(mycompose::fs::read_file(cache_file));
  j["f.txt"][4] = std::string(64, '0');
  mycompose::fs::write_file_atomic(cache_file, j.dump());
  CHECK(checksum_of(ctx, t.dir / "cache", "f.txt") != real);
  // A changed stat (new inode and times) makes it read the file again.
  put(ctx / "f.txt", "content");
  CHECK(checksum_of(ctx, t.dir / "cache", "f.txt") == real);
}

TEST_CASE("context: sources outside the context and missing ones are errors") {
  TempDir t;
  auto ctx = t.dir / "ctx";
  put(ctx / "f.txt", "x");
  BuildContext c(ctx, "", "");
  CHECK_THROWS_WITH(c.resolve("../etc/passwd", "COPY"), "COPY: forbidden path outside the build context: ../etc/passwd");
  CHECK_THROWS_WITH(c.resolve("nope*", "ADD"), "ADD failed: file not found in build context or excluded by .dockerignore: nope*");
  CHECK(c.resolve("/f.txt", "COPY").size() == 1);  // a leading / is the context root
  CHECK(c.resolve("*.txt", "COPY").size() == 1);
}

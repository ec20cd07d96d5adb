#include <catch2/catch.hpp>

#include <filesystem>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"

namespace stdfs = std::filesystem;

TEST_CASE("write_file_atomic replaces content and leaves no temp file") {
  auto dir = stdfs::temp_directory_path() / ("mc-fs-" + std::to_string(::getpid()));
  mycompose::fs::make_dirs(dir / "a" / "b");
  auto f = dir / "a" / "b" / "state.json";
  mycompose::fs::write_file_atomic(f, "one");
  mycompose::fs::write_file_atomic(f, "two");
  CHECK(mycompose::fs::read_file(f) == "two");
  CHECK(std::distance(stdfs::directory_iterator(dir / "a" / "b"), stdfs::directory_iterator()) == 1);
  CHECK_THROWS_WITH(mycompose::fs::read_file(f, 2), Catch::Contains("larger than the limit"));
  CHECK_THROWS_WITH(mycompose::fs::read_file(dir / "missing"), Catch::Contains("missing: No such file"));
  stdfs::remove_all(dir);
}

// LogCursor: the reader a `logs -f` client that fell behind catches up with, from the json-file
// log while the engine goes on writing and rotating it. Every entry carries its sequence number
// as its time, so a lost or repeated entry shows as a gap or a step back.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "../../../engine/scheduler/log_cursor.hpp"
#include "../../../engine/scheduler/log_file.hpp"

#include "support/temp_dir.hpp"

using namespace mycompose::scheduler;
namespace stdfs = std::filesystem;

namespace {

struct TempDir : mycompose::test::TempDir {
  TempDir() : mycompose::test::TempDir("mycompose-logcursor") {}
};

// The writer's side: entry n has time n and text "line n".
struct Writer {
  JsonFileLog file;
  std::int64_t next = 0;
  Writer(const stdfs::path& log, long long max_size, int max_file) : file(log, config(max_size, max_file)) {}
  static LogConfig config(long long max_size, int max_file) {
    LogConfig c;
    c.max_size = max_size;
    c.max_file = max_file;
    return c;
  }
  void write(int n) {
    for (int i = 0; i < n; ++i, ++next) {
      LogEntry e;
      e.stream = next % 3 == 0 ? "stderr" : "stdout";
      e.time_ns = next;
      e.text = "line " + std::to_string(next) + "\n";
      file.write(e);
    }
  }
};

// Takes up to `max` entries (all there are now when max < 0).
std::vector<std::int64_t> take(LogCursor& c, int max = -1) {
  std::vector<std::int64_t> got;
  while (max < 0 || static_cast<int>(got.size()) < max) {
    const LogEntry* e = c.peek();
    if (!e) break;
    CHECK(e->text == "line " + std::to_string(e->time_ns) + "\n");
    CHECK(e->stream == (e->time_ns % 3 == 0 ? "stderr" : "stdout"));
    got.push_back(e->time_ns);
    c.next();
  }
  return got;
}

// from, from+1, … to-1: nothing lost, nothing twice.
void check_run(const std::vector<std::int64_t>& got, std::int64_t from, std::int64_t to) {
  REQUIRE(static_cast<std::int64_t>(got.size()) == to - from);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == from + static_cast<std::int64_t>(i));
}

}  // namespace

TEST_CASE("log cursor: a follower behind the writer catches up across rotations, every entry once and in order") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  Writer w(log, 2000, 100);  // files kept long enough that nothing is rotated away
  w.write(5);
  LogCursor c(log, log_end(log));  // a follower that starts now
  CHECK(c.peek() == nullptr);

  std::vector<std::int64_t> all;
  // The reader takes a little at a time while the writer goes on, rotating many times.
  for (int round = 0; round < 40; ++round) {
    w.write(17);
    auto got = take(c, 9);  // slower than the writer: falls further behind each round
    all.insert(all.end(), got.begin(), got.end());
  }
  REQUIRE(stdfs::exists(log.string() + ".10"));  // it did rotate, a lot
  const LogPosition mid = c.position();
  // The writer stops; the reader catches up with all of it.
  auto rest = take(c);
  all.insert(all.end(), rest.begin(), rest.end());
  check_run(all, 5, w.next);
  CHECK(c.peek() == nullptr);

  // A new entry after the catch-up is read once, then the cursor is at the end again.
  w.write(1);
  check_run(take(c), w.next - 1, w.next);
  CHECK(c.peek() == nullptr);

  // A cursor made again from a position the first one held goes on from there.
  LogCursor again(log, mid);
  auto from_mid = take(again);
  REQUIRE_FALSE(from_mid.empty());
  check_run(from_mid, from_mid.front(), w.next);
  CHECK(from_mid.front() == 5 + 40 * 9);
}

TEST_CASE("log cursor: from the start it reads the rotated files oldest first, as read_json_log does") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  Writer w(log, 700, 5);
  w.write(60);  // more than 5 files hold: the oldest are gone
  LogCursor c(log);
  auto got = take(c);
  std::vector<std::int64_t> expected;
  for (const auto& e : read_json_log(log)) expected.push_back(e.time_ns);
  CHECK(got == expected);
  REQUIRE_FALSE(got.empty());
  check_run(got, got.front(), 60);
}

TEST_CASE("log cursor: a reader so far behind that its file was rotated away skips to the oldest entry left, never back") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  Writer w(log, 600, 3);
  w.write(3);
  LogCursor c(log);
  check_run(take(c, 2), 0, 2);
  w.write(200);  // every file the reader knew is gone
  auto got = take(c);
  REQUIRE_FALSE(got.empty());
  // What is left of the log, from its oldest entry on, once each (the lost ones, as in Docker, are gone).
  std::vector<std::int64_t> left;
  for (const auto& e : read_json_log(log)) left.push_back(e.time_ns);
  REQUIRE_FALSE(left.empty());
  // It finished the file it had open (its descriptor keeps it), then went on with the oldest
  // file left: one gap, at the start of what is left, then every entry to the end.
  CHECK(got.front() == 2);
  for (std::size_t i = 1; i < got.size(); ++i) CHECK(got[i] > got[i - 1]);
  auto gap = std::find(got.begin(), got.end(), left.front());
  REQUIRE(gap != got.end());
  CHECK(std::vector<std::int64_t>(gap, got.end()) == left);
}

TEST_CASE("log cursor: a single-file log (max-file 1) that starts over is read to its end, then anew: nothing lost or twice") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  Writer w(log, 500, 1);
  w.write(3);
  LogCursor c(log);
  check_run(take(c), 0, 3);
  // The writer goes on until the file starts over, then writes past the reader's old offset.
  const auto before = stdfs::file_size(log);
  for (int n = 0; stdfs::file_size(log) >= before; ++n) {
    REQUIRE(n < 100);
    w.write(1);
  }
  CHECK_FALSE(stdfs::exists(log.string() + ".1"));
  // The new file grows past the reader's old offset (a truncation could not be told from
  // growth then), and not so far that it starts over again.
  while (stdfs::file_size(log) <= before) w.write(1);
  REQUIRE(stdfs::file_size(log) < 500);
  check_run(take(c), 3, w.next);
  CHECK(c.peek() == nullptr);
  // Several times over, with the reader taking a little each time.
  std::vector<std::int64_t> all;
  const std::int64_t from = w.next;
  for (int round = 0; round < 30; ++round) {
    w.write(4);
    auto got = take(c, 3);
    all.insert(all.end(), got.begin(), got.end());
  }
  auto rest = take(c);
  all.insert(all.end(), rest.begin(), rest.end());
  // Only what the writer threw away while the reader was two files behind may be missing.
  REQUIRE_FALSE(all.empty());
  CHECK(all.back() == w.next - 1);
  CHECK(all.front() == from);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i] > all[i - 1]);
}

TEST_CASE("log cursor: a limit (logs without -f) ends at what the log held, even after rotations") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  Writer w(log, 800, 50);
  w.write(30);
  const LogPosition limit = log_end(log);
  w.write(100);  // written after the request: not shown
  LogCursor c(log, std::nullopt, limit);
  check_run(take(c), 0, 30);
  CHECK(c.peek() == nullptr);
  w.write(5);
  CHECK(c.peek() == nullptr);
}

TEST_CASE("log cursor: a line the writer has not finished waits, a foreign line is skipped") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  Writer w(log, -1, 1);
  w.write(2);
  LogCursor c(log);
  check_run(take(c), 0, 2);
  LogEntry e;
  e.stream = "stdout";
  e.time_ns = 2;
  e.text = "line 2\n";
  const std::string line = e.json_line();
  // Appended in place (the cursor keeps its inode): a foreign line, then half an entry.
  {
    FILE* f = std::fopen(log.c_str(), "a");
    REQUIRE(f);
    std::fputs("not json\n", f);
    std::fputs(line.substr(0, 10).c_str(), f);
    std::fclose(f);
  }
  CHECK(c.peek() == nullptr);  // half an entry: not yet
  {
    FILE* f = std::fopen(log.c_str(), "a");
    REQUIRE(f);
    std::fputs(line.substr(10).c_str(), f);
    std::fclose(f);
  }
  check_run(take(c), 2, 3);
}

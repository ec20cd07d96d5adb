// The json-file log: Docker's line format, rotation by max-size/max-file, reading the
// files back in order, and the time and size notations `logs` and `logging:` take.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "../../../engine/scheduler/log_file.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"

#include "support/temp_dir.hpp"

using namespace mycompose::scheduler;
namespace stdfs = std::filesystem;

namespace {

struct TempDir : mycompose::test::TempDir {
  TempDir() : mycompose::test::TempDir("mycompose-logfile") {}
};

LogEntry entry(const std::string& text, std::int64_t t = 1'700'000'000'123'456'789, const std::string& stream = "stdout") {
  LogEntry e;
  e.stream = stream;
  e.time_ns = t;
  e.text = text;
  return e;
}

}  // namespace

TEST_CASE("log file: an entry is Docker's json-file line") {
  CHECK(entry("hello \"you\"\n").json_line() ==
        "{\"log\":\"hello \\\"you\\\"\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456789Z\"}\n");
  auto back = LogEntry::parse(R"({"log":"to err\n","stream":"stderr","time":"2023-11-14T22:13:20.5Z"})");
  REQUIRE(back);
  CHECK(back->text == "to err\n");
  CHECK(back->stream == "stderr");
  CHECK(back->time_ns == 1'700'000'000'500'000'000);
  CHECK_FALSE(LogEntry::parse("not json"));
  CHECK_FALSE(LogEntry::parse(R"({"stream":"stdout"})"));
}

TEST_CASE("log file: times as `logs --since/--until` take them") {
  const std::int64_t now = 1'700'000'000'000'000'000;
  CHECK(parse_time_filter("10m", now) == now - 600'000'000'000);
  CHECK(parse_time_filter("1h30m", now) == now - 5'400'000'000'000);
  CHECK(parse_time_filter("1.5s", now) == now - 1'500'000'000);
  CHECK(parse_time_filter("2023-11-14T22:13:20Z", now) == 1'700'000'000'000'000'000);
  CHECK(parse_time_filter("2023-11-14T23:13:20+01:00", now) == 1'700'000'000'000'000'000);
  CHECK(parse_time_filter("2023-11-14T22:13:20.25Z", now) == 1'700'000'000'250'000'000);
  CHECK(parse_time_filter("1700000000", now) == 1'700'000'000'000'000'000);
  CHECK(parse_time_filter("1700000000.000000007", now) == 1'700'000'000'000'000'007);
  CHECK_THROWS_WITH(parse_time_filter("yesterday", now), Catch::Contains("\"yesterday\" is neither a timestamp"));
  CHECK_THROWS_WITH(parse_time_filter("2023-11-14T22:13Zx", now), Catch::Contains("is neither a timestamp"));
}

TEST_CASE("log file: logging options as Docker reads them") {
  CHECK(parse_log_size("10m") == 10 * 1024 * 1024);
  CHECK(parse_log_size("1k") == 1024);
  CHECK(parse_log_size("1KiB") == 1024);
  CHECK(parse_log_size("512") == 512);
  CHECK_THROWS_WITH(parse_log_size("ten"), "invalid size: 'ten'");
  CHECK_THROWS_WITH(parse_log_size("1 0m"), "invalid size: '1 0m'");  // spaces inside were dropped before go-units
  auto c = LogConfig::from_compose({{"driver", "json-file"}, {"options", {{"max-size", "2k"}, {"max-file", "3"}}}});
  CHECK(c.driver == "json-file");
  CHECK(c.max_size == 2048);
  CHECK(c.max_file == 3);
  CHECK(c.warnings.empty());
  CHECK(LogConfig::from_compose({{"driver", "none"}}).driver == "none");
  auto other = LogConfig::from_compose({{"driver", "syslog"}, {"options", {{"tag", "x"}}}});
  CHECK(other.driver == "json-file");
  REQUIRE(other.warnings.size() == 2);
  CHECK(other.warnings[0] == "logging driver \"syslog\" is not supported: the container logs to json-file");
  CHECK_THROWS_WITH(LogConfig::from_compose({{"options", {{"max-file", "0"}}}}), "max-file cannot be less than 1");
}

TEST_CASE("log file: rotation keeps max-file files of bounded size, newest entries last") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  LogConfig c;
  c.max_size = 1000;
  c.max_file = 3;
  JsonFileLog file(log, c);
  std::size_t longest = 0;
  for (int i = 0; i < 200; ++i) {
    auto e = entry("line " + std::to_string(i) + "\n", 1'700'000'000'000'000'000 + i);
    longest = std::max(longest, e.json_line().size());
    file.write(e);
  }
  CHECK(stdfs::exists(log));
  CHECK(stdfs::exists(log.string() + ".1"));
  CHECK(stdfs::exists(log.string() + ".2"));
  CHECK_FALSE(stdfs::exists(log.string() + ".3"));
  for (const auto& f : {log.string(), log.string() + ".1", log.string() + ".2"})
    CHECK(stdfs::file_size(f) <= static_cast<std::uintmax_t>(c.max_size - 1 + static_cast<long long>(longest)));
  auto entries = read_json_log(log);
  REQUIRE(entries.size() > 20);
  CHECK(entries.size() < 200);  // the oldest went with the rotation
  CHECK(entries.back().text == "line 199\n");
  for (std::size_t i = 1; i < entries.size(); ++i) CHECK(entries[i].time_ns == entries[i - 1].time_ns + 1);  // in order, no gap
}

TEST_CASE("log file: one file (max-file 1) is truncated when it is full") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  LogConfig c;
  c.max_size = 300;
  JsonFileLog file(log, c);
  for (int i = 0; i < 50; ++i) file.write(entry("line " + std::to_string(i) + "\n"));
  CHECK_FALSE(stdfs::exists(log.string() + ".1"));
  CHECK(stdfs::file_size(log) < 400);
  CHECK(read_json_log(log).back().text == "line 49\n");
}

TEST_CASE("log file: an existing log is appended to and its size counts") {
  TempDir d;
  const stdfs::path log = d.path / "c-json.log";
  LogConfig c;
  c.max_size = 200;
  c.max_file = 2;
  { JsonFileLog(log, c).write(entry(std::string(150, 'a') + "\n")); }
  JsonFileLog again(log, c);  // a new engine: the file is already over max-size
  again.write(entry("next\n"));
  CHECK(read_json_log(log).size() == 2);
  CHECK(mycompose::fs::read_file(log).find("next") != std::string::npos);
  CHECK(mycompose::fs::read_file(log.string() + ".1").find("aaaa") != std::string::npos);
}

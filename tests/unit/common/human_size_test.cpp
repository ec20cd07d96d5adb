#include <catch2/catch.hpp>

#include "mycompose/common/human_size.hpp"

using namespace mycompose;

TEST_CASE("go-units HumanSize and HumanSizeWithPrecision") {
  CHECK(human_size(0) == "0B");
  CHECK(human_size(999) == "999B");
  CHECK(human_size(1000) == "1kB");
  CHECK(human_size(12345678) == "12.35MB");
  CHECK(human_size(1234, 3) == "1.23kB");
  CHECK(human_size(12.3e6, 3) == "12.3MB");
  // The pull progress copy stopped at PB; go-units goes on to YB.
  CHECK(human_size(2e18) == "2EB");
  CHECK(human_size(1e30) == "1e+06YB");
}

TEST_CASE("go-units BytesSize") {
  CHECK(bytes_size(0) == "0B");
  CHECK(bytes_size(1023) == "1023B");
  CHECK(bytes_size(1536) == "1.5KiB");
  CHECK(bytes_size(3.5 * 1024 * 1024) == "3.5MiB");
  CHECK(bytes_size(7.6 * 1024 * 1024 * 1024) == "7.6GiB");
}

TEST_CASE("go-units RAMInBytes: numbers, suffixes, case, one space") {
  CHECK(ram_in_bytes("42") == 42);
  CHECK(ram_in_bytes("42b") == 42);
  CHECK(ram_in_bytes("1k") == 1024);
  CHECK(ram_in_bytes("1KiB") == 1024);
  CHECK(ram_in_bytes("1kb") == 1024);
  CHECK(ram_in_bytes("512m") == 512LL << 20);
  CHECK(ram_in_bytes("1.5GB") == 3LL << 29);
  CHECK(ram_in_bytes("1 g") == 1LL << 30);
  CHECK(ram_in_bytes("2t") == 2LL << 40);
  CHECK(ram_in_bytes("1p") == 1LL << 50);
  CHECK(ram_in_bytes("0.5k") == 512);
  CHECK(ram_in_bytes("0.3") == 0);  // truncated
  CHECK(ram_in_bytes("1ki") == 1024);  // go-units' pattern lets i and b stand alone
  CHECK(ram_in_bytes("7i") == 7);
  CHECK(ram_in_bytes("7ib") == 7);
}

TEST_CASE("go-units RAMInBytes: what it refuses") {
  // The two old readers disagreed on these: the log max-size reader dropped every space and
  // read the number with stold (".5", "1."); go-units refuses them, as the compose reader did.
  CHECK_FALSE(ram_in_bytes("1 0m"));
  CHECK_FALSE(ram_in_bytes(".5k"));
  CHECK_FALSE(ram_in_bytes("1.k"));
  CHECK(ram_in_bytes("1 ") == 1);  // the one space, with no unit after it
  CHECK_FALSE(ram_in_bytes(""));
  CHECK_FALSE(ram_in_bytes("ten"));
  CHECK_FALSE(ram_in_bytes("k"));
  CHECK_FALSE(ram_in_bytes("-1"));
  CHECK_FALSE(ram_in_bytes("1e3"));
  CHECK_FALSE(ram_in_bytes("1.2.3"));
  CHECK_FALSE(ram_in_bytes("1x"));
  CHECK_FALSE(ram_in_bytes("1kib2"));
  CHECK_FALSE(ram_in_bytes("1bb"));
  CHECK_FALSE(ram_in_bytes("1bi"));
  CHECK_FALSE(ram_in_bytes("1  k"));
  CHECK_FALSE(ram_in_bytes("8192p"));  // 2^63: more than an int64
  CHECK(ram_in_bytes("8191p") == 8191LL << 50);
}

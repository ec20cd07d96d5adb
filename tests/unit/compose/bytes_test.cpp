// Byte sizes: docker's units in, compose's decimal string out.
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {
json size(const std::string& key, const std::string& v) {
  return web("services:\n  web:\n    image: x\n    " + key + ": " + v + "\n")[key];
}
}  // namespace

TEST_CASE("byte sizes: binary units, case-insensitive", "[bytes]") {
  CHECK(size("mem_limit", "1g") == "1073741824");
  CHECK(size("mem_limit", "512m") == "536870912");
  CHECK(size("mem_limit", "512MB") == "536870912");
  CHECK(size("mem_limit", "1.5g") == "1610612736");
  CHECK(size("shm_size", "64k") == "65536");
  CHECK(size("shm_size", "1024") == "1024");
  CHECK(size("shm_size", "100b") == "100");
  CHECK(size("memswap_limit", "-1") == "-1");
  CHECK(size("mem_reservation", "2GiB") == "2147483648");
}

TEST_CASE("byte sizes: deploy resources", "[bytes]") {
  json w = web("services:\n  web:\n    image: x\n    deploy:\n      resources:\n        limits:\n          cpus: '0.50'\n          memory: 50M\n          pids: 100\n");
  CHECK(w["deploy"]["resources"]["limits"].dump() == R"({"cpus":0.5,"memory":"52428800","pids":100})");
}

TEST_CASE("byte sizes: invalid ones are errors", "[bytes]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    mem_limit: lots\n") ==
        "compose.yaml:4:16: services.web.mem_limit: invalid byte size \"lots\" (expected a number with an optional unit b, k, m, g, t, p, such as 512m or 1g)");
  CHECK(error_of("services:\n  web:\n    image: x\n    mem_limit: 1q\n").find("invalid byte size \"1q\"") != std::string::npos);
}

TEST_CASE("byte sizes: the accepted spellings, edge by edge", "[bytes]") {
  CHECK(size("shm_size", "1g") == "1073741824");
  CHECK(size("shm_size", "1.5GB") == "1610612736");
  CHECK(size("shm_size", "'512 m'") == "536870912");   // one space before the unit
  CHECK(size("shm_size", "10kib") == "10240");
  CHECK(size("shm_size", "10KiB") == "10240");
  CHECK(size("shm_size", "2p") == "2251799813685248");
  CHECK(size("shm_size", "7i") == "7");                 // docker's pattern lets i/b stand alone
  CHECK(size("shm_size", "7ib") == "7");
  CHECK(size("shm_size", "0.5k") == "512");
  CHECK(size("shm_size", "'7 '") == "7");
  for (const char* bad : {"1.", ".5g", "1..5g", "'512  m'", "'-5m'", "1gg", "1bi", "1kx", "1e3", "'1g '", "10000000000000000000"})
    CHECK(error_of(std::string("services:\n  web:\n    image: x\n    shm_size: ") + bad + "\n").find("invalid byte size") !=
          std::string::npos);
}

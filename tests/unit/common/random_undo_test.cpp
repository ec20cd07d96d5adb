#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <vector>

#include "mycompose/common/random.hpp"
#include "mycompose/common/undo.hpp"

using namespace mycompose;

TEST_CASE("random_hex: the length asked for, hex only, never twice the same") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = random_hex(32);
    REQUIRE(id.size() == 64);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(seen.insert(id).second);
  }
  CHECK(random_hex(0).empty());
  CHECK(random_hex(6).size() == 12);
}

TEST_CASE("random_bytes fills more than one getrandom call returns") {
  std::vector<unsigned char> big(1 << 20, 0);
  random_bytes(big.data(), big.size());
  CHECK(std::set<unsigned char>(big.begin(), big.end()).size() == 256);
}

TEST_CASE("UndoSteps undoes in reverse when the scope is left early") {
  std::vector<int> order;
  try {
    UndoSteps undo;
    undo.add([&] { order.push_back(1); });
    undo.add([&] { throw std::runtime_error("an undo that fails does not stop the others"); });
    undo.add([&] { order.push_back(3); });
    throw std::runtime_error("the operation fails");
  } catch (const std::runtime_error&) {
  }
  CHECK(order == std::vector<int>{3, 1});
}

TEST_CASE("UndoSteps keeps everything after commit") {
  std::vector<int> order;
  {
    UndoSteps undo;
    undo.add([&] { order.push_back(1); });
    undo.commit();
  }
  CHECK(order.empty());
}

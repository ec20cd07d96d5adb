// The engine's index of container names (create checks a name there instead of reading
// every record): a name held or being created is refused, a holder that is gone (removed by
// another process) does not keep it, and the records are read once.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../../../engine/scheduler/container_names.hpp"

using namespace mycompose::scheduler;

namespace {

struct Records {
  std::map<std::string, std::string> by_name;  // what the records say
  int loads = 0;
  ContainerNames::LoadAll load() {
    return [this] {
      ++loads;
      return by_name;
    };
  }
  ContainerNames::Holds holds() {
    return [this](const std::string& id, const std::string& name) {
      auto it = by_name.find(name);
      return it != by_name.end() && it->second == id;
    };
  }
};

}  // namespace

TEST_CASE("container names: a name held by a record is refused, others are free, records read once") {
  ContainerNames names;
  Records recs;
  recs.by_name = {{"shop-web-1", "aaa"}};
  CHECK(names.reserve("shop-web-1", "bbb", recs.load(), recs.holds()) == std::optional<std::string>("aaa"));
  CHECK(names.reserve("shop-web-2", "bbb", recs.load(), recs.holds()) == std::nullopt);
  names.confirm("shop-web-2", "bbb");
  recs.by_name["shop-web-2"] = "bbb";  // its record, written by the create
  CHECK(names.reserve("shop-web-2", "ccc", recs.load(), recs.holds()) == std::optional<std::string>("bbb"));
  CHECK(recs.loads == 1);
}

TEST_CASE("container names: a create in progress holds its name until it ends") {
  ContainerNames names;
  Records recs;
  REQUIRE(names.reserve("p-a-1", "one", recs.load(), recs.holds()) == std::nullopt);
  // No record yet (the create is running), and still refused.
  CHECK(names.reserve("p-a-1", "two", recs.load(), recs.holds()) == std::optional<std::string>("one"));
  {
    NameReservation failed(names, "p-a-1", "one");  // the create failed: not confirmed
  }
  CHECK(names.reserve("p-a-1", "two", recs.load(), recs.holds()) == std::nullopt);
}

TEST_CASE("container names: a holder whose container is gone gives the name up") {
  ContainerNames names;
  Records recs;
  recs.by_name = {{"p-a-1", "old"}};
  CHECK(names.reserve("p-a-1", "new", recs.load(), recs.holds()) == std::optional<std::string>("old"));
  recs.by_name.clear();  // removed behind the index's back (system check --fix)
  CHECK(names.reserve("p-a-1", "new", recs.load(), recs.holds()) == std::nullopt);
}

TEST_CASE("container names: of parallel creates of one name exactly one gets it") {
  ContainerNames names;
  Records recs;
  std::vector<std::thread> threads;
  std::vector<int> won(16, 0);
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] { won[i] = names.reserve("p-a-1", "id" + std::to_string(i), recs.load(), recs.holds()) ? 0 : 1; });
  for (auto& t : threads) t.join();
  int winners = 0;
  for (int w : won) winners += w;
  CHECK(winners == 1);
}

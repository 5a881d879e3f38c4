// The map of live sessions: ids are unique, a session is taken once and the reason it ended is
// remembered (for a bounded number of ends), and takeAll() closes the map to later adds.
#include "session/session_map.h"
#include "unit/session/fake_sessions.h"

#include <algorithm>
#include <atomic>
#include <doctest/doctest.h>
#include <thread>
#include <vector>

using namespace wdh;
using wdhtest::fakeSession;

TEST_CASE("session map: add, find, take once, and the reason it ended") {
  SessionMap map;
  auto one = fakeSession("one");
  CHECK(map.add(one));
  CHECK_FALSE(map.add(fakeSession("one"))); // the id is taken
  CHECK(map.size() == 1);
  CHECK(map.find("one") == one);
  CHECK(map.find("two") == nullptr);
  CHECK(map.endReason("one").empty());

  CHECK(map.take("one", "it was deleted") == one);
  CHECK(map.take("one", "again") == nullptr); // taken once: a second Delete finds nothing
  CHECK(map.find("one") == nullptr);
  CHECK(map.size() == 0);
  CHECK(map.endReason("one") == "it was deleted"); // the first reason stays
  CHECK(map.take("never", "x") == nullptr);
  CHECK(map.endReason("never").empty()); // nothing remembered for an id never live
}

TEST_CASE("session map: all() lists the live sessions; takeAll() empties and closes the map") {
  SessionMap map;
  REQUIRE(map.add(fakeSession("a")));
  REQUIRE(map.add(fakeSession("b")));
  std::vector<std::string> ids;
  for (const auto& session : map.all())
    ids.push_back(session->id());
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(map.closed());

  CHECK(map.takeAll("the host is shutting down").size() == 2);
  CHECK(map.closed());
  CHECK(map.size() == 0);
  CHECK(map.all().empty());
  CHECK(map.endReason("a") == "the host is shutting down");
  CHECK_FALSE(map.add(fakeSession("c"))); // a launch that finishes during shutdown is refused
  CHECK(map.takeAll("again").empty());
}

TEST_CASE("session map: the reasons of the last 4096 ends are kept, the oldest forgotten") {
  SessionMap map;
  for (int i = 0; i < 4097; ++i) {
    std::string id = "s" + std::to_string(i);
    auto live = fakeSession(id);
    REQUIRE(map.add(live));
    REQUIRE(map.take(id, "ended " + std::to_string(i)) == live);
  }
  CHECK(map.endReason("s0").empty());
  CHECK(map.endReason("s1") == "ended 1");
  CHECK(map.endReason("s4096") == "ended 4096");
}

TEST_CASE("session map: concurrent takes of one session hand it to exactly one caller") {
  SessionMap map;
  REQUIRE(map.add(fakeSession("raced")));
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      if (map.take("raced", "it was deleted"))
        ++winners;
    });
  for (auto& thread : threads)
    thread.join();
  CHECK(winners.load() == 1);
}

#include "core/uuid.h"

#include <doctest/doctest.h>
#include <set>

TEST_CASE("uuid: version 4 format and no repeats") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = wdh::randomUuid();
    REQUIRE(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[14] == '4');
    CHECK((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'));
    CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

#include "webdriver/vendor_status.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

// The Execute Script body a client sends for `script`.
std::string body(const std::string& script) {
  std::string escaped;
  for (char c : script) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return "{\"script\":\"" + escaped + "\",\"args\":[]}";
}

} // namespace

TEST_CASE("vendor status: each vendor's pass and fail scripts are session events") {
  VendorStatus said;
  REQUIRE(
      readVendorStatus(body(R"(browserstack_executor: {"action": "setSessionStatus", "arguments": )"
                            R"({"status":"failed","reason": "title mismatch"}})"),
                       &said));
  CHECK(said.eventType == "test:failed");
  CHECK(said.note.find("title mismatch") != std::string::npos);
  REQUIRE(readVendorStatus(body(R"(browserstack_executor: {"action": "setSessionStatus", )"
                                R"("arguments": {"status":"passed"}})"),
                           &said));
  CHECK(said.eventType == "test:passed");
  REQUIRE(readVendorStatus(body("sauce:job-result=failed"), &said));
  CHECK(said.eventType == "test:failed");
  REQUIRE(readVendorStatus(body("sauce:job-result=true"), &said));
  CHECK(said.eventType == "test:passed");
  REQUIRE(readVendorStatus(body("lambda-status=failed"), &said));
  CHECK(said.eventType == "test:failed");
  REQUIRE(readVendorStatus(body("  lambda-status=passed "), &said));
  CHECK(said.eventType == "test:passed");
}

TEST_CASE("vendor status: their other scripts are answered without an outcome") {
  VendorStatus said;
  REQUIRE(readVendorStatus(body("sauce:context=Step 2: log in"), &said));
  CHECK(said.eventType.empty());
  CHECK(said.note == "Sauce Labs context: Step 2: log in");
  REQUIRE(readVendorStatus(body("lambda-status=skipped"), &said));
  CHECK(said.eventType.empty());
  REQUIRE(readVendorStatus(
      body(R"(browserstack_executor: {"action": "annotate", "arguments": {"data": "here"}})"),
      &said));
  CHECK(said.eventType.empty());
  CHECK(said.note.find("here") != std::string::npos);
  REQUIRE(readVendorStatus(body("browserstack_executor: not json"), &said));
  CHECK(said.eventType.empty());
}

TEST_CASE("vendor status: JavaScript a page could mean is run as usual") {
  VendorStatus said;
  CHECK_FALSE(readVendorStatus(body("return document.title"), &said));
  CHECK_FALSE(readVendorStatus(body("sauce: return 1"), &said)); // a label
  CHECK_FALSE(readVendorStatus(body("sauce:foo()"), &said));     // a label too
  CHECK_FALSE(readVendorStatus(body("return 'sauce:job-result=failed'"), &said));
  CHECK_FALSE(readVendorStatus(body("var lambda = 1; lambda-status"), &said));
  CHECK_FALSE(readVendorStatus("not json sauce:job-result=failed", &said));
  CHECK_FALSE(readVendorStatus(R"({"script": 5, "x": "lambda-status=failed"})", &said));
}

#include <doctest/doctest.h>
#include <wdhost/description.hpp>
#include <wdhost/driver_session.hpp>
#include <wdhost/helpers.hpp>
#include <wdhost/w3c_endpoints.hpp>

TEST_CASE("sdk helpers: versions, ports and tails are read from driver output") {
  CHECK(wdhost::extractVersion("ChromeDriver 156.0.8078.79 (a21ce95c24-refs/branch-heads/8078)") ==
        "156.0.8078.79");
  CHECK(wdhost::extractVersion("Chromium 156.0.8078.79 built on Debian") == "156.0.8078.79");
  CHECK(wdhost::extractVersion("Mozilla Firefox 128.5.0esr") == "128.5.0");
  CHECK(wdhost::extractVersion("no version here 7") == "");
  CHECK(wdhost::portAfter("ChromeDriver was started successfully on port 34635.\n",
                          "started successfully on port ") == 34635);
  CHECK(wdhost::portAfter("on port 99999", "on port ") == 0);
  CHECK(wdhost::portAfter("nothing", "on port ") == 0);
  CHECK(wdhost::tailLines("a\nb\nc\n", 2) == "b\nc");
}

TEST_CASE("sdk helpers: executables are found by override, PATH and candidates") {
  CHECK(wdhost::findExecutable("/bin/sh", {}, {}) == std::optional<std::string>("/bin/sh"));
  CHECK_FALSE(wdhost::findExecutable("/nonexistent/x", {"sh"}, {}));
  CHECK(wdhost::findExecutable("", {"sh"}, {}).has_value());
  CHECK(wdhost::findExecutable("", {"no-such-binary-wdhost"}, {"/bin/sh"}) ==
        std::optional<std::string>("/bin/sh"));
}

TEST_CASE("sdk helpers: the user-agent cache remembers per key and stays bounded") {
  wdhost::UserAgentCache cache;
  CHECK_FALSE(cache.find("a").has_value());
  cache.remember("a", "Agent/1");
  cache.remember("a", "Agent/2");
  REQUIRE(cache.find("a").has_value());
  CHECK(*cache.find("a") == "Agent/2");
  for (int i = 0; i < 100; ++i)
    cache.remember("key" + std::to_string(i), "x");
  CHECK_FALSE(cache.find("a").has_value()); // the oldest went first
  CHECK(cache.find("key99").has_value());
  CHECK_FALSE(cache.find("key0").has_value());
}

TEST_CASE("sdk helpers: a description is the JSON describe() returns") {
  wdhost::Description description;
  description.browserName = "webkit";
  description.platformName = "linux";
  description.headless = false;
  description.details = {{"mode", "gtk"}};
  description.browsers = {{"MiniBrowser", "2.50", "/usr/bin/MiniBrowser"}};
  CHECK(description.toJson() ==
        R"({"browserName":"webkit","platformName":"linux","headless":false,"mode":"gtk",)"
        R"("browsers":[{"name":"MiniBrowser","version":"2.50","path":"/usr/bin/MiniBrowser"}]})");
  description.browserNames = {"wk"};
  description.driver = wdhost::ProgramFound{"WebKitWebDriver", "2.50", "/usr/bin/WebKitWebDriver"};
  std::string json = description.toJson();
  CHECK(json.find(R"("browserNames":["wk"])") != std::string::npos);
  CHECK(json.find(R"("driver":{"name":"WebKitWebDriver","version":"2.50",)") != std::string::npos);
}

namespace {

// What a fake host table's reply callbacks received.
struct Received {
  std::string call, code, message, data;
};

void WDHOST_CALL recordError(wdhost_reply* reply, wdhost_str error, wdhost_str message) {
  auto* out = reinterpret_cast<Received*>(reply);
  *out = {"reply_error", std::string(wdhost::view(error)), std::string(wdhost::view(message)), ""};
}

void WDHOST_CALL recordErrorData(wdhost_reply* reply, wdhost_str error, wdhost_str message,
                                 wdhost_str data) {
  auto* out = reinterpret_cast<Received*>(reply);
  *out = {"reply_error_data", std::string(wdhost::view(error)), std::string(wdhost::view(message)),
          std::string(wdhost::view(data))};
}

} // namespace

TEST_CASE("sdk helpers: an error's data goes through reply_error_data, on a 1.2 host only") {
  wdhost_host host{};
  host.struct_size = sizeof(wdhost_host);
  host.reply_error = &recordError;
  host.reply_error_data = &recordErrorData;
  Received got;
  auto* reply = reinterpret_cast<wdhost_reply*>(&got);
  auto throwing = []() -> wdhost_status {
    throw wdhost::Error("unexpected alert open", "a prompt", R"({"text":"hi"})");
  };
  CHECK(wdhost::detail::guard(&host, reply, throwing) == WDHOST_ERROR);
  CHECK(got.call == "reply_error_data");
  CHECK(got.data == R"({"text":"hi"})");

  CHECK(wdhost::detail::guard(&host, reply, []() -> wdhost_status {
          throw wdhost::Error("no such alert", "none");
        }) == WDHOST_ERROR);
  CHECK(got.call == "reply_error"); // no data: the 1.0 call

  host.struct_size = offsetof(wdhost_host, reply_error_data); // a 1.1 host's table
  CHECK(wdhost::detail::guard(&host, reply, throwing) == WDHOST_ERROR);
  CHECK(got.call == "reply_error");
  CHECK(got.code == "unexpected alert open");
  CHECK(got.message == "a prompt");
}

TEST_CASE("sdk helpers: endpoint paths match with their segments percent-decoded") {
  std::vector<std::string> segments;
  CHECK(wdhost::w3c::matchPath("/element/*/attribute/*", "/element/E%201/attribute/a%2Fb",
                               &segments));
  CHECK(segments == std::vector<std::string>{"E 1", "a/b"});
  CHECK_FALSE(wdhost::w3c::matchPath("/element/*/click", "/element//click"));
  CHECK_FALSE(wdhost::w3c::matchPath("/element/*/click", "/element/E/click/x"));
  CHECK_FALSE(wdhost::w3c::matchPath("/cookie", "/cookies"));
  CHECK(wdhost::w3c::percentDecode("%e2%82%ac") == "\xe2\x82\xac");
  CHECK(wdhost::w3c::percentDecode("100%") == "100%");
  CHECK(wdhost::w3c::percentDecode("%zz") == "%zz");
}

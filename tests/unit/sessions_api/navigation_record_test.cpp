// The main document's chain folded from WebDriver BiDi network events, as chromedriver and
// Firefox send them (shapes taken from both browsers' real events).
#include "sessions_api/navigation_record.h"

#include <doctest/doctest.h>
#include <string>

using namespace wdh;

namespace {

// Feeds one event given as JSON text.
void feed(DocumentChains& chains, const char* method, const std::string& params) {
  rapidjson::Document doc;
  doc.Parse(params.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  chains.add(method, doc);
}

std::string header(const char* name, const char* value) {
  return std::string(R"({"name":")") + name + R"(","value":{"type":"string","value":")" + value +
         "\"}}";
}

std::string sent(const char* context, const char* navigation, int redirects, const char* id,
                 const char* url, const std::string& headers, const char* destination = "") {
  return std::string(R"({"context":")") + context + R"(","navigation":)" + navigation +
         R"(,"redirectCount":)" + std::to_string(redirects) + R"(,"request":{"request":")" + id +
         R"(","url":")" + url + R"(","method":"GET","destination":")" + destination +
         R"(","headers":[)" + headers + "]}}";
}

std::string completed(const char* context, const char* navigation, int redirects, const char* id,
                      int status, const std::string& headers) {
  return std::string(R"({"context":")") + context + R"(","navigation":)" + navigation +
         R"(,"redirectCount":)" + std::to_string(redirects) + R"(,"request":{"request":")" + id +
         R"("},"response":{"status":)" + std::to_string(status) + R"(,"headers":[)" + headers +
         "]}}";
}

} // namespace

TEST_CASE("a redirect chain is recorded hop by hop, subresources and other contexts left out") {
  DocumentChains chains("top");
  feed(chains, "network.beforeRequestSent",
       sent("top", "\"n1\"", 0, "r", "http://a/r1", header("User-Agent", "UA")));
  feed(chains, "network.responseCompleted",
       completed("top", "\"n1\"", 0, "r", 302, header("Location", "/page")));
  feed(chains, "network.beforeRequestSent",
       sent("top", "\"n1\"", 1, "r", "http://a/page", header("Cookie", "a=1")));
  // An image of the page and a frame's document: not the main document.
  feed(chains, "network.beforeRequestSent",
       sent("top", "null", 0, "img", "http://a/x.png", header("Accept", "image/*"), "image"));
  feed(chains, "network.beforeRequestSent",
       sent("frame", "\"n2\"", 0, "f", "http://a/frame", header("Accept", "*/*")));
  feed(chains, "network.responseCompleted",
       completed("top", "null", 0, "img", 200, header("Content-Type", "image/png")));
  // chromedriver repeats the redirect's Location on the final response.
  feed(chains, "network.responseCompleted",
       completed("top", "\"n1\"", 1, "r", 200,
                 header("X-Final", "yes") + "," + header("Location", "/page")));

  const auto& chain = chains.latest();
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].url == "http://a/r1");
  CHECK(chain[0].status == 302);
  CHECK(chain[0].responseHeaders.size() == 1);
  CHECK(chain[1].url == "http://a/page");
  CHECK(chain[1].method == "GET");
  CHECK(chain[1].status == 200);
  REQUIRE(chain[1].responseHeaders.size() == 1);
  CHECK(chain[1].responseHeaders[0].first == "X-Final");
  REQUIRE(chain[1].requestHeaders.size() == 1);
  CHECK(chain[1].requestHeaders[0].second == "a=1");
}

TEST_CASE("a later navigation replaces the chain, and repeated request lines are listed once") {
  DocumentChains chains("top");
  feed(chains, "network.beforeRequestSent",
       sent("top", "\"n1\"", 0, "first", "http://a/", header("Accept", "*/*")));
  feed(chains, "network.beforeRequestSent",
       sent("top", "null", 0, "second", "http://b/",
            header("Accept", "*/*") + "," + header("accept", "*/*") + "," +
                header("Accept", "text/html"),
            "document"));
  const auto& chain = chains.latest();
  REQUIRE(chain.size() == 1);
  CHECK(chain[0].url == "http://b/");
  CHECK(chain[0].status == 0);
  CHECK(chain[0].requestHeaders.size() == 2);
}

TEST_CASE("malformed events are ignored") {
  DocumentChains chains("top");
  for (const char* params : {"{}", "[]", R"({"context":"top","request":7})",
                             R"({"context":"top","navigation":"n","request":{"request":1}})",
                             R"({"context":"top","navigation":"n","redirectCount":9,)"
                             R"("request":{"request":"x"},"response":{"status":"200"}})"})
    feed(chains, "network.responseCompleted", params);
  feed(chains, "network.beforeRequestSent", R"({"context":"top","navigation":"n","request":{}})");
  feed(chains, "network.responseCompleted",
       R"({"context":"top","navigation":"n","redirectCount":5,"request":{},"response":{}})");
  REQUIRE(chains.latest().size() == 1);
  CHECK(chains.latest()[0].status == 0);
}

TEST_CASE("headers become one object: lower-case names, repeats joined") {
  HeaderLines lines = {
      {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}, {"Vary", "Accept"}, {"VARY", "Origin"}};
  rapidjson::Document doc;
  headersToJson(lines, &doc, doc.GetAllocator());
  REQUIRE(doc.IsObject());
  CHECK(doc.MemberCount() == 2);
  CHECK(std::string(doc["set-cookie"].GetString()) == "a=1\nb=2");
  CHECK(std::string(doc["vary"].GetString()) == "Accept, Origin");
}

// Reading a sessions-API command's fields: what the clients send is taken, what is wrong is a
// 400 naming the field.
#include "sessions_api/request_input.h"

#include <doctest/doctest.h>

using namespace wdh;

namespace {

rapidjson::Document command(const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  REQUIRE(doc.IsObject());
  return doc;
}

bool says(const ApiReply& reply, const char* field) {
  return reply.httpStatus == 400 && reply.body.find(field) != std::string::npos;
}

} // namespace

TEST_CASE("request input: the session id, required or not") {
  std::string id;
  ApiReply error;
  CHECK(sessionOf(command(R"({"session":"s1"})"), true, &id, &error));
  CHECK(id == "s1");
  CHECK(sessionOf(command(R"({})"), false, &id, &error));
  CHECK_FALSE(sessionOf(command(R"({})"), true, &id, &error));
  CHECK(says(error, "session"));
  CHECK_FALSE(sessionOf(command(R"({"session":""})"), false, &id, &error));
  CHECK_FALSE(sessionOf(command(R"({"session":7})"), false, &id, &error));
}

TEST_CASE("request input: cookies as a string or a list, bad names and values are refused") {
  std::vector<PageCookie> cookies;
  ApiReply error;
  REQUIRE(readCookies(command(R"({"cookies":"a=1; b=x=y;  ;c="})"), &cookies, &error));
  REQUIRE(cookies.size() == 3);
  CHECK(cookies[1].name == "b");
  CHECK(cookies[1].value == "x=y");
  CHECK(cookies[2].value.empty());
  cookies.clear();
  REQUIRE(readCookies(command(R"({"cookies":[{"name":"s","value":"1","domain":"a.test"}]})"),
                      &cookies, &error));
  CHECK(cookies.at(0).domain == "a.test");
  for (const char* bad : {R"({"cookies":"=1"})", R"({"cookies":"a b=1"})",
                          R"({"cookies":"a=1\r\nX: y"})", R"({"cookies":5})"})
    CHECK_MESSAGE(!readCookies(command(bad), &cookies, &error), bad);
  CHECK(says(error, "cookies"));
}

TEST_CASE("request input: headers are tokens with one-line values") {
  std::vector<std::pair<std::string, std::string>> headers;
  ApiReply error;
  REQUIRE(
      readHeaders(command(R"({"customHeaders":{"X-Test":"1","Accept":"a/b"}})"), &headers, &error));
  CHECK(headers.size() == 2);
  CHECK_FALSE(readHeaders(command(R"({"customHeaders":{"X Test":"1"}})"), &headers, &error));
  CHECK_FALSE(readHeaders(command(R"({"customHeaders":{"X":"a\nb"}})"), &headers, &error));
  CHECK_FALSE(readHeaders(command(R"({"customHeaders":["X"]})"), &headers, &error));
  CHECK(says(error, "customHeaders"));
}

TEST_CASE("request input: request type, timeout and form data") {
  bool plain = false;
  ApiReply error;
  CHECK(readRequestType(command(R"({})"), "GET", &plain, &error));
  CHECK_FALSE(plain);
  CHECK(readRequestType(command(R"({})"), "PUT", &plain, &error));
  CHECK(plain); // a browser loads no PUT
  CHECK_FALSE(readRequestType(command(R"({"requestType":"browser"})"), "DELETE", &plain, &error));
  CHECK(says(error, "requestType"));
  std::chrono::milliseconds budget{0};
  CHECK(readTimeout(command(R"({})"), std::chrono::seconds(60), &budget, &error));
  CHECK(budget == std::chrono::seconds(60));
  CHECK(readTimeout(command(R"({"timeout":2500})"), std::chrono::seconds(60), &budget, &error));
  CHECK(budget == std::chrono::milliseconds(2500));
  for (const char* bad : {R"({"timeout":999})", R"({"timeout":300001})", R"({"timeout":"5"})"})
    CHECK_MESSAGE(!readTimeout(command(bad), std::chrono::seconds(60), &budget, &error), bad);
  std::string form;
  REQUIRE(readFormData(command(R"({"postData":{"a":"1&2","b":3}})"), &form, &error));
  CHECK(form == "a=1%262&b=3");
}

TEST_CASE("request input: a plain request takes a JSON or form body, and no page options") {
  PageRequest page;
  page.url = "https://a.test/";
  page.headers = {{"X-Test", "1"}};
  PlainRequest plain;
  ApiReply error;
  REQUIRE(readPlainRequest(command(R"({"postData":{"k":[1,2]}})"), page, &plain, &error));
  CHECK(plain.body == R"({"k":[1,2]})");
  CHECK(plain.contentType == "application/json");
  REQUIRE(readPlainRequest(command(R"({"postData":"a=1"})"), page, &plain, &error));
  CHECK(plain.contentType == "application/x-www-form-urlencoded");
  CHECK_FALSE(readPlainRequest(command(R"({"screenshot":true})"), page, &plain, &error));
  CHECK(says(error, "screenshot"));
  page.headers = {{"cookie", "a=1"}};
  CHECK_FALSE(readPlainRequest(command(R"({})"), page, &plain, &error));
  CHECK(says(error, "Cookie"));
}

// The server's request framing: where a request ends, chunked bodies, limits and bad input.
#include "server/request_parser.h"

#include <doctest/doctest.h>
#include <string>

using namespace wdh;

namespace {

ParseState parse(const std::string& bytes, Request* out, Status* error, RequestLimits limits = {}) {
  return parseRequest(bytes, limits, out, error);
}

} // namespace

TEST_CASE("request parser: a request with a Content-Length body, and what follows it") {
  std::string first = "POST /session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Content-Length: 2\r\n\r\n{}";
  std::string next = "GET /status HTTP/1.1\r\n\r\n";
  Request request;
  Status error;
  REQUIRE(parse(first + next, &request, &error) == ParseState::Complete);
  CHECK(request.method == "POST");
  CHECK(request.target == "/session");
  CHECK(request.body == "{}");
  CHECK(request.authorization == "Bearer t");
  CHECK(request.keepAlive);
  CHECK_FALSE(request.http10);
  CHECK(request.consumed == first.size());
  REQUIRE(parse(next, &request, &error) == ParseState::Complete);
  CHECK(request.method == "GET");
  CHECK(request.body.empty());
}

TEST_CASE("request parser: every prefix of a request is incomplete, never wrong") {
  std::string whole = "POST /session/abc/url HTTP/1.1\r\nContent-Length: 12\r\n\r\n"
                      "{\"url\":\"x:\"}";
  Request request;
  Status error;
  for (std::size_t length = 0; length < whole.size(); ++length) {
    CAPTURE(length);
    CHECK(parse(whole.substr(0, length), &request, &error) == ParseState::Incomplete);
  }
  CHECK(parse(whole, &request, &error) == ParseState::Complete);
}

TEST_CASE("request parser: chunked bodies, with extensions and trailers, bare LF accepted") {
  std::string chunked =
      "POST /session HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\n{\"a\r\nA\r\n\":12345678\r\n1\r\n}\r\n0\r\nX-Trailer: y\r\n\r\n";
  Request request;
  Status error;
  REQUIRE(parse(chunked, &request, &error) == ParseState::Complete);
  CHECK(request.body == "{\"a\":12345678}");
  CHECK(request.consumed == chunked.size());
  for (std::size_t length = 0; length < chunked.size(); ++length)
    CHECK(parse(chunked.substr(0, length), &request, &error) == ParseState::Incomplete);
  std::string lf = "POST /s HTTP/1.1\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n";
  REQUIRE(parse(lf, &request, &error) == ParseState::Complete);
  CHECK(request.body == "ok");
}

TEST_CASE("request parser: leading empty lines are skipped and counted") {
  std::string bytes = "\r\n\r\nGET /status HTTP/1.1\r\n\r\n";
  Request request;
  Status error;
  REQUIRE(parse(bytes, &request, &error) == ParseState::Complete);
  CHECK(request.consumed == bytes.size());
}

TEST_CASE("request parser: keep-alive follows the version and Connection") {
  Request request;
  Status error;
  REQUIRE(parse("GET / HTTP/1.0\r\n\r\n", &request, &error) == ParseState::Complete);
  CHECK(request.http10);
  CHECK_FALSE(request.keepAlive);
  REQUIRE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &request, &error) ==
          ParseState::Complete);
  CHECK(request.keepAlive);
  REQUIRE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &request, &error) ==
          ParseState::Complete);
  CHECK_FALSE(request.keepAlive);
}

TEST_CASE("request parser: Expect 100-continue is reported while the body is missing") {
  Request request;
  Status error;
  CHECK(parse("POST /session HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
              &request, &error) == ParseState::Incomplete);
  CHECK(request.expectsContinue);
}

TEST_CASE("request parser: limits and malformed input are invalid argument with a reason") {
  RequestLimits limits;
  limits.maxBodySize = 10;
  limits.maxHeadSize = 200;
  const std::pair<std::string, std::string> cases[] = {
      {"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", "--max-body-size"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", "--max-body-size"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk-size"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "not supported"},
      {"POST / HTTP/1.1\r\nContent-Length: -4\r\n\r\n", "Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: many\r\n\r\n", "framing"},
      {"GET / HTTP/2.0\r\n\r\n", "HTTP/1.1"},
      {"\x16\x03\x01 hello tls?\r\n\r\n", "HTTP/1.1"},
      {"GET\r\n\r\n", "HTTP/1.1"},
      {"GET / HTTP/1.1\r\nX: " + std::string(300, 'x'), "larger than the 200 bytes"},
  };
  for (const auto& [bytes, reason] : cases) {
    CAPTURE(bytes);
    Request request;
    Status error;
    CHECK(parseRequest(bytes, limits, &request, &error) == ParseState::Invalid);
    CHECK(error.code() == ErrorCode::InvalidArgument);
    CHECK(error.message().find(reason) != std::string::npos);
  }
}

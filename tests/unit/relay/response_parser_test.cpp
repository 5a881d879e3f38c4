// The relay's reading of driver responses: framing by length, chunks or close; interim answers.
#include "relay/response_parser.h"

#include <doctest/doctest.h>
#include <string>

using namespace wdh;

TEST_CASE("response parser: Content-Length framing, and every prefix is incomplete") {
  std::string whole = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: 25\r\n\r\n{\"value\":\"about:blank\"}\r\n";
  ParsedResponse response;
  Status error;
  for (std::size_t length = 0; length < whole.size(); ++length) {
    CAPTURE(length);
    CHECK(parseResponse(std::string_view(whole).substr(0, length), false, false, &response,
                        &error) == ParseState::Incomplete);
  }
  REQUIRE(parseResponse(whole, false, false, &response, &error) == ParseState::Complete);
  CHECK(response.status == 200);
  CHECK(response.contentType == "application/json; charset=utf-8");
  CHECK(response.body == "{\"value\":\"about:blank\"}\r\n");
  CHECK(response.keepAlive);
  CHECK(response.consumed == whole.size());
}

TEST_CASE("response parser: chunked, interim 100, and a body that ends with the connection") {
  ParsedResponse response;
  Status error;
  std::string chunked = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n";
  REQUIRE(parseResponse(chunked, false, false, &response, &error) == ParseState::Complete);
  CHECK(response.status == 404);
  CHECK(response.body == "nope");
  std::string untilClose = "HTTP/1.0 200 OK\r\n\r\n{\"value\":null}";
  CHECK(parseResponse(untilClose, false, false, &response, &error) == ParseState::Incomplete);
  REQUIRE(parseResponse(untilClose, true, false, &response, &error) == ParseState::Complete);
  CHECK(response.body == "{\"value\":null}");
  CHECK_FALSE(response.keepAlive);
  REQUIRE(parseResponse("HTTP/1.1 204 No Content\r\n\r\n", false, false, &response, &error) ==
          ParseState::Complete);
  CHECK(response.body.empty());
  REQUIRE(parseResponse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false,
                        false, &response, &error) == ParseState::Complete);
  CHECK_FALSE(response.keepAlive);
}

TEST_CASE("response parser: what is not a whole HTTP response is an error once the peer closed") {
  ParsedResponse response;
  Status error;
  CHECK(parseResponse("", true, false, &response, &error) == ParseState::Invalid);
  CHECK(error.message().find("without answering") != std::string::npos);
  CHECK(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, false, &response,
                      &error) == ParseState::Invalid);
  CHECK(parseResponse("SSH-2.0-OpenSSH\r\n\r\n", false, false, &response, &error) ==
        ParseState::Invalid);
  CHECK(parseResponse("HTTT/1.1 200 OK\r\n\r\n", true, false, &response, &error) ==
        ParseState::Invalid);
  CHECK(parseResponse("HTTP/1.1 0 Zero\r\n\r\n", true, false, &response, &error) ==
        ParseState::Invalid);
  CHECK(error.code() == ErrorCode::UnknownError);
}

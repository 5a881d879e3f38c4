#include "http/websocket.h"
#include "server/public_url.h"
#include "server/routes.h"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace wdh;

namespace {

// A frame as a peer would send it: FIN, `opcode`, optionally masked, with `payload`.
std::string frame(unsigned opcode, const std::string& payload, bool masked = false) {
  std::string out;
  out.push_back(static_cast<char>(0x80 | opcode));
  unsigned char maskBit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(maskBit | payload.size()));
  } else if (payload.size() < 65536) {
    out.push_back(static_cast<char>(maskBit | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    out.push_back(static_cast<char>(maskBit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(
          static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xff));
  }
  if (masked)
    out += std::string("\x01\x02\x03\x04", 4);
  return out + payload; // the payload is not really masked: the scanner never reads it
}

WebSocketUpgrade validUpgrade() {
  WebSocketUpgrade upgrade;
  upgrade.requested = true;
  upgrade.connectionUpgrade = true;
  upgrade.version = "13";
  upgrade.key = "dGhlIHNhbXBsZSBub25jZQ==";
  return upgrade;
}

} // namespace

TEST_CASE("websocket: frame boundaries are followed byte by byte and in chunks") {
  std::string stream = frame(1, "hello") + frame(2, std::string(300, 'x'), true) +
                       frame(1, std::string(70000, 'y')) + frame(9, "");
  for (std::size_t chunk : {std::size_t(1), std::size_t(7), std::size_t(4096), stream.size()}) {
    FrameScanner scanner;
    std::size_t boundaries = 0;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      std::size_t size = std::min(chunk, stream.size() - at);
      scanner.feed(stream.data() + at, size);
      if (scanner.atBoundary())
        ++boundaries;
    }
    CHECK(scanner.atBoundary());
    CHECK(scanner.frameStart() == stream.size());
    CHECK_FALSE(scanner.sawClose());
    if (chunk == 1)
      CHECK(boundaries == 4);
  }
}

TEST_CASE("websocket: a partial frame says where it began, and a close frame is seen") {
  FrameScanner scanner;
  std::string first = frame(1, "done");
  std::string second = frame(1, "partial payload");
  scanner.feed(first.data(), first.size());
  scanner.feed(second.data(), 5);
  CHECK_FALSE(scanner.atBoundary());
  CHECK(scanner.frameStart() == first.size());
  scanner.feed(second.data() + 5, second.size() - 5);
  CHECK(scanner.atBoundary());
  std::string close = closeFrame(1000, "bye");
  scanner.feed(close.data(), close.size());
  CHECK(scanner.sawClose());
}

TEST_CASE("websocket: close frames carry the code and a reason cut to 123 bytes") {
  std::string frame = closeFrame(1001, "going");
  REQUIRE(frame.size() == 4 + 5);
  CHECK(static_cast<unsigned char>(frame[0]) == 0x88);
  CHECK(frame[1] == 7);
  CHECK(static_cast<unsigned char>(frame[2]) == 0x03);
  CHECK(static_cast<unsigned char>(frame[3]) == 0xe9);
  CHECK(frame.substr(4) == "going");
  std::string longReason(200, 'r');
  CHECK(closeFrame(1000, longReason).size() == 4 + 123);
  // 61 two-byte characters: the cut falls between two of them, never inside one.
  std::string accents;
  for (int i = 0; i < 70; ++i)
    accents += "\xc3\xa9";
  std::string cut = closeFrame(1000, accents).substr(4);
  CHECK(cut.size() == 122);
}

TEST_CASE("websocket: an upgrade must be a GET with version 13 and a 16-byte key") {
  CHECK(checkUpgrade("GET", validUpgrade()).isOk());
  CHECK(checkUpgrade("POST", validUpgrade()).code() == ErrorCode::InvalidArgument);
  WebSocketUpgrade upgrade = validUpgrade();
  upgrade.version = "8";
  CHECK(checkUpgrade("GET", upgrade).message().find("Sec-WebSocket-Version: 13") !=
        std::string::npos);
  upgrade = validUpgrade();
  upgrade.key = "short";
  CHECK_FALSE(checkUpgrade("GET", upgrade).isOk());
  upgrade = validUpgrade();
  upgrade.connectionUpgrade = false;
  CHECK_FALSE(checkUpgrade("GET", upgrade).isOk());
  CHECK(checkUpgrade("GET", WebSocketUpgrade{}).message().find("websocket") != std::string::npos);
}

TEST_CASE("websocket: the routes of a session's websockets") {
  Route route;
  REQUIRE(matchRoute("GET", "/session/s1/se/bidi", &route).isOk());
  CHECK(route.kind == RouteKind::WebSocket);
  CHECK(route.socket == SocketKind::Bidi);
  CHECK(route.sessionId == "s1");
  REQUIRE(matchRoute("GET", "/wd/hub/session/s1/se/cdp", &route).isOk());
  CHECK(route.socket == SocketKind::Cdp);
  CHECK(matchRoute("POST", "/session/s1/se/bidi", &route).code() == ErrorCode::UnknownMethod);
}

TEST_CASE("websocket: the public base comes from --public-url, else Host, else the bound address") {
  CHECK(webSocketBase("", "127.0.0.1:4444", "0.0.0.0:1") == "ws://127.0.0.1:4444");
  CHECK(webSocketBase("", "grid-node:4444", "x") == "ws://grid-node:4444");
  CHECK(webSocketBase("", "[::1]:4444", "x") == "ws://[::1]:4444");
  CHECK(webSocketBase("", "", "127.0.0.1:4444") == "ws://127.0.0.1:4444");
  CHECK(webSocketBase("", "evil/host?x", "127.0.0.1:9") == "ws://127.0.0.1:9");
  CHECK(webSocketBase("http://node-3:4444/", "ignored", "x") == "ws://node-3:4444");
  CHECK(webSocketBase("https://hosts.example/wd", "ignored", "x") == "wss://hosts.example/wd");
  CHECK(checkPublicUrl("http://node-3:4444").isOk());
  CHECK(checkPublicUrl("https://proxy/prefix").isOk());
  CHECK_FALSE(checkPublicUrl("ftp://node").isOk());
  CHECK_FALSE(checkPublicUrl("http://user:pw@node").isOk());
  CHECK_FALSE(checkPublicUrl("http://node/?q=1").isOk());
  CHECK_FALSE(checkPublicUrl("node:4444").isOk());
}

TEST_CASE("websocket: the host's own text frames, any length, always UTF-8") {
  CHECK(textFrame("hi") == std::string("\x81\x02hi", 4));
  std::string medium(300, 'a');
  std::string frame = textFrame(medium);
  CHECK(frame.substr(0, 4) == std::string("\x81\x7e\x01\x2c", 4));
  CHECK(frame.size() == 4 + 300);
  std::string large(70000, 'b');
  frame = textFrame(large);
  CHECK(frame.substr(0, 10) == std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
  // UTF-8 passes; what is not UTF-8 becomes U+FFFD, byte by byte.
  CHECK(textFrame("\xC3\xA9t\xC3\xA9").substr(2) == "\xC3\xA9t\xC3\xA9");
  CHECK(textFrame("a\xFF"
                  "b")
            .substr(2) == "a\xEF\xBF\xBD"
                          "b");
  CHECK(textFrame("\xC3").substr(2) == "\xEF\xBF\xBD");                 // cut short
  CHECK(textFrame("\xED\xA0\x80").substr(2).size() == 9);               // a surrogate: 3 x U+FFFD
  CHECK(textFrame("\xF0\x9F\x98\x80").substr(2) == "\xF0\x9F\x98\x80"); // an emoji
  FrameScanner scanner;
  frame = textFrame(large);
  scanner.feed(frame.data(), frame.size());
  CHECK(scanner.atBoundary());
  CHECK(scanner.frames() == 1);
}

TEST_CASE("websocket: the 101 the host answers with carries RFC 6455's accept key") {
  WebSocketUpgrade upgrade;
  upgrade.key = "dGhlIHNhbXBsZSBub25jZQ==";
  std::string head = acceptedUpgradeHead(upgrade);
  CHECK(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
  CHECK(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
  CHECK(head.size() > 4);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
}

namespace {

// A client's frame, really masked with `key`: FIN or not, `opcode`, `payload`.
std::string clientFrame(unsigned opcode, const std::string& payload, bool fin = true) {
  const char key[4] = {'\x11', '\x22', '\x33', '\x44'};
  std::string masked = payload;
  for (std::size_t i = 0; i < masked.size(); ++i)
    masked[i] = static_cast<char>(masked[i] ^ key[i % 4]);
  std::string out = frame(opcode, "", true).substr(0, 1);
  out[0] = static_cast<char>((fin ? 0x80 : 0) | opcode);
  std::string head = frame(opcode, payload, true);
  // frame() wrote the length and a mask of its own: keep its length bytes, use `key`.
  std::size_t lengthBytes = head.size() - payload.size() - 4 - 1;
  return out + head.substr(1, lengthBytes) + std::string(key, 4) + masked;
}

} // namespace

TEST_CASE("websocket: a client's masked messages are read whole, byte by byte or at once") {
  std::string stream = clientFrame(0x1, "{\"type\":\"take\"}") + clientFrame(0x9, "ping") +
                       clientFrame(0x2, std::string(300, 'b')) + clientFrame(0x1, "frag", false) +
                       clientFrame(0x0, "mented");
  for (bool byteByByte : {false, true}) {
    WebSocketMessageReader reader(1024);
    std::vector<std::pair<WebSocketMessageReader::Result, std::string>> got;
    auto drain = [&] {
      std::string message;
      for (auto r = reader.next(&message); r != WebSocketMessageReader::Result::NeedMore;
           r = reader.next(&message)) {
        got.emplace_back(r, message);
        if (r != WebSocketMessageReader::Result::Text &&
            r != WebSocketMessageReader::Result::Binary)
          break;
      }
    };
    if (byteByByte)
      for (char c : stream) {
        reader.feed(&c, 1);
        drain();
      }
    else {
      reader.feed(stream.data(), stream.size());
      drain();
    }
    REQUIRE(got.size() == 3);
    CHECK(got[0].first == WebSocketMessageReader::Result::Text);
    CHECK(got[0].second == "{\"type\":\"take\"}");
    CHECK(got[1].first == WebSocketMessageReader::Result::Binary);
    CHECK(got[1].second == std::string(300, 'b'));
    CHECK(got[2].second == "fragmented");
  }
}

TEST_CASE("websocket: unmasked, oversized, misfragmented and closing client streams stop") {
  std::string message;
  WebSocketMessageReader unmasked(1024);
  std::string plain = frame(0x1, "hi");
  unmasked.feed(plain.data(), plain.size());
  CHECK(unmasked.next(&message) == WebSocketMessageReader::Result::ProtocolError);
  CHECK(unmasked.next(&message) == WebSocketMessageReader::Result::ProtocolError);

  WebSocketMessageReader small(16);
  std::string big = clientFrame(0x1, std::string(17, 'x'));
  small.feed(big.data(), 4); // the length alone is enough to refuse it
  CHECK(small.next(&message) == WebSocketMessageReader::Result::TooBig);

  WebSocketMessageReader pieces(16);
  std::string grown =
      clientFrame(0x1, std::string(10, 'x'), false) + clientFrame(0x0, std::string(10, 'y'));
  pieces.feed(grown.data(), grown.size());
  CHECK(pieces.next(&message) == WebSocketMessageReader::Result::TooBig);

  WebSocketMessageReader orphan(1024);
  std::string continuation = clientFrame(0x0, "late");
  orphan.feed(continuation.data(), continuation.size());
  CHECK(orphan.next(&message) == WebSocketMessageReader::Result::ProtocolError);

  WebSocketMessageReader hugePing(1024);
  std::string ping = clientFrame(0x9, std::string(126, 'p'));
  hugePing.feed(ping.data(), ping.size());
  CHECK(hugePing.next(&message) == WebSocketMessageReader::Result::ProtocolError);

  WebSocketMessageReader closing(1024);
  std::string close = clientFrame(0x8, std::string("\x03\xe8", 2));
  closing.feed(close.data(), close.size());
  CHECK(closing.next(&message) == WebSocketMessageReader::Result::Closed);
}

TEST_CASE("websocket: a binary frame head carries each length form") {
  CHECK(binaryFrameHead(5) == std::string("\x82\x05", 2));
  CHECK(binaryFrameHead(300) == std::string("\x82\x7e\x01\x2c", 4));
  std::string large = binaryFrameHead(70000);
  REQUIRE(large.size() == 10);
  CHECK(static_cast<unsigned char>(large[1]) == 127);
  CHECK(static_cast<unsigned char>(large[7]) == 0x01);
  CHECK(static_cast<unsigned char>(large[8]) == 0x11);
  CHECK(static_cast<unsigned char>(large[9]) == 0x70);
}

TEST_CASE("websocket: a followed stream reads either side's frames and passes over long ones") {
  std::string big(5000, 'b');
  // A server's unmasked frames, a long message between two short ones, fed in odd pieces.
  std::string stream = frame(1, "first") + frame(1, big) + frame(9, "ping") + frame(1, "last");
  WebSocketMessageReader reader(1024, WebSocketMessageReader::Mode::Follow);
  std::vector<std::string> texts;
  std::string message;
  for (std::size_t at = 0; at < stream.size(); at += 7) {
    reader.feed(stream.data() + at, std::min<std::size_t>(7, stream.size() - at));
    for (auto r = reader.next(&message); r == WebSocketMessageReader::Result::Text;
         r = reader.next(&message))
      texts.push_back(message);
  }
  CHECK(texts == std::vector<std::string>{"first", "last"});
  // A client's masked, fragmented message too long as a whole: its continuation goes as well.
  WebSocketMessageReader client(8, WebSocketMessageReader::Mode::Follow);
  std::string fragments =
      clientFrame(1, "12345", false) + clientFrame(0, "67890", true) + clientFrame(1, "ok");
  client.feed(fragments.data(), fragments.size());
  CHECK(client.next(&message) == WebSocketMessageReader::Result::Text);
  CHECK(message == "ok");
  CHECK(client.next(&message) == WebSocketMessageReader::Result::NeedMore);
}

// The forwarding proxy's pure parts: upstream URLs, domain matching, proxy request heads.
#include "proxy/domain_match.h"
#include "proxy/proxy_request.h"
#include "proxy/upstream_dial.h"
#include "proxy/upstream_proxy.h"

#include <doctest/doctest.h>

using wdh::ErrorCode;
using wdh::UpstreamProxy;

TEST_CASE("proxy: parses an http upstream with percent-encoded credentials") {
  UpstreamProxy p;
  REQUIRE(wdh::parseUpstreamProxy("http://us%65r:p%40ss:w@proxy.example.com:8080", &p).isOk());
  CHECK(p.kind == UpstreamProxy::Kind::Http);
  CHECK(p.host == "proxy.example.com");
  CHECK(p.port == 8080);
  CHECK(p.user == "user");
  CHECK(p.password == "p@ss:w");
}

TEST_CASE("proxy: an unescaped '@' or '/' in an upstream password stays in the password") {
  UpstreamProxy p;
  REQUIRE(wdh::parseUpstreamProxy("http://user:p@s/s@proxy.example.com:8080", &p).isOk());
  CHECK(p.user == "user");
  CHECK(p.password == "p@s/s");
  CHECK(p.host == "proxy.example.com");
}

TEST_CASE("proxy: Proxy-Authorization is Basic base64 on one line, however long") {
  UpstreamProxy p;
  p.user = "Aladdin";
  p.password = "open sesame";
  CHECK(wdh::proxy::basicProxyAuthorization(p) == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  p.password = std::string(200, 'x');
  CHECK(wdh::proxy::basicProxyAuthorization(p).find_first_of("\r\n") == std::string::npos);
  p.user.clear();
  CHECK(wdh::proxy::basicProxyAuthorization(p).empty());
}

TEST_CASE("proxy: parses socks4 and socks5 upstreams") {
  UpstreamProxy p;
  REQUIRE(wdh::parseUpstreamProxy("socks4://10.0.0.1:1080", &p).isOk());
  CHECK(p.kind == UpstreamProxy::Kind::Socks4);
  CHECK(p.host == "10.0.0.1");
  CHECK(p.user.empty());
  REQUIRE(wdh::parseUpstreamProxy("socks4://alice@h:1", &p).isOk());
  CHECK(p.user == "alice");
  REQUIRE(wdh::parseUpstreamProxy("SOCKS5://u:p@[::1]:1081/", &p).isOk());
  CHECK(p.kind == UpstreamProxy::Kind::Socks5);
  CHECK(p.host == "::1");
  CHECK(p.port == 1081);
  CHECK(p.user == "u");
  CHECK(p.password == "p");
}

TEST_CASE("proxy: rejects malformed upstream URLs with the accepted forms") {
  for (const char* url :
       {"", "proxy.example:80", "ftp://h:1", "https://h:443", "http://host",
        "http://host:", "http://host:0", "http://host:70000", "http://host:8x",
        "http://host:80/path", "http://host:80?x", "http://:80", "http://bad host:80",
        "socks4://u:p@h:1", "http://u:%zz@h:1", "http://u:%4@h:1", "http://:pass@h:1",
        "http://[::1:80", "http://[zz]:80"}) {
    CAPTURE(url);
    UpstreamProxy p;
    wdh::Status s = wdh::parseUpstreamProxy(url, &p);
    CHECK(s.code() == ErrorCode::InvalidArgument);
    CHECK(s.message().find("http://[user:password@]host:port") != std::string::npos);
    CHECK(s.message().find("socks5://") != std::string::npos);
  }
}

TEST_CASE("proxy: domainAllowed matches domains and their subdomains by whole labels") {
  std::vector<std::string> domains = {"probot.io", "Example.COM.", "*.wild.test"};
  CHECK(wdh::domainAllowed("probot.io", domains));
  CHECK(wdh::domainAllowed("api.probot.io", domains));
  CHECK(wdh::domainAllowed("a.b.PROBOT.io.", domains));
  CHECK(wdh::domainAllowed("example.com", domains));
  CHECK(wdh::domainAllowed("www.example.com", domains));
  CHECK(wdh::domainAllowed("x.wild.test", domains));
  CHECK(wdh::domainAllowed("wild.test", domains));
  CHECK_FALSE(wdh::domainAllowed("evilprobot.io", domains));
  CHECK_FALSE(wdh::domainAllowed("probot.io.evil.com", domains));
  CHECK_FALSE(wdh::domainAllowed("io", domains));
  CHECK_FALSE(wdh::domainAllowed("", domains));
  CHECK_FALSE(wdh::domainAllowed("probot.io", {}));
  CHECK_FALSE(wdh::domainAllowed("anything", {"", "."}));
  CHECK(wdh::domainAllowed("[::1]", {"::1"}));
}

TEST_CASE("proxy: parses CONNECT and absolute-URI requests") {
  wdh::proxy::ProxyRequest r;
  int status = -1;
  REQUIRE(wdh::proxy::parseProxyRequest("CONNECT Www.Example.com:443 HTTP/1.1\r\nHost: "
                                        "www.example.com:443\r\n\r\n",
                                        &r, &status)
              .isOk());
  CHECK(r.isConnect);
  CHECK(r.host == "www.example.com");
  CHECK(r.port == 443);

  REQUIRE(wdh::proxy::parseProxyRequest("GET http://example.com/a?b=1#frag HTTP/1.1\r\nHost: "
                                        "example.com\r\nProxy-Connection: keep-alive\r\n"
                                        "Proxy-Authorization: Basic x\r\nAccept: */*\r\n\r\n",
                                        &r, &status)
              .isOk());
  CHECK_FALSE(r.isConnect);
  CHECK(r.host == "example.com");
  CHECK(r.port == 80);
  CHECK(r.path == "/a?b=1");
  std::string origin = wdh::proxy::originFormHead(r);
  CHECK(origin.rfind("GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\n", 0) == 0);
  CHECK(origin.find("Accept: */*\r\n") != std::string::npos);
  CHECK(origin.find("Proxy-") == std::string::npos);
  CHECK(origin.find("Connection: close\r\n\r\n") != std::string::npos);
  std::string upstream = wdh::proxy::upstreamFormHead(r, "Basic abc");
  CHECK(upstream.rfind("GET http://example.com/a?b=1#frag HTTP/1.1\r\n", 0) == 0);
  CHECK(upstream.find("Proxy-Authorization: Basic abc\r\n") != std::string::npos);
  CHECK(upstream.find("Basic x") == std::string::npos);

  REQUIRE(
      wdh::proxy::parseProxyRequest("POST http://[::1]:8080 HTTP/1.0\r\n\r\n", &r, &status).isOk());
  CHECK(r.host == "::1");
  CHECK(r.port == 8080);
  CHECK(r.path == "/");
}

TEST_CASE("proxy: refuses other request forms with 400 or 405") {
  struct Case {
    const char* head;
    int status;
  };
  for (Case c : {Case{"GET /relative HTTP/1.1\r\n\r\n", 400},
                 Case{"GET https://example.com/ HTTP/1.1\r\n\r\n", 400},
                 Case{"CONNECT example.com HTTP/1.1\r\n\r\n", 400},
                 Case{"CONNECT example.com:0 HTTP/1.1\r\n\r\n", 400},
                 Case{"CONNECT ex;ample.com:443 HTTP/1.1\r\n\r\n", 400},
                 Case{"GET http://user@example.com/ HTTP/1.1\r\n\r\n", 400},
                 Case{"GET http://example.com/ HTTP/2\r\n\r\n", 400},
                 Case{"GET  http://example.com/ HTTP/1.1\r\n\r\n", 400},
                 Case{"GET http://example.com/ HTTP/1.1\r\nBad Header: x\r\n\r\n", 400},
                 Case{"GET http://example.com/ HTTP/1.1\r\n folded\r\n\r\n", 400},
                 Case{"GET http://example.com/ HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
                 Case{"GET http://example.com/ HTTP/1.1\r\nNo colon\r\n\r\n", 400},
                 Case{"GET http://example.com/ HTTP/1.1 extra\r\n\r\n", 400},
                 Case{"GET http://[::1]x/ HTTP/1.1\r\n\r\n", 400},
                 Case{"CONNECT [::1]x:443 HTTP/1.1\r\n\r\n", 400},
                 Case{"TRACE http://example.com/ HTTP/1.1\r\n\r\n", 405},
                 Case{"BREW http://example.com/ HTTP/1.1\r\n\r\n", 405}}) {
    CAPTURE(c.head);
    wdh::proxy::ProxyRequest r;
    int status = 0;
    CHECK_FALSE(wdh::proxy::parseProxyRequest(c.head, &r, &status).isOk());
    CHECK(status == c.status);
  }
}

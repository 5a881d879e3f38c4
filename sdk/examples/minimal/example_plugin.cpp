// A complete wdhost plugin with no browser: it serves browserName "example" in-process through
// the command hook, each session a pretend page with a URL and a title. Copy it, then make
// launch() start a real browser (see services.hpp for processes, temp dirs and HTTP).
#include <string>
#include <wdhost/plugin.hpp>

namespace {

// One session. The host calls command() and teardown() for it one at a time.
class ExampleSession : public wdhost::Session {
public:
  std::string launchReply() const override {
    // No "upstream": the host sends every command of this session to command() below.
    return R"({"capabilities":{"browserName":"example","browserVersion":"1.0.0","platformName":"linux"}})";
  }

  std::string command(std::string_view method, std::string_view path,
                      std::string_view body) override {
    if (method == "POST" && path == "/url") {
      url_ = stringMember(body, "url"); // {"url":"https://..."}
      return "null";
    }
    if (method == "GET" && path == "/url")
      return "\"" + url_ + "\"";
    if (method == "GET" && path == "/title")
      return url_ == "about:blank" ? "\"\"" : "\"Example of " + url_ + "\"";
    return Session::command(method, path, body); // "unknown command"
  }

  void teardown() override {} // nothing to stop; a real plugin ends its browser here

private:
  // The string value of "key" in a flat JSON object; a real plugin would use a JSON library.
  static std::string stringMember(std::string_view json, std::string_view key) {
    std::size_t at = json.find("\"" + std::string(key) + "\"");
    std::size_t open = json.find('"', json.find(':', at));
    std::size_t close = json.find('"', open + 1);
    if (at == json.npos || open == json.npos || close == json.npos)
      throw wdhost::Error("invalid argument",
                          "the body has no \"" + std::string(key) + "\" string");
    std::string value(json.substr(open + 1, close - open - 1));
    if (value.find('\\') != value.npos)
      throw wdhost::Error("invalid argument", "escaped characters are not supported here");
    return value;
  }

  std::string url_ = "about:blank";
};

// The plugin: created once by the host, shared by every session (so keep it immutable).
class ExamplePlugin : public wdhost::Plugin {
public:
  ExamplePlugin(wdhost::Host host, std::string_view /*config JSON*/) : wdhost::Plugin(host) {}

  std::string describe() override {
    return R"({"browserName":"example","platformName":"linux","browsers":[{"name":"example","version":"1.0.0","path":"in-process"}]})";
  }

  // The host already matched browserName/platformName/browserVersion against describe().
  std::optional<std::string> negotiate(std::string_view capabilities) override {
    return std::string(capabilities);
  }

  std::unique_ptr<wdhost::Session> launch(std::string_view /*sessionId*/,
                                          std::string_view /*capabilities*/) override {
    return std::make_unique<ExampleSession>();
  }
};

} // namespace

WDHOST_DECLARE_PLUGIN(ExamplePlugin, "org.example.wdhost.example", "example", "1.0.0")

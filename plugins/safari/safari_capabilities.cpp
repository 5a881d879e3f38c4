#include "safari_capabilities.h"

#include <wdhost/driver_session.hpp>
#include <wdhost/plugin.hpp>

namespace wdhost::safari {
namespace {

constexpr const char* kGtkOptions = "webkitgtk:browserOptions";
constexpr const char* kWpeOptions = "wpe:browserOptions";

[[noreturn]] void invalid(const std::string& message) {
  throw wdhost::Error("invalid argument", message);
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view stringMember(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString())
    return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

std::string backendForName(std::string_view name) {
  if (name == "MiniBrowser" || name == "minibrowser" || name == "webkitgtk")
    return "webkitgtk";
  if (name == "wpe" || name == "cog")
    return "wpe";
  return "";
}

void checkStringArray(const rapidjson::Value& options, const char* key, const std::string& where) {
  auto it = options.FindMember(key);
  if (it == options.MemberEnd())
    return;
  if (!it->value.IsArray())
    invalid(where + "." + key + " must be an array of strings");
  for (const auto& item : it->value.GetArray())
    if (!item.IsString())
      invalid(where + "." + key + " must be an array of strings");
}

void checkOptions(const rapidjson::Value& capabilities, const char* key) {
  auto it = capabilities.FindMember(key);
  if (it == capabilities.MemberEnd())
    return;
  std::string where = key;
  const rapidjson::Value& options = it->value;
  if (!options.IsObject())
    invalid(where + " must be an object");
  auto binary = options.FindMember("binary");
  if (binary != options.MemberEnd() &&
      (!binary->value.IsString() || binary->value.GetStringLength() == 0))
    invalid(where + ".binary must be a non-empty path");
  checkStringArray(options, "args", where);
  auto overlay = options.FindMember("useOverlayScrollbars");
  if (overlay != options.MemberEnd() && !overlay->value.IsBool())
    invalid(where + ".useOverlayScrollbars must be true or false");
  auto certificates = options.FindMember("certificates");
  if (certificates != options.MemberEnd()) {
    if (!certificates->value.IsArray())
      invalid(where + ".certificates must be an array of {host, certificateFile}");
    for (const auto& certificate : certificates->value.GetArray())
      if (!certificate.IsObject() || stringMember(certificate, "host").empty() ||
          stringMember(certificate, "certificateFile").empty())
        invalid(where + ".certificates must be an array of {host, certificateFile}");
  }
}

bool hasArg(const rapidjson::Value& args, std::string_view name) {
  for (const auto& arg : args.GetArray()) {
    std::string_view text(arg.GetString(), arg.GetStringLength());
    if (text == name || startsWith(text, std::string(name) + "="))
      return true;
  }
  return false;
}

rapidjson::Document parseObject(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw wdhost::Error("session not created", "the negotiated capabilities are not an object");
  return doc;
}

} // namespace

wdhost::GuardedCapabilities guardedWebKitCapabilities() {
  wdhost::GuardedCapabilities guarded;
  for (const char* key : {kGtkOptions, kWpeOptions}) {
    guarded.members.push_back(std::string(key) + ".binary");       // runs any program
    guarded.members.push_back(std::string(key) + ".certificates"); // reads host files
  }
  // GLib parses "--x v", "--x=v" and one-letter options grouped after one dash ("-pc FILE").
  guarded.switches = {
      {std::string(kGtkOptions) + ".args",
       {"--cookies-file", "--session-file", "--config", "--content-filter", "--gtk-module",
        "--gst-plugin-path", "--gst-plugin-load", "--display"},
       false,
       "csC"}, // MiniBrowser: cookies-file, session-file, config
      {std::string(kWpeOptions) + ".args",
       {"--cookies-file", "--cookie-jar", "--config", "--content-filter", "--dir-handler",
        "--web-extensions-dir", "--gst-plugin-path", "--gst-plugin-load"},
       false,
       "cdCF"}, // WPE MiniBrowser: cookies-file; cog: dir-handler, config, content-filter
  };
  return guarded;
}

const char* optionsKey(Backend backend) {
  switch (backend) {
  case Backend::WebKitGtk:
    return kGtkOptions;
  case Backend::Wpe:
    return kWpeOptions;
  case Backend::Safari:
    return nullptr;
  }
  return nullptr;
}

BackendRequest backendRequest(const rapidjson::Value& capabilities) {
  BackendRequest request;
  std::string byName = backendForName(stringMember(capabilities, "browserName"));
  bool gtkOptions = capabilities.HasMember(kGtkOptions);
  bool wpeOptions = capabilities.HasMember(kWpeOptions);
  if (gtkOptions && wpeOptions)
    invalid("webkitgtk:browserOptions and wpe:browserOptions name two different browsers; "
            "send one");
  std::string byOptions = gtkOptions ? "webkitgtk" : wpeOptions ? "wpe" : "";
  if (!byName.empty() && !byOptions.empty() && byName != byOptions)
    invalid("browserName " + std::string(stringMember(capabilities, "browserName")) +
            " does not run with " + (gtkOptions ? kGtkOptions : kWpeOptions));
  request.backend = byName.empty() ? byOptions : byName;
  request.version = std::string(stringMember(capabilities, "browserVersion"));
  return request;
}

bool servesBrowserName(const rapidjson::Value& capabilities, bool macos) {
  auto it = capabilities.FindMember("browserName");
  if (it == capabilities.MemberEnd())
    return true;
  if (!it->value.IsString())
    return false;
  std::string_view name(it->value.GetString(), it->value.GetStringLength());
  return name == "safari" || (!macos && !backendForName(name).empty());
}

void validateCapabilities(const rapidjson::Value& capabilities, bool macos) {
  if (macos) {
    for (const char* key : {kGtkOptions, kWpeOptions})
      if (capabilities.HasMember(key))
        invalid(std::string(key) + " is for WebKit on Linux; Safari on macOS cannot use it");
    return;
  }
  checkOptions(capabilities, kGtkOptions);
  checkOptions(capabilities, kWpeOptions);
  backendRequest(capabilities);
}

std::vector<std::string> droppedSafariKeys(const rapidjson::Value& capabilities) {
  std::vector<std::string> keys;
  for (const auto& member : capabilities.GetObject())
    if (startsWith(member.name.GetString(), "safari:"))
      keys.emplace_back(member.name.GetString());
  return keys;
}

std::string webkitNewSessionBody(std::string_view capabilities, Backend backend,
                                 const std::string& browserPath) {
  rapidjson::Document caps = parseObject(capabilities);
  auto& alloc = caps.GetAllocator();
  // WebKitWebDriver 2.50 and WPEWebDriver refuse "webSocketUrl" (no WebDriver BiDi): the
  // session goes on in classic mode, and the host tells the client BiDi is off.
  for (const char* key : {"browserName", "browserVersion", "platformName", "webSocketUrl"})
    caps.RemoveMember(key);
  for (const std::string& key : droppedSafariKeys(caps))
    caps.RemoveMember(key.c_str());

  const char* key = optionsKey(backend);
  const char* otherKey = backend == Backend::Wpe ? kGtkOptions : kWpeOptions;
  caps.RemoveMember(otherKey);
  if (!caps.HasMember(key))
    caps.AddMember(rapidjson::StringRef(key), rapidjson::Value(rapidjson::kObjectType), alloc);
  rapidjson::Value& options = caps[key];
  if (!options.HasMember("binary"))
    options.AddMember("binary", rapidjson::Value(browserPath.c_str(), alloc), alloc);
  if (!options.HasMember("args"))
    options.AddMember("args", rapidjson::Value(rapidjson::kArrayType), alloc);
  rapidjson::Value& args = options["args"];
  // WebKit replaces its own ["--automation"] by any non-empty args, so wdhost keeps it there.
  if (!hasArg(args, "--automation"))
    args.PushBack("--automation", alloc);
  if (backend == Backend::Wpe && !hasArg(args, "--platform") && !hasArg(args, "-P"))
    args.PushBack("--platform=headless", alloc);
  if (backend == Backend::WebKitGtk && !options.HasMember("useOverlayScrollbars"))
    options.AddMember("useOverlayScrollbars", true, alloc);
  return wdhost::newSessionBody(caps);
}

std::string safariNewSessionBody(std::string_view capabilities) {
  rapidjson::Document caps = parseObject(capabilities);
  auto& alloc = caps.GetAllocator();
  caps.RemoveMember("browserVersion");
  caps.RemoveMember("browserName");
  caps.AddMember("browserName", "safari", alloc);
  return wdhost::newSessionBody(caps);
}

std::string replyWithBrowserOptions(const std::string& launchReply, const std::string& body,
                                    Backend backend) {
  const char* key = optionsKey(backend);
  if (key == nullptr)
    return launchReply;
  rapidjson::Document reply;
  reply.Parse(launchReply.c_str(), launchReply.size());
  rapidjson::Document sent;
  sent.Parse(body.c_str(), body.size());
  if (reply.HasParseError() || !reply.IsObject() || !reply.HasMember("capabilities") ||
      !reply["capabilities"].IsObject() || sent.HasParseError() || !sent.IsObject())
    return launchReply;
  auto wrapper = sent.FindMember("capabilities");
  if (wrapper == sent.MemberEnd() || !wrapper->value.IsObject())
    return launchReply;
  auto always = wrapper->value.FindMember("alwaysMatch");
  if (always == wrapper->value.MemberEnd() || !always->value.IsObject())
    return launchReply;
  auto options = always->value.FindMember(key);
  rapidjson::Value& caps = reply["capabilities"];
  if (options == always->value.MemberEnd() || caps.HasMember(key))
    return launchReply;
  auto& alloc = reply.GetAllocator();
  caps.AddMember(rapidjson::Value(key, alloc), rapidjson::Value(options->value, alloc), alloc);
  return wdhost::toJsonString(reply);
}

} // namespace wdhost::safari

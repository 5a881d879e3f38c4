#include "marionette_endpoints.h"

#include "marionette_protocol.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <rapidjson/document.h>
#include <utility>
#include <wdhost/json.hpp>
#include <wdhost/plugin.hpp>
#include <wdhost/w3c_endpoints.hpp>
#include <wdhost/w3c_parameters.hpp>

namespace wdhost::firefox {

using wdhost::json::toJson;
namespace {

constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

rapidjson::Document bodyObject(std::string_view body) {
  rapidjson::Document doc;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    doc.SetObject();
    return doc;
  }
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    throw wdhost::Error("invalid argument", "the request body must be a JSON object");
  return doc;
}

void setString(rapidjson::Document& doc, const char* key, const std::string& value) {
  auto& alloc = doc.GetAllocator();
  doc.RemoveMember(key);
  doc.AddMember(rapidjson::StringRef(key), rapidjson::Value(value.c_str(), alloc), alloc);
}

// W3C Switch To Frame's id -> Marionette's {"id": n} or {"element": uuid}, {} for the top.
rapidjson::Document frameParams(const rapidjson::Document& body) {
  rapidjson::Document params(rapidjson::kObjectType);
  auto& alloc = params.GetAllocator();
  auto id = body.FindMember("id");
  if (id == body.MemberEnd())
    throw wdhost::Error("invalid argument", "Switch To Frame needs \"id\": null, a number or an "
                                            "element reference");
  const rapidjson::Value& value = id->value;
  if (value.IsNull())
    return params;
  if (value.IsUint() && value.GetUint() <= 65535) {
    params.AddMember("id", value.GetUint(), alloc);
    return params;
  }
  if (value.IsObject()) {
    auto element = value.FindMember(kElementKey);
    if (element != value.MemberEnd() && element->value.IsString()) {
      params.AddMember("element", rapidjson::Value(element->value, alloc), alloc);
      return params;
    }
  }
  throw wdhost::Error("invalid argument", "Switch To Frame's \"id\" must be null, an integer "
                                          "0-65535 or an element reference, not " +
                                              toJson(value));
}

constexpr int64_t kUnlimitedMs = 3600 * 1000; // how long "no limit" may wait for an answer
constexpr int64_t kMarginMs = 30000;          // Firefox's own time on top of any wait

bool blank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// A script body that awaits runs as the body of an async function, as the spec's Execute Script
// does (Marionette runs a plain function body, where `await` is a syntax error).
void wrapAwaitingScript(rapidjson::Document& body) {
  auto script = body.FindMember("script");
  std::string_view text(script->value.GetString(), script->value.GetStringLength());
  if (text.find("await") == std::string_view::npos)
    return;
  std::string wrapped = "return (async function() {\n";
  wrapped.append(text).append("\n}).apply(this, arguments);");
  script->value.SetString(wrapped.c_str(), static_cast<rapidjson::SizeType>(wrapped.size()),
                          body.GetAllocator());
}

// Set Window Rect's members as Marionette takes them: integers, and a size or a position only
// when both its members are given (the spec changes neither with one alone; Marionette would).
void normalizeWindowRect(rapidjson::Document& body) {
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  for (const auto& pair : {std::pair{"width", "height"}, std::pair{"x", "y"}}) {
    auto first = body.FindMember(pair.first);
    auto second = body.FindMember(pair.second);
    if (first == body.MemberEnd() || second == body.MemberEnd() || !first->value.IsNumber() ||
        !second->value.IsNumber())
      continue;
    out.AddMember(rapidjson::StringRef(pair.first),
                  static_cast<int64_t>(std::trunc(first->value.GetDouble())), alloc);
    out.AddMember(rapidjson::StringRef(pair.second),
                  static_cast<int64_t>(std::trunc(second->value.GetDouble())), alloc);
  }
  body.Swap(out);
}

// Checks the body against the endpoint's Check and rewrites what Marionette reads differently.
void applyCheck(Check check, rapidjson::Document& body) {
  switch (check) {
  case Check::None:
    return;
  case Check::Locator:
    wdhost::w3c::checkLocator(body);
    return;
  case Check::NewWindow: {
    wdhost::w3c::checkNewWindow(body);
    auto type = body.FindMember("type");
    if (type != body.MemberEnd() &&
        !(type->value.IsString() && (std::string_view(type->value.GetString()) == "tab" ||
                                     std::string_view(type->value.GetString()) == "window")))
      body.RemoveMember(type); // null or another hint: Firefox picks (a tab)
    return;
  }
  case Check::Timeouts: {
    wdhost::w3c::checkTimeouts(body);
    for (auto it = body.MemberBegin(); it != body.MemberEnd();) {
      std::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (key == "script" || key == "pageLoad" || key == "implicit")
        ++it;
      else
        it = body.RemoveMember(it); // the spec ignores other keys; Marionette refuses them
    }
    return;
  }
  case Check::Script:
    wdhost::w3c::checkScript(body);
    if (!body.HasMember("args"))
      body.AddMember("args", rapidjson::Value(rapidjson::kArrayType), body.GetAllocator());
    wrapAwaitingScript(body);
    return;
  case Check::WindowRect:
    wdhost::w3c::checkWindowRect(body);
    normalizeWindowRect(body);
    return;
  case Check::Actions:
    wdhost::w3c::checkActionOrigins(body);
    return;
  }
}

// The sum of every "duration" in a Perform Actions body: the longest its pauses may hold it.
int64_t actionsDurationMs(std::string_view params) {
  rapidjson::Document doc;
  doc.Parse(params.data(), params.size());
  int64_t total = 0;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("actions") ||
      !doc["actions"].IsArray())
    return 0;
  for (const auto& source : doc["actions"].GetArray()) {
    if (!source.IsObject() || !source.HasMember("actions") || !source["actions"].IsArray())
      continue;
    for (const auto& action : source["actions"].GetArray())
      if (action.IsObject() && action.HasMember("duration") && action["duration"].IsNumber())
        total += std::max<int64_t>(0, static_cast<int64_t>(action["duration"].GetDouble()));
    if (total > kUnlimitedMs)
      return kUnlimitedMs;
  }
  return total;
}

// The index of a W3C endpoint; a pair the SDK's table lacks fails the build.
constexpr std::size_t at(std::string_view method, std::string_view pattern) {
  return wdhost::w3c::endpointIndex(method, pattern);
}

using P = Params;
constexpr Result V = Result::Value;

// Every endpoint Firefox serves: each W3C endpoint (by its index) and its Marionette command.
constexpr Endpoint kTable[] = {
    // Timeouts.
    {at("GET", "/timeouts"), "WebDriver:GetTimeouts", P::None, V},
    {at("POST", "/timeouts"), "WebDriver:SetTimeouts", P::Body, V, Check::Timeouts},
    // Navigation.
    {at("POST", "/url"), "WebDriver:Navigate", P::Body, V, Check::None, Wait::PageLoad},
    {at("GET", "/url"), "WebDriver:GetCurrentURL", P::None, V},
    {at("POST", "/back"), "WebDriver:Back", P::None, V, Check::None, Wait::PageLoad},
    {at("POST", "/forward"), "WebDriver:Forward", P::None, V, Check::None, Wait::PageLoad},
    {at("POST", "/refresh"), "WebDriver:Refresh", P::None, V, Check::None, Wait::PageLoad},
    {at("GET", "/title"), "WebDriver:GetTitle", P::None, V},
    // Contexts: windows and frames.
    {at("GET", "/window"), "WebDriver:GetWindowHandle", P::None, V},
    {at("DELETE", "/window"), "WebDriver:CloseWindow", P::None, V},
    {at("POST", "/window"), "WebDriver:SwitchToWindow", P::Body, V},
    {at("POST", "/window/new"), "WebDriver:NewWindow", P::Body, V, Check::NewWindow},
    {at("GET", "/window/handles"), "WebDriver:GetWindowHandles", P::None, V},
    {at("GET", "/window/rect"), "WebDriver:GetWindowRect", P::None, V},
    {at("POST", "/window/rect"), "WebDriver:SetWindowRect", P::Body, V, Check::WindowRect},
    {at("POST", "/window/maximize"), "WebDriver:MaximizeWindow", P::None, V},
    {at("POST", "/window/minimize"), "WebDriver:MinimizeWindow", P::None, V},
    {at("POST", "/window/fullscreen"), "WebDriver:FullscreenWindow", P::None, V},
    {at("POST", "/frame"), "WebDriver:SwitchToFrame", P::Frame, V},
    {at("POST", "/frame/parent"), "WebDriver:SwitchToParentFrame", P::None, V},
    // Elements: find.
    {at("POST", "/element"), "WebDriver:FindElement", P::Body, V, Check::Locator, Wait::Implicit},
    {at("POST", "/elements"), "WebDriver:FindElements", P::Body, V, Check::Locator, Wait::Implicit},
    {at("POST", "/element/*/element"), "WebDriver:FindElement", P::FromElement, V, Check::Locator,
     Wait::Implicit},
    {at("POST", "/element/*/elements"), "WebDriver:FindElements", P::FromElement, V, Check::Locator,
     Wait::Implicit},
    {at("POST", "/shadow/*/element"), "WebDriver:FindElementFromShadowRoot", P::FromShadowRoot, V,
     Check::Locator, Wait::Implicit},
    {at("POST", "/shadow/*/elements"), "WebDriver:FindElementsFromShadowRoot", P::FromShadowRoot, V,
     Check::Locator, Wait::Implicit},
    {at("GET", "/element/active"), "WebDriver:GetActiveElement", P::None, V},
    {at("GET", "/element/*/shadow"), "WebDriver:GetShadowRoot", P::Id, V},
    // Elements: state.
    {at("GET", "/element/*/selected"), "WebDriver:IsElementSelected", P::Id, V},
    {at("GET", "/element/*/displayed"), "WebDriver:IsElementDisplayed", P::Id, V},
    {at("GET", "/element/*/attribute/*"), "WebDriver:GetElementAttribute", P::IdName, V},
    {at("GET", "/element/*/property/*"), "WebDriver:GetElementProperty", P::IdName, V},
    {at("GET", "/element/*/css/*"), "WebDriver:GetElementCSSValue", P::IdPropertyName, V},
    {at("GET", "/element/*/text"), "WebDriver:GetElementText", P::Id, V},
    {at("GET", "/element/*/name"), "WebDriver:GetElementTagName", P::Id, V},
    {at("GET", "/element/*/rect"), "WebDriver:GetElementRect", P::Id, Result::Rect},
    {at("GET", "/element/*/enabled"), "WebDriver:IsElementEnabled", P::Id, V},
    {at("GET", "/element/*/computedrole"), "WebDriver:GetComputedRole", P::Id, V},
    {at("GET", "/element/*/computedlabel"), "WebDriver:GetComputedLabel", P::Id, V},
    // Elements: interaction.
    {at("POST", "/element/*/click"), "WebDriver:ElementClick", P::Id, V, Check::None,
     Wait::PageLoad},
    {at("POST", "/element/*/clear"), "WebDriver:ElementClear", P::Id, V},
    {at("POST", "/element/*/value"), "WebDriver:ElementSendKeys", P::IdBody, V},
    // Document.
    {at("GET", "/source"), "WebDriver:GetPageSource", P::None, V},
    {at("POST", "/execute/sync"), "WebDriver:ExecuteScript", P::Body, V, Check::Script,
     Wait::Script},
    {at("POST", "/execute/async"), "WebDriver:ExecuteAsyncScript", P::Body, V, Check::Script,
     Wait::Script},
    // Cookies.
    {at("GET", "/cookie"), "WebDriver:GetCookies", P::None, V},
    {at("GET", "/cookie/*"), "WebDriver:GetCookies", P::None, Result::NamedCookie},
    {at("POST", "/cookie"), "WebDriver:AddCookie", P::Body, V},
    {at("DELETE", "/cookie/*"), "WebDriver:DeleteCookie", P::CookieName, V},
    {at("DELETE", "/cookie"), "WebDriver:DeleteAllCookies", P::None, V},
    // Actions.
    {at("POST", "/actions"), "WebDriver:PerformActions", P::Body, V, Check::Actions, Wait::Actions},
    {at("DELETE", "/actions"), "WebDriver:ReleaseActions", P::None, V},
    // User prompts.
    {at("POST", "/alert/dismiss"), "WebDriver:DismissAlert", P::None, V},
    {at("POST", "/alert/accept"), "WebDriver:AcceptAlert", P::None, V},
    {at("GET", "/alert/text"), "WebDriver:GetAlertText", P::None, V},
    {at("POST", "/alert/text"), "WebDriver:SendAlertText", P::Body, V},
    // Screen capture and print.
    {at("GET", "/screenshot"), "WebDriver:TakeScreenshot", P::Screenshot, V},
    {at("GET", "/element/*/screenshot"), "WebDriver:TakeScreenshot", P::ElementScreenshot, V},
    {at("POST", "/print"), "WebDriver:Print", P::Body, V},
    // Extensions Firefox implements: permissions and virtual authenticators.
    {at("POST", "/permissions"), "Permissions:SetPermission", P::Body, V},
    {at("POST", "/webauthn/authenticator"), "WebAuthn:AddVirtualAuthenticator", P::Body, V},
    {at("DELETE", "/webauthn/authenticator/*"), "WebAuthn:RemoveVirtualAuthenticator",
     P::Authenticator, V},
    {at("POST", "/webauthn/authenticator/*/credential"), "WebAuthn:AddCredential", P::Authenticator,
     V},
    {at("GET", "/webauthn/authenticator/*/credentials"), "WebAuthn:GetCredentials",
     P::Authenticator, V},
    {at("DELETE", "/webauthn/authenticator/*/credentials/*"), "WebAuthn:RemoveCredential",
     P::Credential, V},
    {at("DELETE", "/webauthn/authenticator/*/credentials"), "WebAuthn:RemoveAllCredentials",
     P::Authenticator, V},
    {at("POST", "/webauthn/authenticator/*/uv"), "WebAuthn:SetUserVerified", P::Authenticator, V},
};

// kTable by W3C endpoint index: the entry's position in kTable, or -1 when Firefox lacks it.
std::vector<int> byW3cIndex() {
  std::vector<int> index(wdhost::w3c::kSessionEndpointCount, -1);
  for (std::size_t i = 0; i < std::size(kTable); ++i)
    index.at(kTable[i].w3c) = static_cast<int>(i);
  return index;
}

} // namespace

const std::vector<Endpoint>& endpoints() {
  static const std::vector<Endpoint> table(std::begin(kTable), std::end(kTable));
  return table;
}

Match matchEndpoint(std::string_view method, std::string_view path) {
  static const std::vector<int> index = byW3cIndex();
  wdhost::w3c::EndpointMatch found = wdhost::w3c::matchEndpoint(method, path);
  std::string_view bare = path.substr(0, path.find('?'));
  if (!found.found() && !found.allowedMethods.empty())
    throw wdhost::Error("unknown method", std::string(bare) + " does not take " +
                                              std::string(method) + "; it takes " +
                                              found.allowedMethods);
  if (!found.found() || index.at(found.index) < 0)
    throw wdhost::Error("unknown command",
                        "Firefox (through Marionette) has no WebDriver command " +
                            std::string(method) + " " + std::string(bare));
  Match match;
  match.endpoint = &endpoints().at(static_cast<std::size_t>(index.at(found.index)));
  match.segments = std::move(found.segments);
  return match;
}

std::string buildParams(const Match& match, std::string_view body) {
  const std::vector<std::string>& seg = match.segments;
  if (match.endpoint->method() == "POST" && blank(body))
    throw wdhost::Error("invalid argument", "the request body must be a JSON object; send {} "
                                            "when the command takes no parameters");
  switch (match.endpoint->params) {
  case Params::None:
    return "{}";
  case Params::Screenshot:
    return R"({"full":false})";
  default:
    break;
  }
  rapidjson::Document doc = bodyObject(body);
  applyCheck(match.endpoint->check, doc);
  switch (match.endpoint->params) {
  case Params::Body:
    break;
  case Params::Id:
    doc.SetObject();
    setString(doc, "id", seg.at(0));
    break;
  case Params::IdName:
    doc.SetObject();
    setString(doc, "id", seg.at(0));
    setString(doc, "name", seg.at(1));
    break;
  case Params::IdPropertyName:
    doc.SetObject();
    setString(doc, "id", seg.at(0));
    setString(doc, "propertyName", seg.at(1));
    break;
  case Params::IdBody:
    setString(doc, "id", seg.at(0));
    break;
  case Params::FromElement:
    setString(doc, "element", seg.at(0));
    break;
  case Params::FromShadowRoot:
    setString(doc, "shadowRoot", seg.at(0));
    break;
  case Params::Frame:
    return toJson(frameParams(doc));
  case Params::CookieName:
    doc.SetObject();
    setString(doc, "name", seg.at(0));
    break;
  case Params::ElementScreenshot:
    doc.SetObject();
    setString(doc, "id", seg.at(0));
    doc.AddMember("full", false, doc.GetAllocator());
    break;
  case Params::Authenticator:
    setString(doc, "authenticatorId", seg.at(0));
    break;
  case Params::Credential:
    doc.SetObject();
    setString(doc, "authenticatorId", seg.at(0));
    setString(doc, "credentialId", seg.at(1));
    break;
  case Params::None:
  case Params::Screenshot:
    break;
  }
  return toJson(doc);
}

std::string buildValue(const Match& match, std::string_view result) {
  if (match.endpoint->result == Result::Value)
    return unwrapValue(result);
  if (match.endpoint->result == Result::Rect) {
    std::string text = unwrapValue(result);
    rapidjson::Document rect;
    rect.Parse(text.c_str(), text.size());
    if (rect.HasParseError() || !rect.IsObject())
      return text;
    rapidjson::Document out(rapidjson::kObjectType);
    for (const char* key : {"x", "y", "width", "height"})
      if (auto it = rect.FindMember(key); it != rect.MemberEnd())
        out.AddMember(rapidjson::StringRef(key), rapidjson::Value(it->value, out.GetAllocator()),
                      out.GetAllocator());
    return toJson(out);
  }
  std::string cookies = unwrapValue(result);
  rapidjson::Document doc;
  doc.Parse(cookies.c_str(), cookies.size());
  if (!doc.HasParseError() && doc.IsArray()) {
    for (const auto& cookie : doc.GetArray()) {
      if (!cookie.IsObject())
        continue;
      auto name = cookie.FindMember("name");
      if (name != cookie.MemberEnd() && name->value.IsString() &&
          match.segments.at(0) == name->value.GetString())
        return toJson(cookie);
    }
  }
  throw wdhost::Error("no such cookie",
                      "no cookie named '" + match.segments.at(0) + "' is visible on this page");
}

uint32_t answerTimeoutMs(const Match& match, std::string_view params, int64_t scriptMs,
                         int64_t pageLoadMs, int64_t implicitMs) {
  auto bound = [](int64_t ms) { return ms < 0 || ms > kUnlimitedMs ? kUnlimitedMs : ms; };
  int64_t wait = 0;
  switch (match.endpoint->wait) {
  case Wait::Quick:
    break;
  case Wait::PageLoad:
    wait = bound(pageLoadMs);
    break;
  case Wait::Script:
    wait = bound(scriptMs);
    break;
  case Wait::Implicit:
    wait = bound(implicitMs);
    break;
  case Wait::Actions:
    wait = actionsDurationMs(params);
    break;
  }
  return static_cast<uint32_t>(wait + kMarginMs);
}

} // namespace wdhost::firefox

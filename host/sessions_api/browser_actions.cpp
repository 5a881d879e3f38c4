#include "sessions_api/browser_actions.h"

#include "sessions_api/target_url.h"
#include "sessions_api/webdriver_call.h"

#include "json/json.h"
#include <algorithm>
#include <chrono>

namespace wdh {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";
constexpr const char* kKnownTypes =
    "click, type, goto, wait, wait_for_selector, wait_for_function, wait_for_load_state, "
    "wait_for_cookie, execute_js, scroll, hover, keyboard, dropdown, switch_iframe, "
    "set_viewport, if, while, remove_iframes";
constexpr int64_t kDefaultTimeoutMs = 30000;
constexpr int64_t kMaxWaitMs = 120000;
constexpr int kMaxDepth = 8;
constexpr int kMaxWhileAttempts = 100;
constexpr auto kPollInterval = std::chrono::milliseconds(100);

// W3C key codes for "keyboard" values.
const char* keyCode(std::string_view name) {
  if (name == "tab")
    return "\xee\x80\x84"; // U+E004
  if (name == "enter")
    return "\xee\x80\x87"; // U+E007
  if (name == "space")
    return "\xee\x80\x8d"; // U+E00D
  if (name == "backspace")
    return "\xee\x80\x83"; // U+E003
  if (name == "arrowleft")
    return "\xee\x80\x92"; // U+E012
  if (name == "arrowup")
    return "\xee\x80\x93"; // U+E013
  if (name == "arrowright")
    return "\xee\x80\x94"; // U+E014
  if (name == "arrowdown")
    return "\xee\x80\x95"; // U+E015
  return nullptr;
}

std::string stringField(const rapidjson::Value& action, const char* key) {
  auto it = action.FindMember(key);
  return it != action.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// A millisecond field, clamped to 0..kMaxWaitMs; `fallback` when absent or null.
int64_t msField(const rapidjson::Value& action, const char* key, int64_t fallback) {
  auto it = action.FindMember(key);
  if (it == action.MemberEnd() || !it->value.IsNumber())
    return fallback;
  return std::clamp<int64_t>(static_cast<int64_t>(it->value.GetDouble()), 0, kMaxWaitMs);
}

bool trueField(const rapidjson::Value& action, const char* key) {
  auto it = action.FindMember(key);
  return it != action.MemberEnd() && it->value.IsTrue();
}

Status invalid(std::size_t index, const std::string& what) {
  return Status(ErrorCode::InvalidArgument,
                "browserActions[" + std::to_string(index) + "]: " + what);
}

// The fields each type cannot do without.
Status checkOne(const rapidjson::Value& action, std::size_t index, int depth);

Status checkList(const rapidjson::Value& list, const char* name, int depth) {
  if (!list.IsArray())
    return Status(ErrorCode::InvalidArgument, std::string("\"") + name + "\" must be a list");
  if (depth > kMaxDepth)
    return Status(ErrorCode::InvalidArgument,
                  "browserActions nest deeper than " + std::to_string(kMaxDepth) + " levels");
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    Status status = checkOne(list[i], i, depth);
    if (!status.isOk())
      return status;
  }
  return Status::ok();
}

Status checkOne(const rapidjson::Value& action, std::size_t index, int depth) {
  if (!action.IsObject() || !action.HasMember("type") || !action["type"].IsString())
    return invalid(index, "each action is an object with a \"type\"");
  std::string type = action["type"].GetString();
  auto needs = [&](const char* key) {
    auto it = action.FindMember(key);
    return it == action.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0
               ? invalid(index, type + " needs \"" + key + "\": a non-empty string")
               : Status::ok();
  };
  std::string when = stringField(action, "when");
  if (!when.empty() && when != "beforeload" && when != "afterload")
    return invalid(index, "\"when\" is \"beforeload\" or \"afterload\", not \"" + when + "\"");
  if (type == "solve_captcha" || type == "discord_login")
    return Status(ErrorCode::UnsupportedOperation,
                  "browserActions[" + std::to_string(index) + "]: " + type +
                      " needs a third-party service this host does not use");
  if (type == "click" || type == "hover" || type == "switch_iframe" ||
      type == "wait_for_selector" || type == "dropdown")
    return needs("cssSelector");
  if (type == "type") {
    Status status = needs("cssSelector");
    return status.isOk() && !(action.HasMember("text") && action["text"].IsString())
               ? invalid(index, "type needs \"text\": a string")
               : status;
  }
  if (type == "goto") {
    Status url = checkApiUrl("url", stringField(action, "url"));
    return url.isOk() ? url : invalid(index, "goto: " + url.message());
  }
  if (type == "wait" || type == "remove_iframes" || type == "scroll" || type == "set_viewport")
    return Status::ok();
  if (type == "wait_for_function" || type == "execute_js")
    return needs("code");
  if (type == "wait_for_cookie")
    return needs("cookieName");
  if (type == "wait_for_load_state") {
    std::string state = stringField(action, "waitForLoadState");
    if (!state.empty() && state != "domcontentloaded" && state != "load" && state != "networkidle")
      return invalid(index, "waitForLoadState is domcontentloaded, load or networkidle");
    return Status::ok();
  }
  if (type == "keyboard") {
    std::string value = stringField(action, "value");
    if (value != "clear" && keyCode(value) == nullptr)
      return invalid(index, "keyboard \"value\" is one of tab, enter, space, arrowdown, arrowup, "
                            "arrowleft, arrowright, backspace, clear");
    return Status::ok();
  }
  if (type == "if" || type == "while") {
    Status status = needs("condition");
    if (!status.isOk())
      return status;
    if (action.HasMember("then") && !action["then"].IsNull())
      status = checkList(action["then"], "then", depth + 1);
    if (status.isOk() && type == "if" && action.HasMember("or") && !action["or"].IsNull())
      status = checkList(action["or"], "or", depth + 1);
    return status;
  }
  return invalid(index, "unknown type \"" + type.substr(0, 64) + "\"; known: " + kKnownTypes);
}

// Runs one action list; the state shared by its actions.
class Runner {
public:
  Runner(WebDriverCalls& session, const RequestDeadline& deadline, ActionResults* results)
      : session_(session), deadline_(deadline), results_(results) {}

  // Runs the actions of `list`; at the top level only those of `phase` (nested ones all run).
  // The request's deadline is checked before every action and ends the list whatever
  // "ignoreErrors" says.
  Status runList(const rapidjson::Value& list, ActionPhase phase, bool topLevel = true) {
    for (const auto& action : list.GetArray()) {
      ActionPhase when = stringField(action, "when") == "beforeload" ? ActionPhase::BeforeLoad
                                                                     : ActionPhase::AfterLoad;
      if (topLevel && when != phase)
        continue;
      std::string context = std::string("browser action ") + action["type"].GetString();
      Status alive = deadline_.check();
      if (!alive.isOk())
        return alive.withContext(context);
      Status status = runOne(action, phase);
      if (!status.isOk() && !trueField(action, "ignoreErrors"))
        return status.withContext(context);
    }
    return deadline_.check();
  }

private:
  Status call(std::string_view method, std::string_view suffix, const std::string& body,
              rapidjson::Document* value = nullptr) {
    rapidjson::Document ignored;
    return webdriverCall(session_, method, suffix, body, value ? value : &ignored);
  }

  Status script(const std::string& body, const std::string& args, rapidjson::Document* value) {
    return runScript(session_, body, args, value);
  }

  // Waits (bounded by `timeoutMs`) until `css` matches an element; its reference.
  Status find(const std::string& css, int64_t timeoutMs, std::string* element) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    std::string body = R"({"using":"css selector","value":)" + quoteJson(css) + "}";
    while (true) {
      rapidjson::Document found;
      Status status = call("POST", "/element", body, &found);
      if (status.isOk() && found.IsObject() && found.HasMember(kElementKey)) {
        *element = found[kElementKey].GetString();
        return Status::ok();
      }
      if (!status.isOk() && status.code() != ErrorCode::NoSuchElement)
        return status;
      if (Clock::now() >= deadline)
        return Status(ErrorCode::NoSuchElement, "nothing matched \"" + css + "\" within " +
                                                    std::to_string(timeoutMs) + " ms");
      Status alive = deadline_.sleep(kPollInterval);
      if (!alive.isOk())
        return alive;
    }
  }

  // Polls `condition` (a function body returning a truthy value) until true or the timeout.
  Status waitFor(const std::string& condition, int64_t timeoutMs, const std::string& what) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (true) {
      rapidjson::Document value;
      Status status = script(condition, "[]", &value);
      if (!status.isOk())
        return status;
      if (value.IsTrue())
        return Status::ok();
      if (Clock::now() >= deadline)
        return Status(ErrorCode::Timeout,
                      what + " did not happen within " + std::to_string(timeoutMs) + " ms");
      Status alive = deadline_.sleep(kPollInterval);
      if (!alive.isOk())
        return alive;
    }
  }

  Status truthy(const std::string& condition, bool* result) {
    rapidjson::Document value;
    Status status = script("return !!(" + condition + "\n);", "[]", &value);
    *result = value.IsTrue();
    return status;
  }

  static std::string elementArg(const std::string& element) {
    return std::string("[{\"") + kElementKey + "\":" + quoteJson(element) + "}]";
  }

  Status runOne(const rapidjson::Value& action, ActionPhase phase) {
    std::string type = action["type"].GetString();
    int64_t timeoutMs = msField(action, "timeout", kDefaultTimeoutMs);
    std::string css = stringField(action, "cssSelector");
    Status status = act(type, action, css, timeoutMs, phase);
    int64_t after = type == "wait" ? 0 : msField(action, "wait", 0);
    if (status.isOk() && after > 0)
      return deadline_.sleep(std::chrono::milliseconds(after));
    return status;
  }

  Status act(const std::string& type, const rapidjson::Value& action, const std::string& css,
             int64_t timeoutMs, ActionPhase phase) {
    std::string element;
    if (type == "wait")
      return deadline_.sleep(std::chrono::milliseconds(msField(action, "wait", 0)));
    if (type == "goto")
      return call("POST", "/url", "{\"url\":" + quoteJson(stringField(action, "url")) + "}");
    if (type == "click" || type == "type" || type == "hover" || type == "dropdown" ||
        type == "switch_iframe" || type == "wait_for_selector") {
      Status found = find(css, timeoutMs, &element);
      if (!found.isOk() || type == "wait_for_selector")
        return found;
    }
    if (type == "click")
      return call("POST", "/element/" + element + "/click", "{}");
    if (type == "type")
      return call("POST", "/element/" + element + "/value",
                  "{\"text\":" + quoteJson(stringField(action, "text")) + "}");
    if (type == "hover") {
      std::string origin = std::string("{\"") + kElementKey + "\":" + quoteJson(element) + "}";
      return call("POST", "/actions",
                  R"({"actions":[{"type":"pointer","id":"wdhost-hover","parameters":)"
                  R"({"pointerType":"mouse"},"actions":[{"type":"pointerMove","x":0,"y":0,)"
                  R"("duration":0,"origin":)" +
                      origin + "}]}]}");
    }
    if (type == "switch_iframe")
      return call("POST", "/frame",
                  std::string("{\"id\":{\"") + kElementKey + "\":" + quoteJson(element) + "}}");
    if (type == "dropdown")
      return dropdown(action, element);
    if (type == "wait_for_function")
      return waitFor("return !!(" + stringField(action, "code") + "\n);", timeoutMs,
                     "wait_for_function");
    if (type == "wait_for_load_state") {
      std::string state = stringField(action, "waitForLoadState");
      std::string ready = state == "domcontentloaded" ? "document.readyState !== 'loading'"
                                                      : "document.readyState === 'complete'";
      Status status = waitFor("return " + ready + ";", timeoutMs, "wait_for_load_state");
      if (status.isOk() && state == "networkidle")
        return deadline_.sleep(std::chrono::milliseconds(500)); // no request for 500 ms
      return status;
    }
    if (type == "wait_for_cookie")
      return waitForCookie(action, timeoutMs);
    if (type == "execute_js")
      return executeJs(action);
    if (type == "scroll")
      return scroll(action, css);
    if (type == "keyboard")
      return keyboard(action, css, timeoutMs);
    if (type == "set_viewport")
      return setViewport(action);
    if (type == "remove_iframes")
      return call("POST", "/execute/sync",
                  R"js({"script":"document.querySelectorAll('iframe').forEach(f => f.remove())",)js"
                  R"js("args":[]})js");
    if (type == "if") {
      bool yes = false;
      Status status = truthy(stringField(action, "condition"), &yes);
      if (!status.isOk())
        return status;
      const char* branch = yes ? "then" : "or";
      if (action.HasMember(branch) && action[branch].IsArray())
        return runList(action[branch], phase, false);
      return Status::ok();
    }
    if (type == "while") {
      int attempts = static_cast<int>(
          std::clamp<int64_t>(msField(action, "maxAttempts", 10), 1, kMaxWhileAttempts));
      for (int round = 0; round < attempts; ++round) {
        bool yes = false;
        Status status = deadline_.check();
        if (status.isOk())
          status = truthy(stringField(action, "condition"), &yes);
        if (!status.isOk() || !yes)
          return status;
        if (action.HasMember("then") && action["then"].IsArray()) {
          status = runList(action["then"], phase, false);
          if (!status.isOk())
            return status;
        }
      }
      return Status::ok();
    }
    return Status(ErrorCode::InvalidArgument, "unknown browser action " + type);
  }

  Status dropdown(const rapidjson::Value& action, const std::string& element) {
    std::string args = "[{\"" + std::string(kElementKey) + "\":" + quoteJson(element) + "},";
    auto index = action.FindMember("index");
    if (index != action.MemberEnd() && index->value.IsInt())
      args += std::to_string(index->value.GetInt()) + ",null]";
    else
      args += "null," + quoteJson(stringField(action, "value")) + "]";
    rapidjson::Document chosen;
    Status status =
        script("const [select, index, value] = arguments;"
               "if (index !== null) select.selectedIndex = index; else select.value = value;"
               "select.dispatchEvent(new Event('input', {bubbles: true}));"
               "select.dispatchEvent(new Event('change', {bubbles: true}));"
               "return select.selectedIndex;",
               args, &chosen);
    if (status.isOk() && chosen.IsInt() && chosen.GetInt() < 0)
      return Status(ErrorCode::InvalidArgument, "the dropdown has no such option");
    return status;
  }

  Status waitForCookie(const rapidjson::Value& action, int64_t timeoutMs) {
    std::string name = stringField(action, "cookieName");
    std::string value = stringField(action, "cookieValue");
    std::string domain = stringField(action, "cookieDomain");
    auto interval = std::chrono::milliseconds(
        std::clamp<int64_t>(msField(action, "pollIntervalMs", 100), 20, 5000));
    auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (true) {
      rapidjson::Document cookies;
      Status status = call("GET", "/cookie", "", &cookies);
      if (!status.isOk())
        return status;
      if (cookies.IsArray())
        for (const auto& cookie : cookies.GetArray())
          if (cookie.IsObject() && stringField(cookie, "name") == name &&
              (value.empty() || stringField(cookie, "value") == value) &&
              (domain.empty() || stringField(cookie, "domain").find(domain) != std::string::npos))
            return Status::ok();
      if (Clock::now() >= deadline)
        return Status(ErrorCode::Timeout,
                      "no cookie " + name + " within " + std::to_string(timeoutMs) + " ms");
      Status alive = deadline_.sleep(interval);
      if (!alive.isOk())
        return alive;
    }
  }

  Status executeJs(const rapidjson::Value& action) {
    std::string code = stringField(action, "code");
    // A body with its own return runs as is; an expression or statements give their last value.
    bool hasReturn = code.find("return") != std::string::npos;
    rapidjson::Document value;
    Status status = hasReturn
                        ? script(code, "[]", &value)
                        : script("return eval(arguments[0]);", "[" + quoteJson(code) + "]", &value);
    if (status.isOk() && !trueField(action, "dontReturnValue"))
      results_->javascriptReturn.push_back(toJson(value));
    return status;
  }

  Status scroll(const rapidjson::Value& action, const std::string& css) {
    int repeat = static_cast<int>(std::clamp<int64_t>(msField(action, "repeat", 1), 1, 100));
    auto delay = std::chrono::milliseconds(msField(action, "delayMs", 0));
    for (int round = 0; round < repeat; ++round) {
      rapidjson::Document ignored;
      Status status = deadline_.check();
      if (!status.isOk())
        return status;
      status = css.empty()
                   ? script("window.scrollTo(0, document.body ? document.body.scrollHeight : 0);",
                            "[]", &ignored)
                   : script("const e = document.querySelector(arguments[0]);"
                            "if (!e) throw new Error('nothing matches ' + arguments[0]);"
                            "e.scrollIntoView({block: 'center'});",
                            "[" + quoteJson(css) + "]", &ignored);
      if (!status.isOk())
        return status;
      if (round + 1 < repeat) {
        status = deadline_.sleep(delay);
        if (!status.isOk())
          return status;
      }
    }
    return Status::ok();
  }

  Status keyboard(const rapidjson::Value& action, const std::string& css, int64_t timeoutMs) {
    std::string value = stringField(action, "value");
    std::string element;
    if (!css.empty()) {
      Status found = find(css, timeoutMs, &element);
      if (!found.isOk())
        return found;
      if (value == "clear")
        return call("POST", "/element/" + element + "/clear", "{}");
      return call("POST", "/element/" + element + "/value",
                  "{\"text\":" + quoteJson(keyCode(value)) + "}");
    }
    if (value == "clear") {
      rapidjson::Document ignored;
      return script("const e = document.activeElement; if (e && 'value' in e) e.value = '';", "[]",
                    &ignored);
    }
    std::string key = quoteJson(keyCode(value));
    return call("POST", "/actions",
                R"({"actions":[{"type":"key","id":"wdhost-keyboard","actions":[{"type":"keyDown",)"
                R"("value":)" +
                    key + R"(},{"type":"keyUp","value":)" + key + "}]}]}");
  }

  // The viewport (not the window) gets width x height: the window is sized by the difference.
  Status setViewport(const rapidjson::Value& action) {
    int64_t width = std::clamp<int64_t>(msField(action, "width", 1280), 200, 8000);
    int64_t height = std::clamp<int64_t>(msField(action, "height", 800), 200, 8000);
    rapidjson::Document frame;
    Status status = script("return [window.outerWidth - window.innerWidth, "
                           "window.outerHeight - window.innerHeight];",
                           "[]", &frame);
    int64_t extraW = 0, extraH = 0;
    if (status.isOk() && frame.IsArray() && frame.Size() == 2 && frame[0].IsNumber() &&
        frame[1].IsNumber()) {
      extraW = std::max<int64_t>(0, static_cast<int64_t>(frame[0].GetDouble()));
      extraH = std::max<int64_t>(0, static_cast<int64_t>(frame[1].GetDouble()));
    }
    return call("POST", "/window/rect",
                "{\"width\":" + std::to_string(width + extraW) +
                    ",\"height\":" + std::to_string(height + extraH) + "}");
  }

  WebDriverCalls& session_;
  const RequestDeadline& deadline_;
  ActionResults* results_;
};

} // namespace

Status checkActions(const rapidjson::Value& actions) {
  if (actions.IsNull())
    return Status::ok();
  return checkList(actions, "browserActions", 0);
}

Status runActions(WebDriverCalls& session, const rapidjson::Value& actions, ActionPhase phase,
                  const RequestDeadline& deadline, ActionResults* results) {
  if (!actions.IsArray())
    return Status::ok();
  Runner runner(session, deadline, results);
  return runner.runList(actions, phase);
}

} // namespace wdh

#include "webdriver/vendor_status.h"

#include "json/json.h"
#include <algorithm>
#include <cctype>

namespace wdh {
namespace {

constexpr std::string_view kBrowserStack = "browserstack_executor:";
constexpr std::string_view kSauce = "sauce:";
constexpr std::string_view kLambda = "lambda-";

// The scripts each vendor's clients send that are no JavaScript a page could mean.
constexpr std::string_view kSauceKeys[] = {"job-result", "context",   "job-name",
                                           "job-tags",   "job-build", "job-info"};
constexpr std::string_view kLambdaKeys[] = {"status", "name",       "build",
                                            "action", "file-stats", "hook"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

// "test:passed" / "test:failed" for a vendor's word for how the test went, else "".
std::string eventOf(std::string_view word) {
  std::string said = lower(trimmed(word));
  if (said == "passed" || said == "true" || said == "pass")
    return "test:passed";
  if (said == "failed" || said == "false" || said == "fail" || said == "error")
    return "test:failed";
  return "";
}

// "key=value" after a vendor's prefix, when key is one of `keys`.
bool keyValue(std::string_view script, std::string_view prefix, const std::string_view* keys,
              std::size_t count, std::string* key, std::string* value) {
  if (script.substr(0, prefix.size()) != prefix)
    return false;
  script.remove_prefix(prefix.size());
  std::size_t equals = script.find('=');
  if (equals == std::string_view::npos)
    return false;
  std::string_view name = script.substr(0, equals);
  if (std::find(keys, keys + count, name) == keys + count)
    return false;
  *key = std::string(name);
  *value = std::string(script.substr(equals + 1));
  return true;
}

void readBrowserStack(std::string_view json, VendorStatus* out) {
  rapidjson::Document doc;
  if (!parseJsonObject(json, &doc).isOk()) {
    out->note = "browserstack_executor: not a JSON object, ignored";
    return;
  }
  auto action = doc.FindMember("action");
  auto arguments = doc.FindMember("arguments");
  std::string name = action != doc.MemberEnd() && action->value.IsString()
                         ? action->value.GetString()
                         : std::string();
  const rapidjson::Value* args =
      arguments != doc.MemberEnd() && arguments->value.IsObject() ? &arguments->value : nullptr;
  auto text = [&](const char* key) -> std::string {
    if (args == nullptr)
      return "";
    auto it = args->FindMember(key);
    return it != args->MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  if (name == "setSessionStatus") {
    out->eventType = eventOf(text("status"));
    out->note =
        "status " + text("status") + (text("reason").empty() ? "" : " (" + text("reason") + ")");
  } else if (name == "annotate") {
    out->note = "annotation: " + text("data");
  } else if (name == "setSessionName") {
    out->note = "name: " + text("name");
  } else {
    out->note = "browserstack_executor action \"" + name + "\" has no meaning here, ignored";
  }
}

} // namespace

bool readVendorStatus(std::string_view body, VendorStatus* out) {
  // Cheap first: nearly every Execute Script is none of these.
  if (body.find(kBrowserStack) == std::string_view::npos &&
      body.find(kSauce) == std::string_view::npos && body.find(kLambda) == std::string_view::npos)
    return false;
  rapidjson::Document doc;
  if (!parseJsonObject(body, &doc).isOk())
    return false;
  auto member = doc.FindMember("script");
  if (member == doc.MemberEnd() || !member->value.IsString())
    return false;
  std::string_view script =
      trimmed(std::string_view(member->value.GetString(), member->value.GetStringLength()));
  *out = VendorStatus();
  if (script.substr(0, kBrowserStack.size()) == kBrowserStack) {
    readBrowserStack(script.substr(kBrowserStack.size()), out);
    out->note = "BrowserStack " + out->note;
    return true;
  }
  std::string key;
  std::string value;
  if (keyValue(script, kSauce, kSauceKeys, std::size(kSauceKeys), &key, &value)) {
    if (key == "job-result")
      out->eventType = eventOf(value);
    out->note = "Sauce Labs " + key + ": " + value;
    return true;
  }
  if (keyValue(script, kLambda, kLambdaKeys, std::size(kLambdaKeys), &key, &value)) {
    if (key == "status")
      out->eventType = eventOf(value);
    out->note = "LambdaTest " + key + ": " + value;
    return true;
  }
  return false;
}

} // namespace wdh

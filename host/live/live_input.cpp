#include "live/live_input.h"

#include "json/json.h"
#include <algorithm>
#include <cmath>
#include <string_view>

namespace wdh {
namespace {

// A named key and its WebDriver key value (the spec's table of normalised keys).
struct NamedKey {
  const char* name;
  const char* value;
};

constexpr NamedKey kKeys[] = {
    {"Enter", "\xEE\x80\x87"},     {"Backspace", "\xEE\x80\x83"},
    {"Tab", "\xEE\x80\x84"},       {"Escape", "\xEE\x80\x8C"},
    {"Delete", "\xEE\x80\x97"},    {"Home", "\xEE\x80\x91"},
    {"End", "\xEE\x80\x90"},       {"PageUp", "\xEE\x80\x8E"},
    {"PageDown", "\xEE\x80\x8F"},  {"ArrowLeft", "\xEE\x80\x92"},
    {"ArrowUp", "\xEE\x80\x93"},   {"ArrowRight", "\xEE\x80\x94"},
    {"ArrowDown", "\xEE\x80\x95"}, {"Space", " "},
};

// The number of UTF-8 code points in `text` when it is valid UTF-8 of printable characters
// (no C0 or C1 control characters, no DEL); -1 otherwise.
long printableLength(std::string_view text) {
  long count = 0;
  for (std::size_t at = 0; at < text.size(); ++count) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char first = byte(at);
    std::size_t length = first < 0x80                     ? 1
                         : first >= 0xC2 && first <= 0xDF ? 2
                         : first >= 0xE0 && first <= 0xEF ? 3
                         : first >= 0xF0 && first <= 0xF4 ? 4
                                                          : 0;
    if (length == 0 || at + length > text.size())
      return -1;
    for (std::size_t i = 1; i < length; ++i)
      if ((byte(at + i) & 0xC0) != 0x80)
        return -1;
    if (length == 1 && (first < 0x20 || first == 0x7F))
      return -1;
    if (length == 2 && first == 0xC2 && byte(at + 1) < 0xA0)
      return -1; // C1 controls
    at += length;
  }
  return count;
}

// Reads the number `key` of `message` into *out, clamped into [low, high]; `fallback` when
// absent. False when present and not a finite number.
bool numberOf(const rapidjson::Value& message, const char* key, double low, double high,
              double fallback, double* out) {
  auto it = message.FindMember(key);
  if (it == message.MemberEnd()) {
    *out = fallback;
    return true;
  }
  if (!it->value.IsNumber() || !std::isfinite(it->value.GetDouble()))
    return false;
  *out = std::clamp(it->value.GetDouble(), low, high);
  return true;
}

Status invalid(const std::string& what) {
  return Status(ErrorCode::InvalidArgument, what);
}

} // namespace

const char* liveKeyNames() {
  return "Enter, Backspace, Tab, Escape, Delete, Home, End, PageUp, PageDown, ArrowLeft, "
         "ArrowUp, ArrowRight, ArrowDown, Space";
}

Status parseLiveInput(const rapidjson::Value& message, LiveInput* out) {
  if (!message.IsObject())
    return invalid("an input is a JSON object with a \"type\"");
  auto type = message.FindMember("type");
  std::string_view kind =
      type != message.MemberEnd() && type->value.IsString()
          ? std::string_view(type->value.GetString(), type->value.GetStringLength())
          : std::string_view();
  *out = LiveInput{};
  if (kind == "click" || kind == "scroll") {
    out->kind = kind == "click" ? LiveInput::Click : LiveInput::Scroll;
    if (!numberOf(message, "x", 0, 1, -1, &out->x) || !numberOf(message, "y", 0, 1, -1, &out->y) ||
        out->x < 0 || out->y < 0)
      return invalid(std::string(kind) +
                     " needs \"x\" and \"y\": fractions (0 to 1) of the picture");
    if (out->kind == LiveInput::Click) {
      double button = 0;
      if (!numberOf(message, "button", 0, 2, 0, &button))
        return invalid("a click's \"button\" is 0 (left), 1 (middle) or 2 (right)");
      out->button = static_cast<int>(button);
      auto twice = message.FindMember("double");
      out->twice = twice != message.MemberEnd() && twice->value.IsBool() && twice->value.GetBool();
      return Status::ok();
    }
    double dx = 0;
    double dy = 0;
    if (!numberOf(message, "dx", -2000, 2000, 0, &dx) ||
        !numberOf(message, "dy", -2000, 2000, 0, &dy))
      return invalid("a scroll's \"dx\" and \"dy\" are numbers of CSS pixels");
    out->deltaX = static_cast<int>(dx);
    out->deltaY = static_cast<int>(dy);
    return Status::ok();
  }
  if (kind == "key") {
    out->kind = LiveInput::Key;
    auto key = message.FindMember("key");
    std::string name = key != message.MemberEnd() && key->value.IsString()
                           ? std::string(key->value.GetString(), key->value.GetStringLength())
                           : std::string();
    for (const NamedKey& known : kKeys)
      if (name == known.name) {
        out->key = known.value;
        return Status::ok();
      }
    if (printableLength(name) == 1) {
      out->key = name;
      return Status::ok();
    }
    return invalid("a key is one printable character or one of: " + std::string(liveKeyNames()));
  }
  if (kind == "text") {
    out->kind = LiveInput::Text;
    auto text = message.FindMember("text");
    if (text == message.MemberEnd() || !text->value.IsString())
      return invalid("a text input needs \"text\": a string");
    out->text.assign(text->value.GetString(), text->value.GetStringLength());
    long length = printableLength(out->text);
    if (length < 1 || static_cast<std::size_t>(length) > kMaxLiveText)
      return invalid("a text input is 1 to " + std::to_string(kMaxLiveText) +
                     " printable characters of UTF-8");
    return Status::ok();
  }
  return invalid("an input's \"type\" is \"click\", \"scroll\", \"key\" or \"text\"");
}

std::string liveActionsBody(const LiveInput& input, double cssWidth, double cssHeight) {
  auto at = [](double fraction, double size) {
    long most = std::max(0L, static_cast<long>(std::floor(size)) - 1);
    return std::to_string(std::clamp(static_cast<long>(std::floor(fraction * size)), 0L, most));
  };
  std::string x = at(input.x, cssWidth);
  std::string y = at(input.y, cssHeight);
  switch (input.kind) {
  case LiveInput::Click: {
    std::string button = std::to_string(input.button);
    std::string press = ",{\"type\":\"pointerDown\",\"button\":" + button +
                        "},{\"type\":\"pointerUp\",\"button\":" + button + "}";
    return "{\"actions\":[{\"type\":\"pointer\",\"id\":\"wdhost-live-mouse\",\"parameters\":"
           "{\"pointerType\":\"mouse\"},\"actions\":[{\"type\":\"pointerMove\",\"duration\":0,"
           "\"origin\":\"viewport\",\"x\":" +
           x + ",\"y\":" + y + "}" + press + (input.twice ? press : "") + "]}]}";
  }
  case LiveInput::Scroll:
    return "{\"actions\":[{\"type\":\"wheel\",\"id\":\"wdhost-live-wheel\",\"actions\":[{\"type\":"
           "\"scroll\",\"origin\":\"viewport\",\"x\":" +
           x + ",\"y\":" + y + ",\"deltaX\":" + std::to_string(input.deltaX) +
           ",\"deltaY\":" + std::to_string(input.deltaY) + "}]}]}";
  case LiveInput::Key:
  case LiveInput::Text: {
    std::string keys;
    auto press = [&keys](const std::string& value) {
      keys += std::string(keys.empty() ? "" : ",") +
              "{\"type\":\"keyDown\",\"value\":" + quoteJson(value) +
              "},{\"type\":\"keyUp\",\"value\":" + quoteJson(value) + "}";
    };
    if (input.kind == LiveInput::Key)
      press(input.key);
    else
      for (std::size_t next = 0; next < input.text.size();) {
        unsigned char first = static_cast<unsigned char>(input.text[next]);
        std::size_t length = first < 0x80 ? 1 : first < 0xE0 ? 2 : first < 0xF0 ? 3 : 4;
        press(input.text.substr(next, length));
        next += length;
      }
    return "{\"actions\":[{\"type\":\"key\",\"id\":\"wdhost-live-keyboard\",\"actions\":[" + keys +
           "]}]}";
  }
  }
  return "{\"actions\":[]}";
}

} // namespace wdh

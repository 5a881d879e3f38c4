#include "webdriver/client_capability_policy.h"

#include "json/json.h"
#include <functional>
#include <string>

namespace wdh {
namespace {

constexpr const char* kAllowOption = "--allow-client-binaries";
// Longer keys and switch names are no option a browser knows; they are not matched, so that a
// huge one costs nothing.
constexpr std::size_t kLongestName = 1024;

using Visit = std::function<bool(const std::string& path, const rapidjson::Value& value)>;

std::string_view stringOf(const rapidjson::Value& value) {
  return std::string_view(value.GetString(), value.GetStringLength());
}

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char lower(char c, bool ignoreCase) {
  return ignoreCase && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view withoutDashes(std::string_view text) {
  std::size_t dashes = text.find_first_not_of('-');
  return dashes == std::string_view::npos ? std::string_view() : text.substr(dashes);
}

// Present with a value: not null, "", {} or [].
bool hasValue(const rapidjson::Value& value) {
  if (value.IsNull())
    return false;
  if (value.IsString())
    return value.GetStringLength() > 0;
  if (value.IsObject())
    return value.MemberCount() > 0;
  if (value.IsArray())
    return !value.Empty();
  return true;
}

// Calls `visit` with every value under `node` that the dotted `segments` (from `from` on) name,
// and its path as the request spells it; a key holding dots matches as many segments. Stops
// and returns true as soon as `visit` does.
bool visitPath(const rapidjson::Value& node, const std::vector<std::string>& segments,
               std::size_t from, const std::string& prefix, const Visit& visit) {
  if (!node.IsObject())
    return false;
  for (const auto& member : node.GetObject()) {
    std::string_view key = stringOf(member.name);
    if (key.size() > kLongestName)
      continue;
    std::string pattern;
    for (std::size_t end = from; end < segments.size(); ++end) {
      pattern += (end == from ? "" : ".") + segments[end];
      if (!globMatches(pattern, key))
        continue;
      std::string path = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
      if (end + 1 == segments.size() ? visit(path, member.value)
                                     : visitPath(member.value, segments, end + 1, path, visit))
        return true;
    }
  }
  return false;
}

std::vector<std::string> segmentsOf(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
    segments.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  segments.push_back(path.substr(start));
  return segments;
}

Status refused(const std::string& what) {
  return Status(ErrorCode::InvalidArgument,
                what +
                    " is refused: it would run or reach a program, file or port of this host; "
                    "the operator can allow it by starting wdhost with " +
                    kAllowOption);
}

std::string shown(std::string_view arg) {
  std::string text = quoteJson(arg.substr(0, 120));
  return arg.size() > 120 ? text.substr(0, text.size() - 1) + "...\"" : text;
}

} // namespace

bool globMatches(std::string_view pattern, std::string_view text, bool ignoreCase) {
  // Iterative matching with backtracking to the last '*'.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && lower(pattern[p], ignoreCase) == lower(text[t], ignoreCase)) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool isGuardedSwitch(std::string_view arg, const wdhost::GuardedSwitches& rule) {
  while (!arg.empty() && isBlank(arg.front()))
    arg.remove_prefix(1);
  std::size_t end = 0;
  while (end < arg.size() && arg[end] != '=' && !isBlank(arg[end]))
    ++end;
  std::string_view name = arg.substr(0, end);
  if (!rule.shortOptions.empty() && name.size() >= 2 && name[0] == '-' && name[1] != '-') {
    for (char letter : name.substr(1))
      if (rule.shortOptions.find(letter) != std::string::npos)
        return true;
  }
  std::string_view bare = withoutDashes(name);
  if (bare.empty() || bare.size() > kLongestName)
    return false;
  for (const std::string& guarded : rule.names)
    if (globMatches(withoutDashes(guarded), bare, rule.ignoreCase))
      return true;
  return false;
}

ClientCapabilityPolicy::ClientCapabilityPolicy(std::vector<wdhost::GuardedCapabilities> rules,
                                               bool allowed)
    : rules_(std::move(rules)), allowed_(allowed) {}

Status ClientCapabilityPolicy::check(const rapidjson::Value& caps) const {
  if (allowed_ || !caps.IsObject())
    return Status::ok();
  std::string found;
  for (const wdhost::GuardedCapabilities& rules : rules_) {
    for (const std::string& member : rules.members) {
      bool hit = visitPath(caps, segmentsOf(member), 0, "",
                           [&found](const std::string& path, const rapidjson::Value& value) {
                             if (!hasValue(value))
                               return false;
                             found = path;
                             return true;
                           });
      if (hit)
        return refused(found);
    }
    for (const wdhost::GuardedSwitches& rule : rules.switches) {
      Visit args = [&found, &rule](const std::string& path, const rapidjson::Value& value) {
        if (value.IsString() && isGuardedSwitch(stringOf(value), rule)) {
          found = path + " " + shown(stringOf(value));
          return true;
        }
        if (value.IsArray())
          for (const auto& arg : value.GetArray())
            if (arg.IsString() && isGuardedSwitch(stringOf(arg), rule)) {
              found = path + " " + shown(stringOf(arg));
              return true;
            }
        return false;
      };
      if (visitPath(caps, segmentsOf(rule.path), 0, "", args))
        return refused(found);
    }
  }
  return Status::ok();
}

} // namespace wdh

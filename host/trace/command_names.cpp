#include "trace/command_names.h"

#include <algorithm>
#include <array>
#include <vector>

namespace wdh {

namespace {

// A path pattern: its parts, "*" standing for one id or name.
struct Pattern {
  const char* method;
  const char* path;
  const char* name;
  bool changesPage;
};

// W3C WebDriver's endpoint table (section 5.6), with Selenium's extensions the host serves.
constexpr std::array kPatterns{
    Pattern{"DELETE", "", "Delete Session", false},
    Pattern{"GET", "/timeouts", "Get Timeouts", false},
    Pattern{"POST", "/timeouts", "Set Timeouts", false},
    Pattern{"POST", "/url", "Navigate To", true},
    Pattern{"GET", "/url", "Get Current URL", false},
    Pattern{"POST", "/back", "Back", true},
    Pattern{"POST", "/forward", "Forward", true},
    Pattern{"POST", "/refresh", "Refresh", true},
    Pattern{"GET", "/title", "Get Title", false},
    Pattern{"GET", "/window", "Get Window Handle", false},
    Pattern{"DELETE", "/window", "Close Window", true},
    Pattern{"POST", "/window", "Switch To Window", true},
    Pattern{"GET", "/window/handles", "Get Window Handles", false},
    Pattern{"POST", "/window/new", "New Window", true},
    Pattern{"POST", "/frame", "Switch To Frame", false},
    Pattern{"POST", "/frame/parent", "Switch To Parent Frame", false},
    Pattern{"GET", "/window/rect", "Get Window Rect", false},
    Pattern{"POST", "/window/rect", "Set Window Rect", true},
    Pattern{"POST", "/window/maximize", "Maximize Window", true},
    Pattern{"POST", "/window/minimize", "Minimize Window", true},
    Pattern{"POST", "/window/fullscreen", "Fullscreen Window", true},
    Pattern{"GET", "/element/active", "Get Active Element", false},
    Pattern{"GET", "/element/*/shadow", "Get Element Shadow Root", false},
    Pattern{"POST", "/element", "Find Element", false},
    Pattern{"POST", "/elements", "Find Elements", false},
    Pattern{"POST", "/element/*/element", "Find Element From Element", false},
    Pattern{"POST", "/element/*/elements", "Find Elements From Element", false},
    Pattern{"POST", "/shadow/*/element", "Find Element From Shadow Root", false},
    Pattern{"POST", "/shadow/*/elements", "Find Elements From Shadow Root", false},
    Pattern{"GET", "/element/*/selected", "Is Element Selected", false},
    Pattern{"GET", "/element/*/attribute/*", "Get Element Attribute", false},
    Pattern{"GET", "/element/*/property/*", "Get Element Property", false},
    Pattern{"GET", "/element/*/css/*", "Get Element CSS Value", false},
    Pattern{"GET", "/element/*/text", "Get Element Text", false},
    Pattern{"GET", "/element/*/name", "Get Element Tag Name", false},
    Pattern{"GET", "/element/*/rect", "Get Element Rect", false},
    Pattern{"GET", "/element/*/enabled", "Is Element Enabled", false},
    Pattern{"GET", "/element/*/computedrole", "Get Computed Role", false},
    Pattern{"GET", "/element/*/computedlabel", "Get Computed Label", false},
    Pattern{"POST", "/element/*/click", "Element Click", true},
    Pattern{"POST", "/element/*/clear", "Element Clear", true},
    Pattern{"POST", "/element/*/value", "Element Send Keys", true},
    Pattern{"GET", "/source", "Get Page Source", false},
    Pattern{"POST", "/execute/sync", "Execute Script", true},
    Pattern{"POST", "/execute/async", "Execute Async Script", true},
    Pattern{"GET", "/cookie", "Get All Cookies", false},
    Pattern{"GET", "/cookie/*", "Get Named Cookie", false},
    Pattern{"POST", "/cookie", "Add Cookie", false},
    Pattern{"DELETE", "/cookie/*", "Delete Cookie", false},
    Pattern{"DELETE", "/cookie", "Delete All Cookies", false},
    Pattern{"POST", "/actions", "Perform Actions", true},
    Pattern{"DELETE", "/actions", "Release Actions", true},
    Pattern{"POST", "/alert/dismiss", "Dismiss Alert", true},
    Pattern{"POST", "/alert/accept", "Accept Alert", true},
    Pattern{"GET", "/alert/text", "Get Alert Text", false},
    Pattern{"POST", "/alert/text", "Send Alert Text", true},
    Pattern{"GET", "/screenshot", "Take Screenshot", false},
    Pattern{"GET", "/element/*/screenshot", "Take Element Screenshot", false},
    Pattern{"POST", "/print", "Print Page", false},
    Pattern{"POST", "/se/file", "Upload File", false},
    Pattern{"GET", "/se/files", "Get Downloadable Files", false},
    Pattern{"POST", "/se/files", "Download File", false},
    Pattern{"DELETE", "/se/files", "Delete Downloadable Files", false},
};

// The parts of a path ("/element/x/click": element, x, click).
std::vector<std::string_view> partsOf(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    std::size_t end = path.find('/');
    parts.push_back(path.substr(0, end));
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
  }
  return parts;
}

// Each pattern's parts, split once.
const std::vector<std::vector<std::string_view>>& patternParts() {
  static const std::vector<std::vector<std::string_view>> split = [] {
    std::vector<std::vector<std::string_view>> out;
    for (const Pattern& pattern : kPatterns)
      out.push_back(partsOf(pattern.path));
    return out;
  }();
  return split;
}

bool matches(const Pattern& pattern, const std::vector<std::string_view>& wanted,
             std::string_view method, const std::vector<std::string_view>& parts) {
  if (method != pattern.method)
    return false;
  if (wanted.size() != parts.size())
    return false;
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (wanted[i] != "*" && wanted[i] != parts[i])
      return false;
  return true;
}

} // namespace

CommandKind commandKind(std::string_view method, std::string_view suffix) {
  if (method == kBidiMethod) {
    // WebDriver BiDi: the command's own name; these may change what the page shows.
    static constexpr std::array<std::string_view, 13> kChanging{"browsingContext.navigate",
                                                                "browsingContext.reload",
                                                                "browsingContext.traverseHistory",
                                                                "browsingContext.activate",
                                                                "browsingContext.create",
                                                                "browsingContext.close",
                                                                "browsingContext.handleUserPrompt",
                                                                "browsingContext.setViewport",
                                                                "input.performActions",
                                                                "input.releaseActions",
                                                                "input.setFiles",
                                                                "script.callFunction",
                                                                "script.evaluate"};
    bool changes = std::find(kChanging.begin(), kChanging.end(), suffix) != kChanging.end();
    return CommandKind{std::string(suffix), changes};
  }
  std::vector<std::string_view> parts = partsOf(suffix);
  const auto& split = patternParts();
  for (std::size_t i = 0; i < kPatterns.size(); ++i)
    if (matches(kPatterns[i], split[i], method, parts))
      return CommandKind{kPatterns[i].name, kPatterns[i].changesPage};
  return CommandKind{};
}

std::string_view elementOf(std::string_view suffix) {
  constexpr std::string_view kElement = "/element/";
  if (suffix.substr(0, kElement.size()) != kElement)
    return {};
  std::string_view rest = suffix.substr(kElement.size());
  std::string_view id = rest.substr(0, rest.find('/'));
  return id == "active" ? std::string_view() : id;
}

} // namespace wdh

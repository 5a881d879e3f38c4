// What a WebDriver command is, read from its method and path: its name in the W3C
// specification and whether it may change the page (what a trace shows a picture before of).
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// One command's kind.
struct CommandKind {
  std::string name;         // "Navigate To", "Element Click", ...; "" for a command of no spec
  bool changesPage = false; // navigation, input, script, windows, alerts
};

// The method a trace gives a WebDriver BiDi command (its path is the BiDi method's name).
inline constexpr const char* kBidiMethod = "BIDI";

// The kind of command `method suffix` (a BiDi command: kBidiMethod, "browsingContext.navigate")
// (`suffix` follows /session/{id}).
CommandKind commandKind(std::string_view method, std::string_view suffix);

// The element id `suffix` names (/element/{id}/...), or "".
std::string_view elementOf(std::string_view suffix);

} // namespace wdh

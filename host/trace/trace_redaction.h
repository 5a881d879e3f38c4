// What a trace keeps of a command's bodies: typed text unless it went into a password field (or
// the client asked for every typed text and script argument to be left out), and at most so
// many bytes of each body.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wdh {

// The most bytes of one body a trace keeps.
inline constexpr std::size_t kMaxTracedBody = 64 * 1024;

// What stands in for what was left out.
inline constexpr const char* kRedacted = "[redacted]";

// True when the request of `method suffix` carries text typed into the page: Element Send Keys,
// Perform Actions (its key actions, also BiDi's input.performActions), Send Alert Text.
bool typesText(std::string_view method, std::string_view suffix);

// True when the request of `method suffix` carries script arguments (Execute Script, BiDi's
// script.callFunction).
bool passesScriptArguments(std::string_view method, std::string_view suffix);

// `body`, the request of `method suffix`, as the trace keeps it: with `typedText` false, the
// typed text in it (send keys' "text" and "value", key actions' "value", alert text) replaced by
// kRedacted; with `scriptArguments` false, Execute Script's "args" too. A body that is not JSON
// and would carry either is replaced whole. Cut to kMaxTracedBody.
std::string tracedRequest(std::string_view method, std::string_view suffix, std::string_view body,
                          bool typedText, bool scriptArguments);

// The text `body` (the request of `method suffix`) types: send keys' "text" (else its "value"
// joined), or the keyDown values of Perform Actions in order; "" when it types none.
std::string typedText(std::string_view method, std::string_view suffix, std::string_view body);

// The pieces of text `body` types, split where WebDriver's special keys (U+E000 to U+F8FF:
// Enter, Tab, the arrows, ...) stand between them, which themselves are left out.
std::vector<std::string> typedParts(std::string_view method, std::string_view suffix,
                                    std::string_view body);

// `body` cut to kMaxTracedBody bytes (on a character boundary), saying how much was left out.
std::string cutBody(std::string_view body);

} // namespace wdh

// What a person at the live view does to a page (a click, a scroll, a key, some text), read
// from the viewer's messages, checked and clamped, and turned into the WebDriver actions that
// do it on any backend.
#pragma once

#include "core/status.h"

#include <rapidjson/document.h>
#include <string>

namespace wdh {

// One checked input. Coordinates are fractions (0 to 1) of the picture the viewer shows.
struct LiveInput {
  enum Kind { Click, Scroll, Key, Text } kind = Click;
  double x = 0;       // Click, Scroll: where, across the picture
  double y = 0;       // Click, Scroll: where, down the picture
  int button = 0;     // Click: 0 left, 1 middle, 2 right
  bool twice = false; // Click: a double click
  int deltaX = 0;     // Scroll: CSS pixels
  int deltaY = 0;     //
  std::string key;    // Key: the WebDriver key value (one code point, UTF-8)
  std::string text;   // Text: what to type (printable characters only)
};

// The most characters one Text input types.
constexpr std::size_t kMaxLiveText = 256;

// Reads a viewer's input message ({"type": "click", "x", "y", "button", "double"},
// {"type": "scroll", "x", "y", "dx", "dy"}, {"type": "key", "key": "Enter"} or
// {"type": "text", "text": "..."}): coordinates clamped into the picture, scroll deltas to
// ±2000, keys from a known list (or one printable character), text bounded and printable.
// InvalidArgument saying what is wrong otherwise.
Status parseLiveInput(const rapidjson::Value& message, LiveInput* out);

// The body of a Perform Actions command doing `input` on a viewport of `cssWidth` x `cssHeight`
// CSS pixels (coordinates land inside it).
std::string liveActionsBody(const LiveInput& input, double cssWidth, double cssHeight);

// The names of the keys parseLiveInput() knows, comma-separated (for messages and the page).
const char* liveKeyNames();

} // namespace wdh

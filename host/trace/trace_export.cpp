#include "trace/trace_export.h"

namespace wdh {

std::string traceHtml(std::string_view traceJson) {
  constexpr std::string_view kSlot = "/*TRACE-DATA*/";
  std::string_view page = traceViewerHtml();
  std::size_t slot = page.find(kSlot);
  std::string out;
  out.reserve(page.size() + traceJson.size() + traceJson.size() / 64);
  out.append(page.substr(0, slot));
  // "<" only ever appears inside JSON strings, where "\u003c" means the same: no "</script>"
  // or "<!--" of the page's own can end or change the script element.
  for (char c : traceJson) {
    if (c == '<')
      out.append("\\u003c");
    else
      out.push_back(c);
  }
  out.append(page.substr(slot + kSlot.size()));
  return out;
}

} // namespace wdh

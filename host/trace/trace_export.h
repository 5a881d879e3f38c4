// A trace as one self-contained HTML file: the viewer (host/trace/trace_viewer.html) with the
// trace's JSON inside, opened offline by any browser; what a CI job keeps as an artifact.
#pragma once

#include <string>
#include <string_view>

namespace wdh {

// The viewer's page without a trace, embedded in the binary at build time.
std::string_view traceViewerHtml() noexcept;

// The viewer holding `traceJson` (a trace's JSON): nothing in it can end its script element.
std::string traceHtml(std::string_view traceJson);

// The Content-Security-Policy the host serves the viewer with: its own inline style and script,
// pictures from data: URLs, and nothing fetched.
inline constexpr const char* kTraceViewerPolicy =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

} // namespace wdh

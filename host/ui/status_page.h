// The status page's HTML (host/ui/status_page.html), embedded in the binary at build time.
#pragma once

#include <string_view>

namespace wdh {

// The whole page: markup, style and script in one document, no external asset.
std::string_view statusPageHtml() noexcept;

} // namespace wdh

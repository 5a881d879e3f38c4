// One request of a main document's chain with the headers sent and received, and how the
// sessions API reports a chain (method, requestHeaders, responseHeaders, listAllRedirectsResponse).
#pragma once

#include <rapidjson/document.h>
#include <string>
#include <utility>
#include <vector>

namespace wdh {

// Header lines in the order the browser reported them.
using HeaderLines = std::vector<std::pair<std::string, std::string>>;

// One request of a main document's chain and the response it got.
struct DocumentHop {
  std::string url;             // requested URL
  std::string method;          // "GET", "POST", ...
  HeaderLines requestHeaders;  // as sent
  int status = 0;              // HTTP status; 0 when no response came
  HeaderLines responseHeaders; // as received
};

// `lines` as a JSON object: lower-case names; repeated names joined with ", " (Set-Cookie
// with "\n", as one cookie's value may hold a comma).
void headersToJson(const HeaderLines& lines, rapidjson::Value* out,
                   rapidjson::Document::AllocatorType& a);

// Writes the chain's final request into `solution`: method, requestHeaders, responseHeaders and
// statusCode (when a response came); with `allRedirects` also "listAllRedirectsResponse", every
// hop's url, method, statusCode and responseHeaders. Nothing for an empty chain.
void addExchange(const std::vector<DocumentHop>& chain, bool allRedirects,
                 rapidjson::Document* solution);

} // namespace wdh

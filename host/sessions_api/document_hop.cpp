#include "sessions_api/document_hop.h"

#include <Poco/String.h>

namespace wdh {

void headersToJson(const HeaderLines& lines, rapidjson::Value* out,
                   rapidjson::Document::AllocatorType& a) {
  out->SetObject();
  for (const auto& [name, value] : lines) {
    std::string lower = Poco::toLower(name);
    auto existing = out->FindMember(lower.c_str());
    if (existing == out->MemberEnd()) {
      out->AddMember(rapidjson::Value(lower.c_str(), a), rapidjson::Value(value.c_str(), a), a);
      continue;
    }
    std::string joined = existing->value.GetString();
    joined += lower == "set-cookie" ? "\n" : ", ";
    joined += value;
    existing->value.SetString(joined.c_str(), static_cast<rapidjson::SizeType>(joined.size()), a);
  }
}

void addExchange(const std::vector<DocumentHop>& chain, bool allRedirects,
                 rapidjson::Document* solution) {
  if (chain.empty())
    return;
  auto& a = solution->GetAllocator();
  auto set = [&](const char* key, rapidjson::Value value) {
    auto it = solution->FindMember(key);
    if (it != solution->MemberEnd())
      it->value = value;
    else
      solution->AddMember(rapidjson::StringRef(key), value, a);
  };
  const DocumentHop& final = chain.back();
  rapidjson::Value requestHeaders, responseHeaders;
  headersToJson(final.requestHeaders, &requestHeaders, a);
  headersToJson(final.responseHeaders, &responseHeaders, a);
  set("method", rapidjson::Value(final.method.c_str(), a));
  set("requestHeaders", std::move(requestHeaders));
  set("responseHeaders", std::move(responseHeaders));
  if (final.status > 0)
    set("statusCode", rapidjson::Value(final.status));
  if (!allRedirects)
    return;
  rapidjson::Value hops(rapidjson::kArrayType);
  for (const DocumentHop& hop : chain) {
    rapidjson::Value item(rapidjson::kObjectType);
    rapidjson::Value headers;
    headersToJson(hop.responseHeaders, &headers, a);
    item.AddMember("url", rapidjson::Value(hop.url.c_str(), a), a);
    item.AddMember("method", rapidjson::Value(hop.method.c_str(), a), a);
    item.AddMember("statusCode", hop.status, a);
    item.AddMember("responseHeaders", headers, a);
    hops.PushBack(item, a);
  }
  set("listAllRedirectsResponse", std::move(hops));
}

} // namespace wdh

#include "sessions_api/navigation_record.h"

#include <Poco/String.h>
#include <algorithm>

namespace wdh {
namespace {

constexpr std::size_t kMaxHops = 32;              // longer chains are cut (browsers stop at 20)
constexpr std::chrono::seconds kBidiTimeout{15};  // one read or write on the connection
constexpr std::chrono::seconds kCallDeadline{30}; // one command and the events before it

std::string_view stringMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject())
    return {};
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString())
    return {};
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

// BiDi header list [{name, value: {type: "string", value}}] as lines; base64 values are kept as
// their base64 text. With `unique`, a line repeating an earlier one (same name in any case, same
// value) is dropped: chromedriver's BiDi lists a request's headers once from the renderer and
// once more as sent.
HeaderLines readHeaders(const rapidjson::Value& owner, bool unique) {
  HeaderLines lines;
  if (!owner.IsObject() || !owner.HasMember("headers") || !owner["headers"].IsArray())
    return lines;
  for (const auto& header : owner["headers"].GetArray()) {
    std::string_view name = stringMember(header, "name");
    if (name.empty() || !header.HasMember("value"))
      continue;
    std::string_view value = stringMember(header["value"], "value");
    bool repeated =
        unique && std::any_of(lines.begin(), lines.end(), [&](const auto& line) {
          return line.second == value && Poco::icompare(line.first, std::string(name)) == 0;
        });
    if (!repeated)
      lines.emplace_back(std::string(name), std::string(value));
  }
  return lines;
}

// The Location line of `lines`, or "".
std::string locationOf(const HeaderLines& lines) {
  for (const auto& [name, value] : lines)
    if (Poco::toLower(name) == "location")
      return value;
  return {};
}

// Whether the event is about a document loaded into the watched context itself.
bool isDocument(const rapidjson::Value& params, const rapidjson::Value& request,
                const std::string& context) {
  if (stringMember(params, "context") != context)
    return false;
  if (!stringMember(params, "navigation").empty())
    return true;
  return stringMember(request, "destination") == "document";
}

} // namespace

void DocumentChains::add(std::string_view method, const rapidjson::Value& params) {
  if (!params.IsObject() || !params.HasMember("request"))
    return;
  const rapidjson::Value& request = params["request"];
  if (!isDocument(params, request, context_))
    return;
  std::string_view id = stringMember(request, "request");
  if (method == "network.beforeRequestSent") {
    if (id != requestId_) {
      requestId_ = std::string(id);
      chain_.clear();
    }
    if (chain_.size() >= kMaxHops)
      return;
    DocumentHop hop;
    hop.url = std::string(stringMember(request, "url"));
    hop.method = std::string(stringMember(request, "method"));
    hop.requestHeaders = readHeaders(request, true);
    chain_.push_back(std::move(hop));
  } else if (method == "network.responseCompleted") {
    if (id != requestId_ || chain_.empty() || !params.HasMember("response"))
      return;
    // The hop this response answers: redirectCount counts the hops before it.
    auto count = params.FindMember("redirectCount");
    std::size_t index = count != params.MemberEnd() && count->value.IsUint()
                            ? count->value.GetUint()
                            : chain_.size() - 1;
    if (index >= chain_.size())
      return;
    DocumentHop& hop = chain_[index];
    const rapidjson::Value& response = params["response"];
    if (response.IsObject() && response.HasMember("status") && response["status"].IsInt())
      hop.status = response["status"].GetInt();
    hop.responseHeaders = readHeaders(response, false);
    if (index > 0) {
      // chromedriver's BiDi repeats the previous redirect's Location on the next response.
      std::string carried = locationOf(chain_[index - 1].responseHeaders);
      auto& lines = hop.responseHeaders;
      lines.erase(std::remove_if(lines.begin(), lines.end(),
                                 [&](const auto& line) {
                                   return !carried.empty() && line.second == carried &&
                                          Poco::toLower(line.first) == "location";
                                 }),
                  lines.end());
    }
  }
}

NavigationRecorder::NavigationRecorder(std::unique_ptr<BidiConnection> connection,
                                       std::string context, std::string subscription)
    : connection_(std::move(connection)), chains_(std::move(context)),
      subscription_(std::move(subscription)) {}

Status NavigationRecorder::start(const std::string& bidiUrl, const std::string& context,
                                 std::unique_ptr<NavigationRecorder>* out) {
  std::unique_ptr<BidiConnection> connection;
  Status status = BidiConnection::open(bidiUrl, kBidiTimeout, &connection);
  if (!status.isOk())
    return status;
  rapidjson::Document params(rapidjson::kObjectType);
  auto& a = params.GetAllocator();
  rapidjson::Value events(rapidjson::kArrayType);
  events.PushBack("network.beforeRequestSent", a);
  events.PushBack("network.responseCompleted", a);
  params.AddMember("events", events, a);
  rapidjson::Value contexts(rapidjson::kArrayType);
  contexts.PushBack(rapidjson::Value(context.c_str(), a), a);
  params.AddMember("contexts", contexts, a);
  rapidjson::Document result;
  status = connection->call("session.subscribe", params, &result, {}, kCallDeadline);
  if (!status.isOk())
    return status;
  std::string subscription(stringMember(result, "subscription"));
  out->reset(new NavigationRecorder(std::move(connection), context, std::move(subscription)));
  return Status::ok();
}

Status NavigationRecorder::finish(std::vector<DocumentHop>* out) {
  Status status = unsubscribe(kCallDeadline);
  *out = chains_.latest();
  return status;
}

NavigationRecorder::~NavigationRecorder() {
  Status ignored = unsubscribe(std::chrono::seconds(5));
  (void)ignored;
}

Status NavigationRecorder::unsubscribe(std::chrono::milliseconds deadline) {
  if (!subscribed_)
    return Status::ok();
  subscribed_ = false;
  rapidjson::Document params(rapidjson::kObjectType);
  auto& a = params.GetAllocator();
  if (!subscription_.empty()) {
    rapidjson::Value ids(rapidjson::kArrayType);
    ids.PushBack(rapidjson::Value(subscription_.c_str(), a), a);
    params.AddMember("subscriptions", ids, a);
  } else {
    // A driver without subscription ids: unsubscribe as subscribed, by events and context.
    rapidjson::Value events(rapidjson::kArrayType);
    events.PushBack("network.beforeRequestSent", a);
    events.PushBack("network.responseCompleted", a);
    params.AddMember("events", events, a);
    rapidjson::Value contexts(rapidjson::kArrayType);
    contexts.PushBack(rapidjson::Value(chains_.context().c_str(), a), a);
    params.AddMember("contexts", contexts, a);
  }
  // The answer comes after every event the browser sent before it: the load is recorded.
  rapidjson::Document result;
  return connection_->call(
      "session.unsubscribe", params, &result,
      [this](std::string_view method, const rapidjson::Value& p) { chains_.add(method, p); },
      deadline);
}

} // namespace wdh

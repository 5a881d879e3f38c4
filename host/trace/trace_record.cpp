#include "trace/trace_record.h"

#include "core/base64.h"
#include "trace/trace_redaction.h"

#include "json/json.h"
#include <algorithm>
#include <cstring>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wdh {

namespace {

// `text` form-encoded: with `plus`, a space as '+' (a form), else as %20 (encodeURIComponent).
std::string formEncoded(const std::string& text, bool plus) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '*' ||
        (!plus && (c == '!' || c == '~' || c == '\'' || c == '(' || c == ')'))) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && plus) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

} // namespace

void TraceRecord::addSecret(const std::string& secret) {
  // Shorter ones would blank out ordinary text; they are still left out where typed.
  if (secret.size() < kMinSecret)
    return;
  // As typed, form-encoded (a GET form's URL), and as JSON writes it (quotes, backslashes, and
  // the \u003C chromedriver writes for '<').
  std::string json = quoteJson(secret).substr(1);
  json.pop_back();
  std::string html;
  for (char c : json)
    html += c == '<'   ? std::string("\\u003C")
            : c == '>' ? std::string("\\u003E")
            : c == '&' ? std::string("\\u0026")
                       : std::string(1, c);
  for (std::string form :
       {secret, formEncoded(secret, true), formEncoded(secret, false), json, html})
    if (std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end())
      secrets_.push_back(std::move(form));
}

TracedCommand& TraceRecord::add(TracedCommand command) {
  commands_.push_back(std::move(command));
  while (commands_.size() > bounds_.maxCommands) {
    commands_.pop_front();
    ++firstNumber_;
    ++droppedCommands_;
  }
  return commands_.back();
}

std::string TraceRecord::body(std::string body) {
  constexpr std::size_t kShort = 1024;
  if (bodyBytes_ > bounds_.maxBodyBytes && body.size() > kShort)
    body = body.substr(0, kShort) + "… (cut: the trace kept " + std::to_string(bodyBytes_) +
           " bytes of bodies already)";
  bodyBytes_ += body.size();
  return body;
}

TracedCommand* TraceRecord::command(std::uint64_t number) {
  // Numbers count up from 1 in the order commands are added.
  if (number < firstNumber_ || number >= firstNumber_ + commands_.size())
    return nullptr;
  return &commands_[number - firstNumber_];
}

std::uint64_t TraceRecord::keep(std::shared_ptr<const ViewFrame> picture, std::int64_t atMs) {
  if (!picture)
    return 0;
  if (!frames_.empty() && frames_.back().picture == picture)
    return frames_.back().id;
  frameBytes_ += picture->bytes.size();
  frames_.push_back(TracedFrame{nextFrame_++, atMs, std::move(picture)});
  while (frames_.size() > 1 &&
         (frames_.size() > bounds_.maxFrames || frameBytes_ > bounds_.maxBytes)) {
    frameBytes_ -= frames_.front().picture->bytes.size();
    frames_.pop_front();
    ++droppedFrames_;
  }
  return frames_.back().id;
}

void TraceRecord::note(std::int64_t atMs, std::string kind, std::string text) {
  events_.push_back(TracedEvent{atMs, std::move(kind), std::move(text)});
  while (events_.size() > bounds_.maxEvents) {
    events_.pop_front();
    ++droppedEvents_;
  }
}

bool TraceRecord::failed() const {
  if (outcome == "failed")
    return true;
  if (!endedBy.empty() && endedBy != "deleted")
    return true;
  for (const TracedCommand& command : commands_)
    if (!command.error.empty())
      return true;
  return false;
}

std::string TraceRecord::json() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w, this](const char* key, const std::string& value) {
    w.Key(key);
    if (secrets_.empty())
      return w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    std::string scrubbed = value;
    for (const std::string& secret : secrets_)
      for (std::size_t at = scrubbed.find(secret); at != std::string::npos;
           at = scrubbed.find(secret, at + std::strlen(kRedacted)))
        scrubbed.replace(at, secret.size(), kRedacted);
    return w.String(scrubbed.c_str(), static_cast<rapidjson::SizeType>(scrubbed.size()));
  };
  w.StartObject();
  string("sessionId", sessionId);
  string("browser", browser);
  w.Key("startedAt");
  w.Int64(startedAtMs);
  string("framesFrom", framesFrom);
  string("endedBy", endedBy);
  string("endReason", endReason);
  string("outcome", outcome);
  w.Key("complete");
  w.Bool(complete);
  w.Key("failed");
  w.Bool(failed());
  w.Key("typedTextKept");
  w.Bool(typedTextKept);
  w.Key("scriptArgumentsKept");
  w.Bool(scriptArgumentsKept);
  w.Key("droppedFrames");
  w.Uint64(droppedFrames_);
  w.Key("droppedCommands");
  w.Uint64(droppedCommands_);
  w.Key("droppedEvents");
  w.Uint64(droppedEvents_);
  w.Key("bounds");
  w.StartObject();
  w.Key("maxFrames");
  w.Uint64(bounds_.maxFrames);
  w.Key("maxBytes");
  w.Uint64(bounds_.maxBytes);
  w.EndObject();
  w.Key("commands");
  w.StartArray();
  for (const TracedCommand& c : commands_) {
    w.StartObject();
    w.Key("number");
    w.Uint64(c.number);
    string("method", c.method);
    string("path", c.path);
    string("name", c.name);
    w.Key("changesPage");
    w.Bool(c.changesPage);
    w.Key("startMs");
    w.Int64(c.startMs);
    w.Key("durationMs");
    w.Int64(c.durationMs);
    w.Key("status");
    w.Int(c.httpStatus);
    string("error", c.error);
    string("message", c.message);
    string("request", c.request);
    string("response", c.response);
    string("url", c.url);
    string("title", c.title);
    w.Key("before");
    w.Uint64(c.before);
    w.Key("after");
    w.Uint64(c.after);
    w.EndObject();
  }
  w.EndArray();
  w.Key("frames");
  w.StartArray();
  for (const TracedFrame& f : frames_) {
    w.StartObject();
    w.Key("id");
    w.Uint64(f.id);
    w.Key("atMs");
    w.Int64(f.atMs);
    w.Key("width");
    w.Double(f.picture->cssWidth);
    w.Key("height");
    w.Double(f.picture->cssHeight);
    std::string data =
        "data:" + f.picture->contentType + ";base64," + base64Encode(f.picture->bytes);
    w.Key("data");
    w.String(data.c_str(), static_cast<rapidjson::SizeType>(data.size()));
    w.EndObject();
  }
  w.EndArray();
  w.Key("events");
  w.StartArray();
  for (const TracedEvent& e : events_) {
    w.StartObject();
    w.Key("atMs");
    w.Int64(e.atMs);
    string("kind", e.kind);
    string("text", e.text);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace wdh

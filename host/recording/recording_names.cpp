#include "recording/recording_names.h"

namespace wdh {
namespace {

constexpr std::string_view kVideo = ".mp4";
constexpr std::string_view kLog = ".log";

bool endsWith(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

bool isNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

} // namespace

std::string recordingFileName(std::string_view chosen, std::string_view sessionId,
                              RecordingKind kind) {
  std::string_view extension = kind == RecordingKind::Video ? kVideo : kLog;
  if (endsWith(chosen, kVideo) || endsWith(chosen, kLog))
    chosen.remove_suffix(kVideo.size());
  std::string kept;
  for (char c : chosen) {
    if (kept.size() >= 100)
      break;
    if (c == ' ')
      c = '_';
    if (!isNameChar(c) || (c == '.' && (kept.empty() || kept.back() == '.')))
      continue;
    kept.push_back(c);
  }
  std::string id;
  for (char c : sessionId)
    if (isNameChar(c) && c != '.')
      id.push_back(c);
  return (kept.empty() ? "" : kept + "_") + id + std::string(extension);
}

bool isRecordingFileName(std::string_view name, RecordingKind* kind) {
  if (name.size() < kVideo.size() + 1 || name.size() > 200 || name.front() == '.')
    return false;
  bool video = endsWith(name, kVideo);
  if (!video && !endsWith(name, kLog))
    return false;
  if (name.find("..") != std::string_view::npos)
    return false;
  for (char c : name)
    if (!isNameChar(c))
      return false;
  if (kind != nullptr)
    *kind = video ? RecordingKind::Video : RecordingKind::Log;
  return true;
}

} // namespace wdh

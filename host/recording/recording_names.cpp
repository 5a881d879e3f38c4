#include "recording/recording_names.h"

namespace wdh {
namespace {

constexpr std::string_view kExtension = ".mp4";

bool isNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

} // namespace

std::string recordingFileName(std::string_view chosen, std::string_view sessionId) {
  if (chosen.size() >= kExtension.size() &&
      chosen.substr(chosen.size() - kExtension.size()) == kExtension)
    chosen.remove_suffix(kExtension.size());
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
  return (kept.empty() ? "" : kept + "_") + id + std::string(kExtension);
}

bool isRecordingFileName(std::string_view name) {
  if (name.size() < kExtension.size() + 1 || name.size() > 200 || name.front() == '.')
    return false;
  if (name.substr(name.size() - kExtension.size()) != kExtension)
    return false;
  if (name.find("..") != std::string_view::npos)
    return false;
  for (char c : name)
    if (!isNameChar(c))
      return false;
  return true;
}

} // namespace wdh

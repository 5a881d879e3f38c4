#include "http/byte_range.h"

#include <limits>

namespace wdh {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// A non-empty run of decimal digits that fits in 64 bits.
bool parseNumber(std::string_view text, std::uint64_t* out) {
  if (text.empty() || text.size() > 19)
    return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = value;
  return true;
}

} // namespace

ByteRange parseByteRange(std::string_view header, std::uint64_t size) {
  ByteRange whole;
  header = trim(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() <= kUnit.size())
    return whole;
  for (std::size_t i = 0; i < kUnit.size(); ++i)
    if ((header[i] | 0x20) != kUnit[i] && header[i] != kUnit[i])
      return whole;
  std::string_view spec = trim(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos)
    return whole; // several ranges: the whole file is a valid answer
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos)
    return whole;
  std::string_view from = trim(spec.substr(0, dash));
  std::string_view to = trim(spec.substr(dash + 1));
  ByteRange range;
  range.kind = ByteRange::Partial;
  if (from.empty()) {
    std::uint64_t suffix = 0;
    if (!parseNumber(to, &suffix))
      return whole;
    if (suffix == 0 || size == 0)
      return ByteRange{ByteRange::Unsatisfiable};
    range.first = suffix >= size ? 0 : size - suffix;
    range.last = size - 1;
    return range;
  }
  std::uint64_t first = 0;
  if (!parseNumber(from, &first))
    return whole;
  std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
  if (!to.empty() && (!parseNumber(to, &last) || last < first))
    return whole;
  if (first >= size)
    return ByteRange{ByteRange::Unsatisfiable};
  range.first = first;
  range.last = last >= size ? size - 1 : last;
  return range;
}

} // namespace wdh

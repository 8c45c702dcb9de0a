#include "protocols/imap/sequence_set.hpp"

#include <algorithm>

namespace maillab::imap {
namespace {

std::uint32_t resolve(std::uint32_t n, std::uint32_t largest) { return n == SequenceSet::kStar ? largest : n; }

// nz-number (RFC 9051 9: no leading zero, fits in 32 bits) or "*".
bool seq_number(std::string_view text, std::size_t& i, std::uint32_t& out) {
  if (i < text.size() && text[i] == '*') {
    out = SequenceSet::kStar;
    ++i;
    return true;
  }
  if (i >= text.size() || text[i] < '1' || text[i] > '9') return false;
  std::uint64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    v = v * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (v > 0xFFFFFFFFull) return false;
    ++i;
  }
  out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace

bool SequenceSet::contains(std::uint32_t n, std::uint32_t largest) const {
  for (const Range& r : ranges) {
    const std::uint32_t a = resolve(r.lo, largest), b = resolve(r.hi, largest);
    if (n >= std::min(a, b) && n <= std::max(a, b)) return true;
  }
  return false;
}

std::uint32_t SequenceSet::highest(std::uint32_t largest) const {
  std::uint32_t h = 0;
  for (const Range& r : ranges) h = std::max({h, resolve(r.lo, largest), resolve(r.hi, largest)});
  return h;
}

bool SequenceSet::within(std::uint32_t count) const {
  for (const Range& r : ranges) {
    for (std::uint32_t n : {r.lo, r.hi}) {
      if (n == kStar) {
        if (count == 0) return false;
      } else if (n > count) {
        return false;
      }
    }
  }
  return true;
}

bool SequenceSet::has_star() const {
  for (const Range& r : ranges)
    if (r.lo == kStar || r.hi == kStar) return true;
  return false;
}

bool SequenceSet::parse(std::string_view text, SequenceSet& out) {
  out.ranges.clear();
  std::size_t i = 0;
  for (;;) {
    Range r;
    if (!seq_number(text, i, r.lo)) break;
    r.hi = r.lo;
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!seq_number(text, i, r.hi)) break;
    }
    out.ranges.push_back(r);
    if (i == text.size()) return true;
    if (text[i] != ',') break;
    ++i;
  }
  out.ranges.clear();
  return false;
}

std::string SequenceSet::format(const std::vector<std::uint32_t>& sorted) {
  std::string out;
  std::size_t i = 0;
  while (i < sorted.size()) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(sorted[i]);
    if (j > i) {
      out += ':';
      out += std::to_string(sorted[j]);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace maillab::imap

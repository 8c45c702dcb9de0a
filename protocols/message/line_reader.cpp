#include "protocols/message/line_reader.hpp"

#include <cassert>

namespace maillab::message {

std::size_t LineReader::put(std::string_view data) {
  assert(!ready_ && "clear() the previous line first");
  const auto nl = data.find('\n');
  std::string_view chunk = data.substr(0, nl);
  if (nl != std::string_view::npos && line_.empty() && !too_long_ && chunk.size() <= max_ - 2) {
    // A whole line in one piece that fits with or without its CR (the usual case) is
    // read where it lies.
    crlf_ = !chunk.empty() && chunk.back() == '\r';
    if (crlf_) chunk.remove_suffix(1);
    view_ = chunk;
    ready_ = true;
    return nl + 1;
  }
  if (!too_long_) {
    line_.append(chunk);
    // A line may have max - 2 octets and its CR, or (counted as sent) max - 1 octets and
    // a bare LF: max - 1 octets buffered do not yet prove the line too long.
    if (line_.size() > max_ - 1) {
      too_long_ = true;
      line_.resize(max_ - 2);
    }
  }
  if (nl == std::string_view::npos) return data.size();
  crlf_ = !line_.empty() && line_.back() == '\r' && !too_long_;
  if (crlf_) line_.pop_back();
  const std::size_t limit = crlf_ || bare_lf_ == BareLf::CountedAsCrlf ? max_ - 2 : max_ - 1;
  if (!too_long_ && line_.size() > limit) {
    too_long_ = true;
    line_.resize(max_ - 2);
  }
  view_ = line_;
  ready_ = true;
  return nl + 1;
}

void LineReader::clear() {
  line_.clear();
  view_ = {};
  ready_ = too_long_ = crlf_ = false;
}

}  // namespace maillab::message

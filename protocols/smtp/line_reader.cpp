#include "protocols/smtp/line_reader.hpp"

#include <cassert>

namespace maillab::smtp {

std::size_t LineReader::put(std::string_view data) {
  assert(!ready_ && "clear() the previous line first");
  const auto nl = data.find('\n');
  const std::string_view chunk = data.substr(0, nl);
  if (!too_long_) {
    line_.append(chunk);
    // Without its CR the line may have max - 2 octets; with a CR still pending,
    // max - 1 octets buffered do not yet prove the line too long.
    if (line_.size() > max_ - 1) {
      too_long_ = true;
      line_.resize(max_ - 2);
    }
  }
  if (nl == std::string_view::npos) return data.size();
  crlf_ = !line_.empty() && line_.back() == '\r' && !too_long_;
  if (crlf_) line_.pop_back();
  if (!too_long_ && line_.size() > max_ - 2) {
    too_long_ = true;
    line_.resize(max_ - 2);
  }
  ready_ = true;
  return nl + 1;
}

void LineReader::take(std::string& into) {
  into.swap(line_);
  clear();
}

void LineReader::clear() {
  line_.clear();
  ready_ = too_long_ = crlf_ = false;
}

}  // namespace maillab::smtp

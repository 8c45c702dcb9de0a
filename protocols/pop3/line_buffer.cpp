#include "protocols/pop3/line_buffer.hpp"

namespace maillab::pop3 {

void LineBuffer::feed(std::string_view data) {
  if (pos_ != 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(data);
}

void LineBuffer::clear() {
  buffer_.clear();
  pos_ = 0;
  lines_.clear();
}

std::optional<LineBuffer::Line> LineBuffer::next() {
  while (pos_ < buffer_.size()) {
    pos_ += lines_.put(std::string_view(buffer_).substr(pos_));
    if (!lines_.ready()) break;
    Line line;
    line.too_long = lines_.too_long();
    line.crlf = lines_.crlf();
    if (!line.too_long) line.text = lines_.line();
    lines_.clear();
    return line;
  }
  // Everything fed is inside lines_ (an unfinished line) or returned.
  buffer_.clear();
  pos_ = 0;
  return std::nullopt;
}

}  // namespace maillab::pop3

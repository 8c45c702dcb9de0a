#include "protocols/pop3/line_reader.hpp"

namespace maillab::pop3 {

void LineReader::feed(std::string_view data) {
  if (pos_ != 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(data);
}

void LineReader::clear() {
  buffer_.clear();
  pos_ = 0;
  scan_ = 0;
  discarding_ = false;
}

std::optional<LineReader::Line> LineReader::next() {
  const std::size_t lf = buffer_.find('\n', pos_ + scan_);
  if (lf == std::string::npos) {
    scan_ = buffer_.size() - pos_;
    if (scan_ > max_line_) {  // keep memory bounded: drop what we know is too long
      discarding_ = true;
      buffer_.clear();
      pos_ = 0;
      scan_ = 0;
    }
    return std::nullopt;
  }
  Line line;
  const std::size_t length = lf + 1 - pos_;  // terminator included
  if (discarding_ || length > max_line_) {
    line.too_long = true;
  } else {
    std::size_t end = lf;
    if (end > pos_ && buffer_[end - 1] == '\r') {
      line.crlf = true;
      --end;
    }
    line.text.assign(buffer_, pos_, end - pos_);
  }
  discarding_ = false;
  pos_ = lf + 1;
  scan_ = 0;
  return line;
}

}  // namespace maillab::pop3

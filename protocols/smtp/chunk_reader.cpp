#include "protocols/smtp/chunk_reader.hpp"

#include <algorithm>

#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {

void ChunkReader::reset(std::size_t max_text_line, std::uint64_t size_limit) {
  max_text_line_ = max_text_line;
  size_limit_ = size_limit;
  content_ = std::string();  // a message dropped part way gives its memory back
  remaining_ = received_ = 0;
  line_len_ = 0;
  keep_ = pending_cr_ = oversize_ = false;
  notes_ = ContentNotes{};
}

void ChunkReader::start(std::uint64_t size, bool keep) {
  remaining_ = size;
  keep_ = keep;
}

void ChunkReader::end_line() {
  content_ += "\r\n";
  if (line_len_ + 2 > max_text_line_) ++notes_.long_lines;
  line_len_ = 0;
}

std::size_t ChunkReader::put(std::string_view data) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), remaining_));
  remaining_ -= n;
  if (!keep_) return n;
  received_ += n;
  if (oversize_) return n;
  data = data.substr(0, n);
  std::size_t i = 0;
  std::size_t next_cr = std::string_view::npos, next_lf = std::string_view::npos;
  while (i < data.size()) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (data[i] == '\n') {
        ++i;
      } else {
        ++notes_.bare_cr;  // this octet starts the next line
      }
      end_line();
      continue;
    }
    // A run of ordinary octets, up to the next CR or LF, in one append.
    const std::size_t end = std::min(detail::next_of(data, i, '\r', next_cr), detail::next_of(data, i, '\n', next_lf));
    content_.append(data.substr(i, end - i));
    line_len_ += end - i;
    if (end == data.size()) break;
    i = end + 1;
    if (data[end] == '\r') {
      pending_cr_ = true;  // decided by the next octet, which may come in the next chunk
    } else {
      ++notes_.bare_lf;
      end_line();
    }
  }
  if (size_limit_ != 0 && content_.size() > size_limit_) {
    oversize_ = true;
    content_ = std::string();
  }
  return n;
}

std::string ChunkReader::take_content() {
  if (oversize_) return {};
  if (pending_cr_) {
    ++notes_.bare_cr;
    pending_cr_ = false;
    end_line();
  } else if (line_len_ > 0) {
    end_line();  // the last line had no line end
  }
  if (size_limit_ != 0 && content_.size() > size_limit_) {
    oversize_ = true;
    content_ = std::string();
  }
  std::string out = std::move(content_);
  content_.clear();
  return out;
}

}  // namespace maillab::smtp

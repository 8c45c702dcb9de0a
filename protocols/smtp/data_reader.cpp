#include "protocols/smtp/data_reader.hpp"

#include <algorithm>
#include <cstring>

#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {

DataReader::DataReader(std::size_t max_text_line, std::uint64_t size_limit) {
  reset(max_text_line, size_limit);
}

void DataReader::reset(std::size_t max_text_line, std::uint64_t size_limit) {
  max_text_line_ = max_text_line;
  size_limit_ = size_limit;
  content_.clear();
  line_.clear();
  line_len_ = 0;
  line_flushed_ = false;
  pending_cr_ = false;
  after_crlf_ = true;
  done_ = oversize_ = false;
  size_ = 0;
  notes_ = ContentNotes{};
}

void DataReader::emit(std::string_view bytes) {
  size_ += bytes.size();
  if (oversize_) return;
  if (size_limit_ != 0 && size_ > size_limit_) {
    oversize_ = true;
    content_.clear();
    content_.shrink_to_fit();
    return;
  }
  content_.append(bytes);
}

void DataReader::end_line(bool crlf) {
  // 4.1.1.4: the end mark is "." alone on a line, between two real CRLFs.
  if (!line_flushed_ && line_ == "." && crlf && after_crlf_) {
    done_ = true;
    line_.clear();
    return;
  }
  if (!line_flushed_) {
    // 4.5.2: remove the first "." of a line that holds more than the ".".
    std::string_view text = line_;
    if (text.size() > 1 && text.front() == '.') text.remove_prefix(1);
    emit(text);
    line_len_ = text.size();
  }
  emit("\r\n");
  if (line_len_ + 2 > max_text_line_) ++notes_.long_lines;
  line_.clear();
  line_len_ = 0;
  line_flushed_ = false;
  after_crlf_ = crlf;
}

std::size_t DataReader::put(std::string_view data) {
  std::size_t i = 0;
  std::size_t next_cr = std::string_view::npos, next_lf = std::string_view::npos;
  while (i < data.size() && !done_) {
    if (line_.empty() && !line_flushed_ && !pending_cr_) {
      // Fast path at a line start: whole CRLF lines that do not start with '.' are
      // content as they stand (no unstuffing, no end mark, no bare line end), so a run
      // of them is emitted in one go.
      const std::size_t start = i;
      while (data[i] != '.') {
        const std::size_t lf = detail::next_of(data, i, '\n', next_lf);
        if (lf == data.size() || detail::next_of(data, i, '\r', next_cr) + 1 != lf) break;
        if (lf + 1 - i > max_text_line_) ++notes_.long_lines;
        i = lf + 1;
        if (i == data.size()) break;
      }
      if (i > start) {
        emit(data.substr(start, i - start));
        after_crlf_ = true;
        continue;
      }
    }
    if (pending_cr_) {
      pending_cr_ = false;
      if (data[i] == '\n') {
        ++i;
        end_line(true);
        continue;
      }
      ++notes_.bare_cr;  // a bare CR ends the line; this byte starts the next one
      end_line(false);
      continue;
    }
    const char c = data[i];
    if (c == '\r') {
      pending_cr_ = true;
      ++i;
      continue;
    }
    if (c == '\n') {
      ++notes_.bare_lf;
      ++i;
      end_line(false);
      continue;
    }
    // A run of ordinary bytes, up to the next CR or LF.
    std::size_t end = std::min(detail::next_of(data, i, '\r', next_cr), detail::next_of(data, i, '\n', next_lf));
    std::string_view run = data.substr(i, end - i);
    i = end;
    if (line_flushed_) {
      emit(run);
      line_len_ += run.size();
      continue;
    }
    line_.append(run);
    // Once the line is two octets long it can no longer be the end mark: unstuff and
    // pass it on, so a huge line never accumulates here.
    if (line_.size() >= 2) {
      std::string_view text = line_;
      if (text.front() == '.') text.remove_prefix(1);
      emit(text);
      line_len_ = text.size();
      line_.clear();
      line_flushed_ = true;
    }
  }
  return i;
}

std::string DataReader::take_content() {
  std::string out = std::move(content_);
  content_.clear();
  return out;
}

}  // namespace maillab::smtp

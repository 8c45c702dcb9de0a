#include "protocols/message/dot_stuff.hpp"

#include <cstdint>
#include <cstring>

#include "protocols/message/line_endings.hpp"

namespace maillab::message {
std::string dot_stuff(std::string_view content) {
  std::string out;
  append_dot_stuffed(out, content);
  return out;
}

namespace {

// CRLF lines, a leading '.' doubled when `stuff`.
void append_lines(std::string& out, std::string_view content, bool stuff) {
  out.reserve(out.size() + content.size() + content.size() / 64 + 5);
  // Line by line, but bytes are copied in runs: a run grows over every CRLF line and is
  // only cut to double a leading '.' or to turn a bare CR or LF (or a missing final line
  // end) into CRLF. Already-CRLF text without leading dots is one append.
  const std::size_t n = content.size();
  const char* p = content.data();
  std::size_t run = 0;  // start of the bytes not copied yet
  std::size_t i = 0;    // start of the current line
  std::size_t next_cr = std::string_view::npos, next_lf = std::string_view::npos;
  while (i < n) {
    if (stuff && p[i] == '.') {
      out.append(p + run, i - run);
      out += '.';
      run = i;
    }
    const std::size_t lf = next_of(content, i, '\n', next_lf);
    const std::size_t cr = next_of(content, i, '\r', next_cr);
    if (lf < n && cr + 1 == lf) {  // CRLF: stays in the run
      i = lf + 1;
      continue;
    }
    const std::size_t end = cr < lf ? cr : lf;  // a bare CR or LF, or n: no line end
    out.append(p + run, end - run);
    out += "\r\n";
    i = run = end + 1;
  }
  if (run < n) out.append(p + run, n - run);
}

// True when a line (ended by CR, LF or the end) is longer than `limit` octets.
bool has_long_line(std::string_view content, std::size_t limit) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = content.find_first_of("\r\n", start);
    if ((end == std::string_view::npos ? content.size() : end) - start > limit) return true;
    if (end == std::string_view::npos) return false;
    start = end + 1;
  }
}

// Postfix smtp_line_length_limit: a long line goes out as pieces of `limit` octets, each
// after the first one a continuation starting with a space (CRLF SP inserted).
std::string break_long_lines(std::string_view content, std::size_t limit) {
  std::string out;
  out.reserve(content.size() + content.size() / limit * 3 + 3);
  std::size_t length = 0;  // octets of the current output line
  for (char c : content) {
    if (c == '\r' || c == '\n') {
      length = 0;
    } else if (length == limit) {
      out += "\r\n ";
      length = 1;
    }
    if (c != '\r' && c != '\n') ++length;
    out += c;
  }
  return out;
}

void append_limited(std::string& out, std::string_view content, bool stuff, std::size_t limit) {
  if (limit < 2 || !has_long_line(content, limit)) return append_lines(out, content, stuff);
  append_lines(out, break_long_lines(content, limit), stuff);
}

}  // namespace

void append_dot_stuffed(std::string& out, std::string_view content, std::size_t line_limit) {
  append_limited(out, content, true, line_limit);
  out += ".\r\n";
}

void append_crlf_lines(std::string& out, std::string_view content, std::size_t line_limit) {
  append_limited(out, content, false, line_limit);
}

bool has_8bit(std::string_view content) { return !is_ascii(content); }

}  // namespace maillab::message

#include "protocols/smtp/dot_stuff.hpp"

#include <cstdint>
#include <cstring>

#include "protocols/message/line_endings.hpp"

namespace maillab::smtp {
namespace {

// The position of the first `c` at or after `from` (content.size(): none), found with
// memchr and remembered in `at` until the scan passes it, so each byte is searched once
// per character whatever the mix of line ends.
std::size_t next(std::string_view content, std::size_t from, char c, std::size_t& at) {
  if (at == std::string_view::npos || at < from) {
    const void* p = std::memchr(content.data() + from, c, content.size() - from);
    at = p ? static_cast<std::size_t>(static_cast<const char*>(p) - content.data()) : content.size();
  }
  return at;
}

}  // namespace

std::string dot_stuff(std::string_view content) {
  std::string out;
  append_dot_stuffed(out, content);
  return out;
}

void append_dot_stuffed(std::string& out, std::string_view content) {
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
    if (p[i] == '.') {
      out.append(p + run, i - run);
      out += '.';
      run = i;
    }
    const std::size_t lf = next(content, i, '\n', next_lf);
    const std::size_t cr = next(content, i, '\r', next_cr);
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
  out += ".\r\n";
}

bool has_8bit(std::string_view content) { return !message::is_ascii(content); }

}  // namespace maillab::smtp

// Line-ending conversions between the wire form (CRLF, RFC 5321 2.3.8 / RFC 5322 2.1)
// and the Unix on-disk form (LF) that Maildir and mbox files use.
//
// Invariants: crlf_to_lf() followed by lf_to_crlf() gives back any input whose line
// breaks are all CRLF. A bare CR is never touched by those two; only to_crlf() (what a
// MUA does to text typed by a user) treats a lone CR as a line break.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace maillab::message {

// Every line break (CRLF, bare LF, bare CR) becomes CRLF.
std::string to_crlf(std::string_view text);
// to_crlf(text) appended to `out` (no temporary).
void append_crlf(std::string& out, std::string_view text);
// Bare LF becomes CRLF; CRLF and a lone CR are kept.
std::string lf_to_crlf(std::string_view text);
// CRLF becomes LF; a bare LF or a lone CR is kept.
std::string crlf_to_lf(std::string_view text);
// True when every byte is 7-bit ASCII (RFC 6152 decides 7bit vs 8bit on this).
bool is_ascii(std::string_view text);

// The position of the first `c` at or after `from` in `data` (data.size(): none), found
// with memchr once and remembered in `at` until the scan passes it, so a scan for CR and
// LF together stays linear whatever the mix of line ends (find_first_of("\r\n") is not:
// docs/performance.md "Notes moved out of the code").
inline std::size_t next_of(std::string_view data, std::size_t from, char c, std::size_t& at) {
  if (at == std::string_view::npos || at < from) {
    const void* p = std::memchr(data.data() + from, c, data.size() - from);
    at = p ? static_cast<std::size_t>(static_cast<const char*>(p) - data.data()) : data.size();
  }
  return at;
}

}  // namespace maillab::message

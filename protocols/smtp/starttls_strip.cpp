// smtp::StarttlsStripper (starttls_strip.hpp).
#include "protocols/smtp/starttls_strip.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "base/ascii.hpp"

namespace maillab::smtp {
namespace {

constexpr std::string_view kWord = "STARTTLS";

std::string_view view(std::span<char> line) { return {line.data(), line.size()}; }

// The line without its CR (a line may also end in a bare LF).
std::string_view content_of(std::span<char> line) {
  std::string_view s = view(line);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

bool is_word_at(std::span<char> line, std::size_t at) {
  if (line.size() < at + kWord.size()) return false;
  if (!base::iequals(std::string_view(line.data() + at, kWord.size()), kWord)) return false;
  // The keyword alone on its line (a reply may carry trailing blanks).
  for (std::size_t i = at + kWord.size(); i < line.size(); ++i) {
    if (line[i] != ' ' && line[i] != '\r') return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_reply_line(std::string_view s) {
  return s.size() >= 3 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
         (s.size() == 3 || s[3] == '-' || s[3] == ' ');
}

// Splits `bytes` into lines; calls on_line(span, whole) for each finished one. A line
// begun in an earlier send is handed over as its first bytes kept in `head` plus the
// rest (whole == false: not to be rewritten). `skip` (the client's BDAT octets) is
// passed over first, and again whenever on_line sets it.
template <class OnLine>
void scan(std::span<char> bytes, std::string& head, bool& pending, std::size_t keep, std::uint64_t* skip,
          OnLine on_line) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (skip && *skip > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(*skip, bytes.size() - at));
      *skip -= n;
      at += n;
      continue;
    }
    const auto nl = std::find(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end(), '\n');
    const std::size_t end = static_cast<std::size_t>(nl - bytes.begin());
    std::span<char> piece = bytes.subspan(at, end - at);
    if (nl == bytes.end()) {  // unfinished: remember how it starts
      if (!pending) head.clear();
      head.append(piece.data(), std::min(piece.size(), keep - std::min(keep, head.size())));
      pending = true;
      return;
    }
    if (pending) {
      head.append(piece.data(), std::min(piece.size(), keep - std::min(keep, head.size())));
      pending = false;
      on_line(std::span<char>(head.data(), head.size()), false);
    } else {
      on_line(piece, true);
    }
    at = end + 1;
  }
}

}  // namespace

StripCount StarttlsStripper::from_server(std::span<char> bytes) {
  StripCount n;
  if (done()) return n;
  scan(bytes, server_.head, server_.pending, kHead, nullptr,
       [&](std::span<char> line, bool whole) { server_line(line, whole, n); });
  return n;
}

StripCount StarttlsStripper::from_client(std::span<char> bytes) {
  StripCount n;
  if (done()) return n;
  scan(bytes, client_.head, client_.pending, kHead, &bdat_left_,
       [&](std::span<char> line, bool whole) { client_line(line, whole, n); });
  return n;
}

void StarttlsStripper::server_line(std::span<char> line, bool whole, StripCount& n) {
  const std::string_view s = content_of(line);
  if (!is_reply_line(s) || tls_) return;
  const bool last = s.size() == 3 || s[3] == ' ';
  const std::string_view code = s.substr(0, 3);
  if (ehlo_reply_) {
    if (whole && s.size() > 3 && is_word_at(line, 4)) {
      std::copy_n("XXXXXXXA", kWord.size(), line.begin() + 4);  // the EHLO keyword
      ++n.replies;
    }
    if (last) ehlo_reply_ = false;
  }
  if (code == "354") data_ = true;
  if (code == "221") closed_ = true;
  if (starttls_sent_ && last) {
    starttls_sent_ = false;
    tls_ = code == "220";  // what follows is TLS records
  }
}

void StarttlsStripper::client_line(std::span<char> line, bool whole, StripCount& n) {
  const std::string_view s = content_of(line);
  if (data_) {  // message content (RFC 5321 4.1.1.4): only the lone dot matters
    if (s == ".") data_ = false;
    return;
  }
  if (is_word_at(line, 0)) {
    if (whole) {
      std::copy_n("XXXXXXXX", kWord.size(), line.begin());  // the client's command
      ++n.commands;
    } else {
      starttls_sent_ = true;
    }
    return;
  }
  if (base::istarts_with(s, "EHLO ") || base::iequals(s, "EHLO")) ehlo_reply_ = true;
  if (base::istarts_with(s, "BDAT ")) {  // RFC 3030 2: BDAT <size> [LAST], then the octets
    std::string_view size = s.substr(5);
    size = size.substr(0, size.find(' '));
    std::uint64_t octets = 0;
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), octets);
    if (ec == std::errc() && end == size.data() + size.size()) bdat_left_ = octets;
  }
}

}  // namespace maillab::smtp

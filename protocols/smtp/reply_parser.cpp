#include "protocols/smtp/reply_parser.hpp"

#include <utility>

namespace maillab::smtp {

void ReplyParser::receive(std::string_view data) {
  while (!data.empty()) {
    auto nl = data.find('\n');
    std::string_view chunk = data.substr(0, nl);
    if (nl != std::string_view::npos && line_.empty() && !discarding_ && chunk.size() <= kMaxLine) {
      // A whole line in one piece (the usual case) is parsed where it lies, not copied.
      if (!chunk.empty() && chunk.back() == '\r') chunk.remove_suffix(1);
      data.remove_prefix(nl + 1);
      parse_line(chunk);
      continue;
    }
    if (!discarding_) {
      std::size_t room = kMaxLine - line_.size();
      if (chunk.size() > room) {
        line_.append(chunk.substr(0, room));
        discarding_ = true;
      } else {
        line_.append(chunk);
      }
    }
    if (nl == std::string_view::npos) return;
    data.remove_prefix(nl + 1);
    std::string_view line = line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    parse_line(line);
    line_.clear();
    discarding_ = false;
  }
}

std::optional<Reply> ReplyParser::next() {
  std::optional<Reply> out{std::in_place};
  if (!next(*out)) return std::nullopt;
  return out;
}

bool ReplyParser::next(Reply& out) {
  if (ready_head_ == ready_count_) return false;
  auto& [reply, bad] = ready_[ready_head_++];
  last_malformed_ = bad;
  // Member by member: cheaper than std::swap's three moves of a whole Reply.
  std::swap(out.code, reply.code);
  out.enhanced.swap(reply.enhanced);
  out.lines.swap(reply.lines);
  return true;
}

Reply& ReplyParser::start_reply() {
  if (ready_head_ == ready_count_) ready_head_ = ready_count_ = 0;  // all taken: reuse from the front
  if (ready_count_ == ready_.size()) {
    if (ready_.capacity() == 0) ready_.reserve(4);  // pipelined replies arrive together
    ready_.emplace_back();
  }
  line_count_ = 0;
  in_reply_ = true;
  return ready_[ready_count_].first;
}

void ReplyParser::finish_reply(bool malformed) {
  ready_[ready_count_++].second = malformed;
  in_reply_ = false;
}

void ReplyParser::malformed(std::string_view line) {
  // The reply being read, if any, is dropped: its slot takes the synthesized one.
  Reply& r = in_reply_ ? ready_[ready_count_].first : start_reply();
  r.code = 421;
  r.enhanced = "4.5.0";
  std::string text = "Protocol error: malformed reply: ";
  for (char c : line.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    text += (u < 32 || u > 126) ? '?' : c;
  }
  r.lines.clear();
  r.lines.push_back(text);
  line_count_ = 1;
  finish_reply(true);
}

void ReplyParser::parse_line(std::string_view line) {
  // RFC 5321 4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
  //                            Reply-code [ SP textstring ] CRLF
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) ||
      (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
    return malformed(line);
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) return malformed(line);
  if (in_reply_ && code != ready_[ready_count_].first.code) return malformed(line);
  const bool more = line.size() > 3 && line[3] == '-';
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};

  // RFC 2034 section 4: the enhanced code leads the text of each line. Only text with
  // "d." in front can start with one (keyword lines of EHLO skip the search).
  std::string_view head;
  const bool has_enhanced = text.size() >= 5 && text[1] == '.' && is_enhanced_code(head = text.substr(0, text.find(' ')));
  if (has_enhanced) {
    text.remove_prefix(head.size());
    if (!text.empty()) text.remove_prefix(1);
  }
  Reply& r = in_reply_ ? ready_[ready_count_].first : start_reply();
  if (line_count_ == 0) {
    r.code = code;
    r.enhanced.clear();
    if (has_enhanced) {
      r.enhanced.assign(head);
      r.enhanced[0] = static_cast<char>('0' + code / 100);
    }
    // The slot's buffers are reused. A multi-line reply (EHLO's) gets room for its usual
    // size at once.
    r.lines.clear();
    if (more) r.lines.reserve(12, 256);
  }
  // Kept while none was dropped: the reply keeps its first lines, without a gap.
  if (r.lines.size() == line_count_ && line_count_ < kMaxLines &&
      r.lines.text_bytes() + text.size() <= kMaxText) {
    r.lines.push_back(text);
  }
  ++line_count_;
  if (!more) finish_reply(false);
}

}  // namespace maillab::smtp

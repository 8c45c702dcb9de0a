#include "protocols/smtp/reply_parser.hpp"

namespace maillab::smtp {

void ReplyParser::receive(std::string_view data) {
  while (!data.empty()) {
    auto nl = data.find('\n');
    std::string_view chunk = data.substr(0, nl);
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
  if (ready_head_ == ready_.size()) return std::nullopt;
  auto& [reply, bad] = ready_[ready_head_++];
  last_malformed_ = bad;
  std::optional<Reply> out = std::move(reply);
  if (ready_head_ == ready_.size()) {
    ready_.clear();  // all taken: keeps the capacity for the next replies
    ready_head_ = 0;
  }
  return out;
}

void ReplyParser::malformed(std::string_view line) {
  in_reply_ = false;
  current_ = Reply{};
  std::string excerpt;
  for (char c : line.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    excerpt += (u < 32 || u > 126) ? '?' : c;
  }
  ready_.emplace_back(Reply::make(421, "4.5.0", "Protocol error: malformed reply: " + excerpt), true);
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
  if (in_reply_ && code != current_.code) return malformed(line);
  const bool more = line.size() > 3 && line[3] == '-';
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};

  // RFC 2034 section 4: the enhanced code leads the text of each line.
  std::string_view head = text.substr(0, text.find(' '));
  const bool has_enhanced = is_enhanced_code(head);
  if (has_enhanced) {
    text.remove_prefix(head.size());
    if (!text.empty()) text.remove_prefix(1);
  }
  if (!in_reply_) {
    current_.code = code;
    current_.enhanced.clear();
    current_.lines.clear();
    if (has_enhanced) {
      current_.enhanced.assign(head);
      current_.enhanced[0] = static_cast<char>('0' + code / 100);
    }
    // A multi-line reply (EHLO's) gets room for its usual size at once.
    if (more) current_.lines.reserve(8);
    in_reply_ = true;
  }
  current_.lines.emplace_back(text);
  if (!more) {
    in_reply_ = false;
    if (ready_.capacity() == 0) ready_.reserve(4);  // pipelined replies arrive together
    ready_.emplace_back(std::move(current_), false);
  }
}

}  // namespace maillab::smtp

#include "protocols/imap/command_reader.hpp"

#include <algorithm>
#include <limits>

#include "protocols/imap/ascii_case.hpp"

namespace maillab::imap {
namespace {

constexpr std::size_t kTailKeep = 32;  // enough for "~{18446744073709551615+}"
constexpr std::size_t kMaxTag = 64;

bool tag_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7F) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case '+':
      return false;
    default:
      return true;
  }
}

}  // namespace

void CommandReader::feed(std::string_view data) {
  if (pos_ > 0 && (pos_ == in_.size() || pos_ > 4096)) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
  in_.append(data);
}

void CommandReader::clear() {
  in_.clear();
  pos_ = scan_ = 0;
  reset_command();
}

void CommandReader::reset_command() {
  cmd_.clear();
  text_size_ = 0;
  literal_left_ = 0;
  literal_end_ = 0;
  dropping_ = false;
  drop_tag_.clear();
  tail_.clear();
}

std::optional<CommandReader::Marker> CommandReader::marker_at_end(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  std::size_t i = line.size() - 1;
  Marker m;
  if (i > 0 && line[i - 1] == '+') {
    m.sync = false;
    --i;
  }
  std::size_t digits_end = i;
  while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9') --i;
  if (i == digits_end || i == 0 || line[i - 1] != '{') return std::nullopt;
  for (std::size_t k = i; k < digits_end; ++k) {
    const std::uint64_t d = static_cast<std::uint64_t>(line[k] - '0');
    if (m.size > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
      m.size = std::numeric_limits<std::uint64_t>::max();
      break;
    }
    m.size = m.size * 10 + d;
  }
  return m;
}

std::string CommandReader::current_tag(std::string_view partial) const {
  std::string_view s = cmd_.empty() ? partial : std::string_view(cmd_);
  std::size_t n = 0;
  while (n < s.size() && n <= kMaxTag && tag_char(s[n])) ++n;
  if (n == 0 || n > kMaxTag || n >= s.size() || s[n] != ' ') return "*";
  return std::string(s.substr(0, n));
}

std::uint64_t CommandReader::literal_limit() const {
  // The verb is the second word of the first line: "tag APPEND ...".
  std::string_view s = cmd_;
  const std::size_t sp = s.find(' ');
  if (sp != std::string_view::npos) {
    std::string_view rest = s.substr(sp + 1);
    const std::size_t end = rest.find_first_of(" \r\n");
    if (iequals(rest.substr(0, end), "APPEND")) return limits_.max_append_literal;
  }
  return limits_.max_literal;
}

CommandReader::Item CommandReader::finish_dropped() {
  Item item;
  item.kind = drop_kind_;
  item.tag = drop_tag_.empty() ? "*" : drop_tag_;
  item.sync = false;
  reset_command();
  return item;
}

std::optional<CommandReader::Item> CommandReader::next() {
  for (;;) {
    if (literal_left_ > 0) {
      const std::size_t avail = in_.size() - pos_;
      if (avail == 0) return std::nullopt;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, avail));
      if (!dropping_) cmd_.append(in_, pos_, n);
      pos_ += n;
      literal_left_ -= n;
      if (literal_left_ > 0) return std::nullopt;
      literal_end_ = cmd_.size();
      continue;
    }
    const std::size_t lf = in_.find('\n', pos_ + scan_);
    const bool starting = cmd_.empty() && !dropping_;
    const std::size_t max_line = limits_.max_line;
    if (lf == std::string::npos) {
      const std::size_t avail = in_.size() - pos_;
      if (!dropping_ && text_size_ + avail > max_line) {
        dropping_ = true;
        drop_kind_ = Item::Kind::TooLong;
        drop_tag_ = line_mode_ && starting ? "*" : current_tag(std::string_view(in_).substr(pos_));
        cmd_.clear();
      }
      if (dropping_) {
        // Keep only the tail: a literal marker may end this line.
        tail_.append(in_, pos_, avail);
        if (tail_.size() > kTailKeep) tail_.erase(0, tail_.size() - kTailKeep);
        pos_ = in_.size();
        scan_ = 0;
      } else {
        scan_ = avail;
      }
      return std::nullopt;
    }
    const std::size_t line_size = lf + 1 - pos_;  // line end included
    std::string_view line(in_.data() + pos_, line_size);
    scan_ = 0;
    if (!dropping_ && text_size_ + line_size > max_line) {
      dropping_ = true;
      drop_kind_ = Item::Kind::TooLong;
      drop_tag_ = line_mode_ && starting ? "*" : current_tag(line);
      cmd_.clear();
    }
    std::string_view content = line.substr(0, line_size - 1);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);

    if (line_mode_ && starting && !dropping_) {
      Item item;
      item.kind = Item::Kind::Line;
      item.text = std::string(content);
      pos_ += line_size;
      return item;
    }

    std::optional<Marker> marker;
    if (dropping_) {
      tail_.append(line.substr(0, line_size - 1));  // a CR may have come in the last feed
      if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
      if (tail_.size() > kTailKeep) tail_.erase(0, tail_.size() - kTailKeep);
      marker = marker_at_end(tail_);
      tail_.clear();
      pos_ += line_size;
    } else {
      cmd_.append(line);
      text_size_ += line_size;
      pos_ += line_size;
      marker = marker_at_end(content);
    }

    if (!marker) {
      if (dropping_) return finish_dropped();
      Item item;
      item.kind = Item::Kind::Command;
      std::size_t end = cmd_.size() - 1;  // the LF
      if (end > literal_end_ && cmd_[end - 1] == '\r') --end;  // never a literal's last octet
      item.text.assign(cmd_, 0, end);
      reset_command();
      return item;
    }
    if (marker->sync) {
      // The client waits for "+" before sending the data: a dropped command ends here.
      if (dropping_) return finish_dropped();
      if (marker->size > literal_limit() ||
          cmd_.size() + marker->size > limits_.max_line + limits_.max_append_literal) {
        Item item;
        item.kind = Item::Kind::LiteralTooBig;
        item.tag = current_tag({});
        item.sync = true;
        reset_command();
        return item;
      }
      literal_left_ = marker->size;
      Item item;
      item.kind = Item::Kind::Continue;
      item.tag = current_tag({});
      return item;
    }
    // Non-synchronizing: the data follows at once; skip it if it cannot be kept.
    if (!dropping_ && (marker->size > literal_limit() ||
                       cmd_.size() + marker->size > limits_.max_line + limits_.max_append_literal)) {
      dropping_ = true;
      drop_kind_ = Item::Kind::LiteralTooBig;
      drop_tag_ = current_tag({});
      cmd_.clear();
    }
    literal_left_ = marker->size;
  }
}

}  // namespace maillab::imap

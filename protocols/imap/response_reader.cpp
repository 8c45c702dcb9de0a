#include "protocols/imap/response_reader.hpp"

#include <algorithm>

namespace maillab::imap {

void ResponseReader::feed(std::string_view data) {
  if (failed_) return;
  if (pos_ > 0 && (pos_ == in_.size() || pos_ > 4096)) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
  in_.append(data);
}

void ResponseReader::clear() {
  in_.clear();
  pos_ = scan_ = 0;
  response_.clear();
  line_start_ = 0;
  literal_left_ = 0;
}

std::optional<ResponseReader::Item> ResponseReader::next() {
  auto fail = [&]() {
    failed_ = true;
    clear();
    Item item;
    item.error = true;
    return std::optional<Item>(std::move(item));
  };
  if (failed_) return std::nullopt;
  for (;;) {
    if (literal_left_ > 0) {
      const std::size_t avail = in_.size() - pos_;
      if (avail == 0) return std::nullopt;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, avail));
      response_.append(in_, pos_, n);
      pos_ += n;
      literal_left_ -= n;
      if (literal_left_ > 0) return std::nullopt;
      line_start_ = response_.size();
      continue;
    }
    const std::size_t lf = in_.find('\n', pos_ + scan_);
    if (lf == std::string::npos) {
      scan_ = in_.size() - pos_;
      // The same bound as a whole line's below: max_line octets and a line end, whose
      // CR may already be here.
      if (scan_ > limits_.max_line + 1) return fail();
      return std::nullopt;
    }
    scan_ = 0;
    const std::size_t size = lf + 1 - pos_;
    if (size > limits_.max_line + 2) return fail();
    response_.append(in_, pos_, size);
    pos_ += size;
    if (response_.size() > limits_.max_response) return fail();
    // The segment without its line end.
    std::string_view seg(response_);
    seg = seg.substr(line_start_);
    seg.remove_suffix(1);
    if (!seg.empty() && seg.back() == '\r') seg.remove_suffix(1);
    // "{n}" at the end: a literal follows.
    std::uint64_t n = 0;
    bool literal = false;
    if (!seg.empty() && seg.back() == '}') {
      std::size_t i = seg.size() - 1;
      std::size_t end = i;
      while (i > 0 && seg[i - 1] >= '0' && seg[i - 1] <= '9') --i;
      if (i < end && i > 0 && seg[i - 1] == '{' && end - i <= 19) {
        literal = true;
        for (std::size_t k = i; k < end; ++k) n = n * 10 + static_cast<std::uint64_t>(seg[k] - '0');
      }
    }
    if (!literal) {
      Item item;
      std::size_t e = response_.size() - 1;
      if (e > line_start_ && response_[e - 1] == '\r') --e;  // never a literal's last octet
      item.text.assign(response_, 0, e);
      response_.clear();
      line_start_ = 0;
      return item;
    }
    if (n > limits_.max_literal || response_.size() + n > limits_.max_response) return fail();
    literal_left_ = n;
    line_start_ = response_.size();
    if (n == 0) continue;
  }
}

}  // namespace maillab::imap

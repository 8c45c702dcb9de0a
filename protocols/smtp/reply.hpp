// smtp::Reply: one SMTP reply (RFC 5321 4.2), possibly multi-line, with an optional
// enhanced status code (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034).
//
// Invariants: `lines` hold text only (no code, no enhanced code, no CR/LF; wire()
// replaces a stray CR or LF by a space so a handler's mistake can never inject a line).
// `code` is a three-digit reply code 200..599 for anything sent on the wire.
// When `enhanced` is set, wire() repeats it on every line (RFC 2034 section 4).
#pragma once

#include <boost/container/small_vector.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace maillab::smtp {

// The text lines of a Reply, in one buffer: the bytes of every line back to back and
// where each line ends. A usual reply ("Ok", "Ok: queued as <id>": up to 64 bytes in up
// to 4 lines) allocates nothing; a bigger one (EHLO's) one buffer for each. Reads like a
// std::vector<std::string> of the lines whose elements are string_views.
class ReplyLines {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;
    const_iterator() = default;
    const_iterator(const ReplyLines* lines, std::size_t i) : lines_(lines), i_(i) {}
    std::string_view operator*() const { return (*lines_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++i_;
      return old;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const ReplyLines* lines_ = nullptr;
    std::size_t i_ = 0;
  };

  ReplyLines() = default;
  ReplyLines(std::initializer_list<std::string_view> lines) {
    for (std::string_view l : lines) push_back(l);
  }

  bool empty() const { return ends_.size() == 0; }
  std::size_t size() const { return ends_.size(); }
  std::size_t text_bytes() const { return bytes_.size(); }  // of all lines together
  std::string_view operator[](std::size_t i) const {
    const std::uint32_t begin = i == 0 ? 0 : ends_.data()[i - 1];
    return {bytes_.data() + begin, ends_.data()[i] - begin};
  }
  std::string_view front() const { return (*this)[0]; }
  std::string_view back() const { return (*this)[size() - 1]; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  void push_back(std::string_view line) {
    if (line.size() > UINT32_MAX - bytes_.size()) throw std::length_error("smtp::Reply too long");
    // One of its own lines again: copied first, as the growth below may move the bytes.
    if (!line.empty() && line.data() >= bytes_.data() && line.data() < bytes_.data() + bytes_.size()) {
      return push_back(std::string(line));
    }
    // The end first: if the bytes then cannot be added, it is taken back, and a failure
    // leaves the lines as they were.
    ends_.push_back(static_cast<std::uint32_t>(bytes_.size() + line.size()));
    try {
      bytes_.insert(bytes_.end(), line.begin(), line.end());
    } catch (...) {
      ends_.pop_back();
      throw;
    }
  }
  void clear() {
    bytes_.clear();
    ends_.clear();
  }
  void swap(ReplyLines& o) noexcept {
    bytes_.swap(o.bytes_);
    ends_.swap(o.ends_);
  }
  friend void swap(ReplyLines& a, ReplyLines& b) noexcept { a.swap(b); }
  // Room for `lines` lines of `bytes` bytes in all.
  void reserve(std::size_t lines, std::size_t bytes) {
    ends_.reserve(lines);
    bytes_.reserve(bytes);
  }

  bool operator==(const ReplyLines&) const = default;

 private:
  boost::container::small_vector<char, 64> bytes_;
  boost::container::small_vector<std::uint32_t, 4> ends_;  // line i is bytes_[ends_[i - 1], ends_[i])
};

struct Reply {
  int code = 0;
  std::string enhanced;  // "2.1.0", or "" when none
  ReplyLines lines;      // text without code/enhanced code

  // "250-a\r\n250 b\r\n"; a reply without text lines is "250\r\n" (or "250 2.0.0\r\n");
  // an empty text line keeps its space ("334 \r\n", RFC 4954 4).
  std::string wire() const;
  // The same, appended to `out`.
  void append_wire(std::string& out) const;
  // The text lines joined by a space (how Postfix quotes a multi-line reply in a DSN).
  std::string text() const;
  // "550 5.1.1 text" on one line: for logs, traces and DSN Diagnostic-Code fields.
  std::string summary() const;

  bool positive_completion() const { return code / 100 == 2; }    // 2yz
  bool positive_intermediate() const { return code / 100 == 3; }  // 3yz
  bool transient() const { return code / 100 == 4; }              // 4yz
  bool permanent() const { return code / 100 == 5; }              // 5yz

  // `text` is split on '\n' into lines (a trailing '\r' on a line is dropped); an empty
  // text gives a reply without text lines.
  static Reply make(int code, std::string enhanced, std::string_view text);

  bool operator==(const Reply&) const = default;
};

// The queue id a server names in its positive reply to the end of DATA, Postfix's
// convention ("250 2.0.0 Ok: queued as 3F2A1B": the word after "queued as ", up to a
// space, tab, ';' or ')'); empty when the reply is not 2xx or names none. Read once by
// the client that gets the reply, which traces it as the next hop's id (next_id): trace
// consumers follow that field, not reply text (docs/trace.md).
std::string_view queued_as(const Reply& r);

// True when `s` has the form of an RFC 3463 status code: class "." subject "." detail
// with class 2, 4 or 5, subject and detail 1-3 digits.
bool is_enhanced_code(std::string_view s);

}  // namespace maillab::smtp

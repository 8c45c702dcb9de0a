// smtp::Reply: one SMTP reply (RFC 5321 4.2), possibly multi-line, with an optional
// enhanced status code (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034).
//
// Invariants: `lines` hold text only (no code, no enhanced code, no CR/LF; wire()
// replaces a stray CR or LF by a space so a handler's mistake can never inject a line).
// `code` is a three-digit reply code 200..599 for anything sent on the wire.
// When `enhanced` is set, wire() repeats it on every line (RFC 2034 section 4).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace maillab::smtp {

namespace detail {

// A growable array of trivially copyable T whose first N elements live in the object
// itself: no allocation until it outgrows them. Copies and clears keep the buffer, so a
// reused array stops allocating once it is big enough.
template <class T, std::size_t N>
class SmallArray {
 public:
  SmallArray() = default;
  SmallArray(const SmallArray& o) { append(o.data_, o.size_); }
  SmallArray(SmallArray&& o) noexcept { take(o); }
  SmallArray& operator=(const SmallArray& o) {
    if (this != &o) {
      size_ = 0;
      append(o.data_, o.size_);
    }
    return *this;
  }
  SmallArray& operator=(SmallArray&& o) noexcept {
    if (this == &o) return *this;
    if (o.heap()) {
      release();
      take(o);
    } else {
      // Fits whatever our buffer: o's elements are inline, ours hold at least N.
      std::memcpy(data_, o.data_, o.size_ * sizeof(T));
      size_ = o.size_;
      o.size_ = 0;
    }
    return *this;
  }
  ~SmallArray() { release(); }
  void swap(SmallArray& o) noexcept {
    if (this == &o) return;
    // The whole inline arrays change places (fixed-size copies: a few moves), heap
    // buffers by pointer.
    T tmp[N];
    std::memcpy(tmp, inline_, sizeof tmp);
    std::memcpy(inline_, o.inline_, sizeof tmp);
    std::memcpy(o.inline_, tmp, sizeof tmp);
    T* const mine = heap() ? data_ : nullptr;
    data_ = o.heap() ? o.data_ : inline_;
    o.data_ = mine ? mine : o.inline_;
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
  }

  std::size_t size() const { return size_; }
  const T* data() const { return data_; }
  void clear() { size_ = 0; }
  void reserve(std::size_t n) {
    if (n > UINT32_MAX) throw std::length_error("smtp::Reply too long");
    if (n > cap_) grow(n, nullptr, 0);
  }
  // `p` may point into this array (as vector::insert allows): it is read before the old
  // buffer goes.
  void append(const T* p, std::size_t n) {
    // Sizes are 32-bit (a reply is far smaller); past that, fail as std::string would.
    if (n > UINT32_MAX - size_) throw std::length_error("smtp::Reply too long");
    if (n > cap_ - size_) {
      grow(std::min<std::size_t>(std::max(size_ + n, 2 * std::size_t{cap_}), UINT32_MAX), p, n);
    } else if (n != 0) {
      std::memmove(data_ + size_, p, n * sizeof(T));
    }
    size_ += static_cast<std::uint32_t>(n);
  }
  void push_back(T v) { append(&v, 1); }
  void pop_back() { --size_; }
  bool operator==(const SmallArray& o) const {
    return size_ == o.size_ && (size_ == 0 || std::memcmp(data_, o.data_, size_ * sizeof(T)) == 0);
  }

 private:
  bool heap() const { return data_ != inline_; }
  // A buffer of `cap` holding the elements and, after them, the `n` at `extra`.
  void grow(std::size_t cap, const T* extra, std::size_t n) {
    T* p = new T[cap];
    if (size_ != 0) std::memcpy(p, data_, size_ * sizeof(T));
    if (n != 0) std::memcpy(p + size_, extra, n * sizeof(T));
    if (heap()) delete[] data_;
    data_ = p;
    cap_ = static_cast<std::uint32_t>(cap);
  }
  void release() {
    if (heap()) delete[] data_;
    data_ = inline_;
    cap_ = N;
    size_ = 0;
  }
  // Takes o's elements (its heap buffer, if any); o is left empty and inline.
  void take(SmallArray& o) {
    if (o.heap()) {
      data_ = o.data_;
      cap_ = o.cap_;
      o.data_ = o.inline_;
      o.cap_ = N;
    } else {
      std::memcpy(inline_, o.inline_, o.size_ * sizeof(T));
    }
    size_ = o.size_;
    o.size_ = 0;
  }

  T* data_ = inline_;
  std::uint32_t size_ = 0;
  std::uint32_t cap_ = N;
  T inline_[N]{};
};

}  // namespace detail

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
    // The end first: if the bytes then cannot be added, it is taken back, and a failure
    // leaves the lines as they were. bytes_ throws before the offset could overflow.
    if (line.size() > UINT32_MAX - bytes_.size()) throw std::length_error("smtp::Reply too long");
    ends_.push_back(static_cast<std::uint32_t>(bytes_.size() + line.size()));
    try {
      bytes_.append(line.data(), line.size());
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
  detail::SmallArray<char, 64> bytes_;
  detail::SmallArray<std::uint32_t, 4> ends_;  // line i is bytes_[ends_[i - 1], ends_[i])
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

// True when `s` has the form of an RFC 3463 status code: class "." subject "." detail
// with class 2, 4 or 5, subject and detail 1-3 digits.
bool is_enhanced_code(std::string_view s);

}  // namespace maillab::smtp

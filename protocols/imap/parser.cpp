#include "protocols/imap/parser.hpp"

#include "base/ascii.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/modified_utf7.hpp"

namespace maillab::imap {
namespace {

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool is_atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7F) return false;  // CTL, SP, 8-bit
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }
bool is_list_char(char c) { return is_astring_char(c) || c == '%' || c == '*'; }
bool is_tag_char(char c) { return is_astring_char(c) && c != '+'; }

int month_number(std::string_view name) {
  if (name.size() != 3) return 0;
  for (int m = 0; m < 12; ++m) {
    if (base::ascii_lower(name[0]) == kMonths[m][0] && base::ascii_lower(name[1]) == kMonths[m][1] && base::ascii_lower(name[2]) == kMonths[m][2])
      return m + 1;
  }
  return 0;
}

bool Parser::fail(std::string_view expected) {
  error_ = "expected ";
  error_ += expected;
  error_ += at_end() ? " at the end" : " at column " + std::to_string(i_ + 1);
  return false;
}

bool Parser::take(char c) {
  if (at_end() || s_[i_] != c) return false;
  ++i_;
  return true;
}

bool Parser::take_word(std::string_view word) {
  if (s_.size() - i_ < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k)
    if (base::ascii_lower(s_[i_ + k]) != base::ascii_lower(word[k])) return false;
  const std::size_t after = i_ + word.size();
  if (after < s_.size() && is_atom_char(s_[after]) && is_atom_char(word.back())) return false;
  i_ = after;
  return true;
}

std::optional<std::string> Parser::tag() {
  const std::size_t start = i_;
  while (!at_end() && is_tag_char(s_[i_])) ++i_;
  if (i_ == start) {
    fail("tag");
    return std::nullopt;
  }
  return std::string(s_.substr(start, i_ - start));
}

std::optional<std::string_view> Parser::atom() {
  const std::size_t start = i_;
  while (!at_end() && is_atom_char(s_[i_])) ++i_;
  if (i_ == start) {
    fail("atom");
    return std::nullopt;
  }
  return s_.substr(start, i_ - start);
}

std::optional<std::string_view> Parser::fetch_att_name() {
  const std::size_t start = i_;
  while (!at_end() && is_atom_char(s_[i_]) && s_[i_] != '[') ++i_;
  if (i_ > start && take('[')) {
    int depth = 0;
    while (!at_end() && (s_[i_] != ']' || depth > 0)) {
      if (s_[i_] == '(') ++depth;
      if (s_[i_] == ')') --depth;
      if (s_[i_] == '\r' || s_[i_] == '\n') break;
      ++i_;
    }
    if (!take(']')) {
      i_ = start;
      fail("]");
      return std::nullopt;
    }
    if (take('<')) {
      while (!at_end() && (digit(s_[i_]) || s_[i_] == '.')) ++i_;
      if (!take('>')) {
        i_ = start;
        fail(">");
        return std::nullopt;
      }
    }
  }
  if (i_ == start) {
    fail("fetch attribute");
    return std::nullopt;
  }
  return s_.substr(start, i_ - start);
}

std::optional<std::string> Parser::quoted() {
  const std::size_t start = i_;
  if (!take('"')) {
    fail("quoted string");
    return std::nullopt;
  }
  std::string out;
  while (!at_end()) {
    const char c = s_[i_];
    if (c == '"') {
      ++i_;
      return out;
    }
    if (c == '\r' || c == '\n' || c == '\0') break;
    if (c == '\\') {
      if (i_ + 1 < s_.size() && (s_[i_ + 1] == '"' || s_[i_ + 1] == '\\')) {
        out += s_[i_ + 1];
        i_ += 2;
        continue;
      }
      break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      // A run of 8-bit octets must be UTF-8.
      std::size_t j = i_;
      while (j < s_.size() && static_cast<unsigned char>(s_[j]) >= 0x80) ++j;
      if (!message::valid_utf8(s_.substr(i_, j - i_))) break;
      out.append(s_.substr(i_, j - i_));
      i_ = j;
      continue;
    }
    out += c;
    ++i_;
  }
  i_ = start;
  fail("quoted string");
  return std::nullopt;
}

std::optional<std::string> Parser::literal_impl(bool binary) {
  const std::size_t start = i_;
  if (binary && !take('~')) {
    fail("literal8");
    return std::nullopt;
  }
  if (!take('{')) {
    i_ = start;
    fail("literal");
    return std::nullopt;
  }
  const auto n = number64();
  take('+');
  if (!n || !take('}')) {
    i_ = start;
    fail("literal");
    return std::nullopt;
  }
  take('\r');
  if (!take('\n') || *n > s_.size() - i_) {
    i_ = start;
    fail("literal data");
    return std::nullopt;
  }
  std::string_view data = s_.substr(i_, static_cast<std::size_t>(*n));
  if (!binary && data.find('\0') != std::string_view::npos) {
    i_ = start;
    fail("literal without NUL");
    return std::nullopt;
  }
  i_ += data.size();
  return std::string(data);
}

std::optional<std::string> Parser::literal() { return literal_impl(false); }
std::optional<std::string> Parser::literal8() { return literal_impl(true); }

std::optional<std::string> Parser::string() {
  if (peek() == '"') return quoted();
  if (peek() == '{') return literal();
  fail("string");
  return std::nullopt;
}

std::optional<std::string> Parser::astring() {
  if (peek() == '"' || peek() == '{') return string();
  const std::size_t start = i_;
  while (!at_end() && is_astring_char(s_[i_])) ++i_;
  if (i_ == start) {
    fail("astring");
    return std::nullopt;
  }
  return std::string(s_.substr(start, i_ - start));
}

std::optional<std::optional<std::string>> Parser::nstring() {
  if (take_word("NIL")) return std::optional<std::string>();
  auto s = string();
  if (!s) return std::nullopt;
  return std::optional<std::string>(std::move(*s));
}

std::optional<std::string> Parser::list_mailbox() {
  if (peek() == '"' || peek() == '{') return string();
  const std::size_t start = i_;
  while (!at_end() && is_list_char(s_[i_])) ++i_;
  if (i_ == start) {
    fail("mailbox pattern");
    return std::nullopt;
  }
  return std::string(s_.substr(start, i_ - start));
}

std::optional<std::uint64_t> Parser::number64() {
  const std::size_t start = i_;
  std::uint64_t v = 0;
  while (!at_end() && digit(s_[i_])) {
    const auto d = static_cast<std::uint64_t>(s_[i_] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      i_ = start;
      fail("number");
      return std::nullopt;
    }
    v = v * 10 + d;
    ++i_;
  }
  if (i_ == start) {
    fail("number");
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint32_t> Parser::number() {
  const std::size_t start = i_;
  auto v = number64();
  if (!v || *v > 0xFFFFFFFFull) {
    i_ = start;
    fail("number");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*v);
}

std::optional<std::uint32_t> Parser::nz_number() {
  if (peek() == '0') {
    fail("non-zero number");
    return std::nullopt;
  }
  return number();
}

std::optional<SequenceSet> Parser::sequence_set() {
  const std::size_t start = i_;
  while (!at_end() && (digit(s_[i_]) || s_[i_] == ':' || s_[i_] == ',' || s_[i_] == '*')) ++i_;
  SequenceSet set;
  if (i_ == start || !SequenceSet::parse(s_.substr(start, i_ - start), set)) {
    i_ = start;
    fail("sequence set");
    return std::nullopt;
  }
  return set;
}

std::optional<std::string> Parser::flag(bool allow_star) {
  const std::size_t start = i_;
  if (take('\\')) {
    if (allow_star && take('*')) return std::string("\\*");
    auto a = atom();
    if (!a) {
      i_ = start;
      fail("flag");
      return std::nullopt;
    }
    return "\\" + std::string(*a);
  }
  auto a = atom();
  if (!a) return std::nullopt;
  return std::string(*a);
}

std::optional<std::vector<std::string>> Parser::flag_list() {
  const std::size_t start = i_;
  if (!take('(')) {
    fail("(");
    return std::nullopt;
  }
  std::vector<std::string> flags;
  if (take(')')) return flags;
  for (;;) {
    auto f = flag();
    if (!f) {
      i_ = start;
      return std::nullopt;
    }
    flags.push_back(std::move(*f));
    if (take(')')) return flags;
    if (!take(' ')) {
      fail(") or SP");
      i_ = start;
      return std::nullopt;
    }
  }
}

std::optional<std::int64_t> Parser::date_text(bool fixed_day) {
  const std::size_t start = i_;
  int day = 0;
  if (fixed_day && take(' ')) {
    if (!digit(peek())) return std::nullopt;
    day = s_[i_++] - '0';
  } else {
    int digits = 0;
    while (digits < 2 && digit(peek())) day = day * 10 + (s_[i_++] - '0'), ++digits;
    if (digits == 0 || (fixed_day && digits != 2)) {
      i_ = start;
      return std::nullopt;
    }
  }
  if (!take('-') || s_.size() - i_ < 3) {
    i_ = start;
    return std::nullopt;
  }
  const int month = month_number(s_.substr(i_, 3));
  i_ += 3;
  if (month == 0 || !take('-')) {
    i_ = start;
    return std::nullopt;
  }
  int year = 0;
  for (int k = 0; k < 4; ++k) {
    if (!digit(peek())) {
      i_ = start;
      return std::nullopt;
    }
    year = year * 10 + (s_[i_++] - '0');
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day < 1 || day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) {
    i_ = start;
    return std::nullopt;
  }
  return message::unix_from_civil(year, month, day, 0, 0, 0);
}

std::optional<std::int64_t> Parser::date() {
  const std::size_t start = i_;
  const bool q = take('"');
  auto d = date_text(false);
  if (!d || (q && !take('"'))) {
    i_ = start;
    fail("date (d-Mon-yyyy)");
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> Parser::date_time() {
  const std::size_t start = i_;
  auto bad = [&]() -> std::optional<std::int64_t> {
    i_ = start;
    fail("date-time (\"dd-Mon-yyyy hh:mm:ss +zzzz\")");
    return std::nullopt;
  };
  if (!take('"')) return bad();
  auto d = date_text(true);
  if (!d || !take(' ')) return bad();
  int hms[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k) {
    if (k > 0 && !take(':')) return bad();
    if (!digit(peek()) || i_ + 1 >= s_.size() || !digit(s_[i_ + 1])) return bad();
    hms[k] = (s_[i_] - '0') * 10 + (s_[i_ + 1] - '0');
    i_ += 2;
  }
  if (hms[0] > 23 || hms[1] > 59 || hms[2] > 60 || !take(' ')) return bad();
  const char sign = peek();
  if (sign != '+' && sign != '-') return bad();
  ++i_;
  int zone = 0;
  for (int k = 0; k < 4; ++k) {
    if (!digit(peek())) return bad();
    zone = zone * 10 + (s_[i_++] - '0');
  }
  if (zone % 100 > 59 || !take('"')) return bad();
  const std::int64_t offset = (zone / 100) * 3600 + (zone % 100) * 60;
  return *d + hms[0] * 3600 + hms[1] * 60 + hms[2] - (sign == '+' ? offset : -offset);
}

}  // namespace maillab::imap

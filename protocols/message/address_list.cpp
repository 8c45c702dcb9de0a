#include "protocols/message/address_list.hpp"

#include <cstddef>

namespace maillab::message {
namespace {

struct Token {
  enum class Kind { Word, Quoted, Special, Literal, Comment };
  Kind kind = Kind::Word;
  std::string text;
  bool space_before = false;

  bool is(char c) const { return kind == Kind::Special && text.size() == 1 && text[0] == c; }
};

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_special(char c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case ':': case ';': case '@':
    case '\\': case ',': case '.': case '"':
      return true;
    default:
      return false;
  }
}

// RFC 5322 3.2: quoted strings, comments (nested, with quoted-pairs), domain literals,
// specials and runs of atext. CR and LF inside quoted strings are folding: dropped.
std::vector<Token> tokenize(std::string_view v) {
  std::vector<Token> out;
  bool space = false;
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (is_wsp(c)) {
      space = true;
      ++i;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    if (c == '"' || c == '(' || c == '[') {
      const char close = c == '"' ? '"' : c == '(' ? ')' : ']';
      t.kind = c == '"' ? Token::Kind::Quoted : c == '(' ? Token::Kind::Comment : Token::Kind::Literal;
      if (c == '[') t.text += c;
      int depth = 1;
      ++i;
      while (i < v.size()) {
        char d = v[i++];
        if (d == '\\' && i < v.size() && c != '[') {
          t.text += v[i++];
          continue;
        }
        if (c == '(' && d == '(') ++depth;
        if (d == close && --depth == 0) break;
        if (d == '\r' || d == '\n') continue;
        t.text += d;
      }
      if (c == '[') t.text += ']';
    } else if (is_special(c)) {
      t.kind = Token::Kind::Special;
      t.text = std::string(1, c);
      ++i;
    } else {
      while (i < v.size() && !is_wsp(v[i]) && !is_special(v[i])) t.text += v[i++];
    }
    out.push_back(std::move(t));
  }
  return out;
}

class AddressParser {
 public:
  explicit AddressParser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::vector<AddressEntry> run() {
    list(false);
    return std::move(out_);
  }

 private:
  bool at(std::size_t i, char c) const { return i < t_.size() && t_[i].is(c); }
  bool stop(std::size_t i, std::string_view set) const {
    if (i >= t_.size()) return true;
    if (t_[i].kind != Token::Kind::Special) return false;
    return set.find(t_[i].text[0]) != std::string_view::npos;
  }

  // A phrase (display name) as written: words and quoted strings, one space where the
  // input had white space, comments left out.
  std::string phrase(std::size_t from, std::size_t to) const {
    std::string s;
    for (std::size_t k = from; k < to; ++k) {
      if (t_[k].kind == Token::Kind::Comment) continue;
      if (!s.empty() && t_[k].space_before) s += ' ';
      s += t_[k].text;
    }
    return s;
  }
  // A local part or domain: words, quoted strings and dots run together (obs-local-part
  // and obs-domain allow CFWS between them).
  std::string joined(std::size_t from, std::size_t to) const {
    std::string s;
    for (std::size_t k = from; k < to; ++k) {
      if (t_[k].kind != Token::Kind::Comment) s += t_[k].text;
    }
    return s;
  }
  std::string first_comment(std::size_t from, std::size_t to) const {
    for (std::size_t k = from; k < to; ++k)
      if (t_[k].kind == Token::Kind::Comment && !t_[k].text.empty()) return t_[k].text;
    return {};
  }

  void mailbox(std::string name, std::string route, std::string local, std::string host) {
    AddressEntry e;
    e.name = std::move(name);
    e.route = std::move(route);
    e.mailbox = local.empty() ? std::string(kMissingMailbox) : std::move(local);
    e.host = host.empty() ? std::string(kMissingDomain) : std::move(host);
    out_.push_back(std::move(e));
  }

  void list(bool in_group) {
    while (i_ < t_.size()) {
      if (at(i_, ',')) {
        ++i_;
        continue;
      }
      if (at(i_, ';')) {
        if (in_group) return;
        ++i_;
        continue;
      }
      std::size_t j = i_;
      while (!stop(j, "<:@,;>")) ++j;
      if (at(j, ':')) {
        if (in_group) {  // no nested groups: skip the stray colon
          i_ = j + 1;
          continue;
        }
        AddressEntry start;
        start.kind = AddressEntry::Kind::GroupStart;
        start.name = phrase(i_, j);
        out_.push_back(std::move(start));
        i_ = j + 1;
        list(true);
        if (at(i_, ';')) ++i_;
        AddressEntry end;
        end.kind = AddressEntry::Kind::GroupEnd;
        out_.push_back(std::move(end));
        continue;
      }
      if (at(j, '<')) {
        angle(phrase(i_, j), j + 1);
        continue;
      }
      if (at(j, '@')) {
        std::size_t k = j + 1;
        while (!stop(k, ",;<>")) ++k;
        // The domain ends at the first comment; that comment names the mailbox.
        std::size_t end = j + 1;
        while (end < k && t_[end].kind != Token::Kind::Comment) ++end;
        std::string name = first_comment(i_, j);
        if (name.empty()) name = first_comment(end, k);
        mailbox(name, {}, joined(i_, j), joined(j + 1, end));
        i_ = k;
        if (at(i_, '>')) ++i_;
        continue;
      }
      // A bare word list (no "@"): a mailbox with no domain, if there is anything.
      if (j > i_ && !joined(i_, j).empty()) mailbox(first_comment(i_, j), {}, joined(i_, j), {});
      i_ = j;
      if (at(i_, '>')) ++i_;
    }
  }

  // After "<": [route ":"] local "@" domain ">" [comments], up to the next "," or ";".
  void angle(std::string name, std::size_t k) {
    std::string route;
    if (at(k, '@')) {
      std::size_t r = k;
      while (!stop(r, ":>;")) ++r;
      if (at(r, ':')) {
        route = joined(k, r);
        k = r + 1;
      }
    }
    std::size_t at_sign = k;
    while (!stop(at_sign, "@>;")) ++at_sign;
    std::string local, host;
    std::size_t close = at_sign;
    if (at(at_sign, '@')) {
      local = joined(k, at_sign);
      close = at_sign + 1;
      while (!stop(close, ">;,<")) ++close;
      host = joined(at_sign + 1, close);
    } else {
      local = joined(k, at_sign);
    }
    if (local.empty() && host.empty() && route.empty()) {
      // "<>" (a null path) or an empty bracket: nothing to show but a name, if any.
      if (!name.empty()) mailbox(name, {}, {}, {});
    } else {
      mailbox(std::move(name), std::move(route), std::move(local), std::move(host));
    }
    i_ = close;
    if (at(i_, '>')) ++i_;
    while (!stop(i_, ",;")) ++i_;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::vector<AddressEntry> out_;
};

}  // namespace

std::vector<AddressEntry> parse_address_list(std::string_view value) {
  return AddressParser(tokenize(value)).run();
}

}  // namespace maillab::message

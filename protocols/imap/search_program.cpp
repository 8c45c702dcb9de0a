#include "protocols/imap/search_program.hpp"

#include <array>
#include <string_view>

#include "base/ascii.hpp"

namespace maillab::imap {
namespace {

using Kind = SearchKey::Kind;
enum class Arg { None, String, Date, Number, Header, Keyword, Not, Or, Uid };

struct KeyRule {
  std::string_view name;
  Kind kind;
  Arg arg;
};

// RFC 3501 6.4.4 / RFC 9051 6.4.4 search keys and what follows each.
constexpr std::array<KeyRule, 35> kKeys{{
    {"ALL", Kind::All, Arg::None},           {"ANSWERED", Kind::Answered, Arg::None},
    {"BCC", Kind::Bcc, Arg::String},         {"BEFORE", Kind::Before, Arg::Date},
    {"BODY", Kind::Body, Arg::String},       {"CC", Kind::Cc, Arg::String},
    {"DELETED", Kind::Deleted, Arg::None},   {"DRAFT", Kind::Draft, Arg::None},
    {"FLAGGED", Kind::Flagged, Arg::None},   {"FROM", Kind::From, Arg::String},
    {"HEADER", Kind::Header, Arg::Header},   {"KEYWORD", Kind::Keyword, Arg::Keyword},
    {"LARGER", Kind::Larger, Arg::Number},   {"NEW", Kind::New, Arg::None},
    {"NOT", Kind::Not, Arg::Not},            {"OLD", Kind::Old, Arg::None},
    {"ON", Kind::On, Arg::Date},             {"OR", Kind::Or, Arg::Or},
    {"RECENT", Kind::Recent, Arg::None},     {"SEEN", Kind::Seen, Arg::None},
    {"SENTBEFORE", Kind::SentBefore, Arg::Date}, {"SENTON", Kind::SentOn, Arg::Date},
    {"SENTSINCE", Kind::SentSince, Arg::Date},   {"SINCE", Kind::Since, Arg::Date},
    {"SMALLER", Kind::Smaller, Arg::Number}, {"SUBJECT", Kind::Subject, Arg::String},
    {"TEXT", Kind::Text, Arg::String},       {"TO", Kind::To, Arg::String},
    {"UID", Kind::Uid, Arg::Uid},            {"UNANSWERED", Kind::Unanswered, Arg::None},
    {"UNDELETED", Kind::Undeleted, Arg::None}, {"UNDRAFT", Kind::Undraft, Arg::None},
    {"UNFLAGGED", Kind::Unflagged, Arg::None}, {"UNKEYWORD", Kind::Unkeyword, Arg::Keyword},
    {"UNSEEN", Kind::Unseen, Arg::None},
}};


std::optional<SearchKey> key(Parser& p, int depth);

// key *(SP key) up to `close` (')' for a list; '\0' for the end of the command).
bool key_list(Parser& p, int depth, char close, std::vector<SearchKey>& out) {
  for (;;) {
    auto k = key(p, depth);
    if (!k) return false;
    out.push_back(std::move(*k));
    if (close == ')' ? p.peek() == ')' : p.at_end()) return true;
    if (!p.sp()) return false;
  }
}

std::optional<SearchKey> key(Parser& p, int depth) {
  if (depth > SearchProgram::kMaxDepth) {
    p.fail("fewer nested search keys");
    return std::nullopt;
  }
  SearchKey k;
  const char c = p.peek();
  if (c == '(') {
    p.take('(');
    k.kind = Kind::And;
    if (!key_list(p, depth + 1, ')', k.children) || !p.take(')')) {
      if (p.error().empty()) p.fail(")");
      return std::nullopt;
    }
    return k;
  }
  if ((c >= '0' && c <= '9') || c == '*') {
    auto set = p.sequence_set();
    if (!set) return std::nullopt;
    k.kind = Kind::Sequence;
    k.set = std::move(*set);
    return k;
  }
  const std::size_t start = p.pos();
  auto word = p.atom();
  if (!word) {
    p.fail("search key");
    return std::nullopt;
  }
  const KeyRule* rule = nullptr;
  for (const auto& r : kKeys)
    if (base::iequals(*word, r.name)) rule = &r;
  if (rule == nullptr) {
    p.set_pos(start);
    p.fail("search key");
    return std::nullopt;
  }
  k.kind = rule->kind;
  if (rule->arg == Arg::None) return k;
  if (!p.sp()) return std::nullopt;
  switch (rule->arg) {
    case Arg::String: {
      auto s = p.astring();
      if (!s) return std::nullopt;
      k.value = std::move(*s);
      break;
    }
    case Arg::Date: {
      auto d = p.date();
      if (!d) return std::nullopt;
      k.date = *d;
      break;
    }
    case Arg::Number: {
      auto n = p.number64();
      if (!n) return std::nullopt;
      k.number = *n;
      break;
    }
    case Arg::Header: {
      auto f = p.astring();
      if (!f || !p.sp()) return std::nullopt;
      auto s = p.astring();
      if (!s) return std::nullopt;
      k.field = std::move(*f);
      k.value = std::move(*s);
      break;
    }
    case Arg::Keyword: {
      auto a = p.atom();
      if (!a) return std::nullopt;
      k.value = std::string(*a);
      break;
    }
    case Arg::Not: {
      auto sub = key(p, depth + 1);
      if (!sub) return std::nullopt;
      k.children.push_back(std::move(*sub));
      break;
    }
    case Arg::Or: {
      auto a = key(p, depth + 1);
      if (!a || !p.sp()) return std::nullopt;
      auto b = key(p, depth + 1);
      if (!b) return std::nullopt;
      k.children.push_back(std::move(*a));
      k.children.push_back(std::move(*b));
      break;
    }
    case Arg::Uid: {
      auto set = p.sequence_set();
      if (!set) return std::nullopt;
      k.set = std::move(*set);
      break;
    }
    case Arg::None: break;
  }
  return k;
}

bool return_options(Parser& p, SearchProgram& prog) {
  if (!p.sp() || !p.take('(')) return p.fail("(");
  prog.has_return = true;
  while (!p.take(')')) {
    auto opt = p.atom();
    if (!opt) return false;
    if (base::iequals(*opt, "MIN")) prog.ret_min = true;
    else if (base::iequals(*opt, "MAX")) prog.ret_max = true;
    else if (base::iequals(*opt, "COUNT")) prog.ret_count = true;
    else if (base::iequals(*opt, "ALL")) prog.ret_all = true;
    else return p.fail("MIN, MAX, COUNT or ALL");
    if (p.peek() != ')' && !p.sp()) return false;
  }
  // RFC 4731 3.1: "RETURN ()" means RETURN (ALL).
  if (!prog.ret_min && !prog.ret_max && !prog.ret_count) prog.ret_all = true;
  return p.sp();
}

}  // namespace

std::optional<SearchProgram> parse_search_program(Parser& p) {
  SearchProgram prog;
  prog.root.kind = Kind::And;
  if (p.take_word("RETURN") && !return_options(p, prog)) return std::nullopt;
  const std::size_t mark = p.pos();
  if (p.take_word("CHARSET")) {
    if (!p.sp()) return std::nullopt;
    auto cs = p.astring();
    if (!cs || !p.sp()) return std::nullopt;
    prog.charset = std::move(*cs);
  } else {
    p.set_pos(mark);
  }
  if (!key_list(p, 0, '\0', prog.root.children)) return std::nullopt;
  return prog;
}

}  // namespace maillab::imap

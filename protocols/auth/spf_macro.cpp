#include "protocols/auth/spf_macro.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/ascii.hpp"

namespace maillab::auth {

namespace {

bool letter_allowed(char c, MacroUse use) {
  switch (base::ascii_lower(c)) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'v': case 'h':
      return true;
    case 'c': case 'r': case 't':
      return use != MacroUse::DomainSpec;
    default:
      return false;
  }
}

bool is_delimiter(char c) {
  return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

struct Expand {
  char letter = 0;
  std::size_t digits = 0;  // 0: keep every part
  bool reverse = false;
  std::string delimiters;
};

// Parses "{...}" after "%" at text[i] == '{'. Returns the index after '}' or npos.
std::size_t parse_expand(std::string_view text, std::size_t i, MacroUse use, Expand& e,
                         std::string& why) {
  ++i;  // '{'
  if (i >= text.size() || !letter_allowed(text[i], use)) {
    why = "unknown macro letter";
    return std::string_view::npos;
  }
  e.letter = text[i++];
  std::size_t digit_count = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (e.digits < 1000) e.digits = e.digits * 10 + static_cast<std::size_t>(text[i] - '0');
    ++i;
    ++digit_count;
  }
  if (digit_count > 0 && e.digits == 0) {
    why = "macro transformer of 0 parts";
    return std::string_view::npos;
  }
  if (i < text.size() && (text[i] == 'r' || text[i] == 'R')) {
    e.reverse = true;
    ++i;
  }
  while (i < text.size() && is_delimiter(text[i])) e.delimiters += text[i++];
  if (i >= text.size() || text[i] != '}') {
    why = "unterminated or malformed macro";
    return std::string_view::npos;
  }
  return i + 1;
}

// Walks `text`, calling on_literal(string_view) and on_macro(const Expand&) / on_escape.
template <typename Literal, typename Macro>
std::string walk(std::string_view text, MacroUse use, Literal on_literal, Macro on_macro,
                 bool* ends_in_macro = nullptr) {
  std::size_t i = 0;
  bool last_macro = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '%') {
      if (i + 1 >= text.size()) return "'%' at the end";
      char n = text[i + 1];
      if (n == '%') { on_literal("%"); i += 2; last_macro = true; continue; }
      if (n == '_') { on_literal(" "); i += 2; last_macro = true; continue; }
      if (n == '-') { on_literal("%20"); i += 2; last_macro = true; continue; }
      if (n != '{') return "'%' not followed by '{', '%', '-' or '_'";
      Expand e;
      std::string why;
      auto next = parse_expand(text, i + 1, use, e, why);
      if (next == std::string_view::npos) return why;
      on_macro(e);
      i = next;
      last_macro = true;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    bool ok = (u >= 0x21 && u <= 0x7e) || (u == ' ' && use == MacroUse::Explanation);
    if (!ok) return "character not allowed in a macro-string";
    std::size_t j = i;
    while (j < text.size() && text[j] != '%') {
      auto v = static_cast<unsigned char>(text[j]);
      if (!((v >= 0x21 && v <= 0x7e) || (v == ' ' && use == MacroUse::Explanation))) break;
      ++j;
    }
    on_literal(text.substr(i, j - i));
    i = j;
    last_macro = false;
  }
  if (ends_in_macro) *ends_in_macro = last_macro;
  return "";
}

bool valid_toplabel(std::string_view label) {
  if (label.empty()) return false;
  bool alpha = false, dash = false;
  for (char c : label) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) alpha = true;
    else if (c == '-') dash = true;
    else if (!std::isdigit(u)) return false;
  }
  if (label.front() == '-' || label.back() == '-') return false;
  return alpha || dash;
}

void url_escape(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
}

std::string letter_value(char letter, const MacroContext& ctx) {
  switch (base::ascii_lower(letter)) {
    case 's': return ctx.sender;
    case 'l': return ctx.local_part;
    case 'o': return ctx.sender_domain;
    case 'd': return ctx.domain;
    case 'i': return ctx.ip.macro_form();
    case 'p': return ctx.validated_name;
    case 'v': return ctx.ip.v6 ? "ip6" : "in-addr";
    case 'h': return ctx.helo;
    case 'c': return ctx.ip.to_string();
    case 'r': return ctx.receiver;
    case 't': return std::to_string(ctx.now);
  }
  return "";
}

std::string transform(const std::string& value, const Expand& e) {
  std::string delims = e.delimiters.empty() ? std::string(".") : e.delimiters;
  std::vector<std::string_view> parts;
  std::string_view v = value;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= v.size(); ++i) {
    if (i == v.size() || delims.find(v[i]) != std::string::npos) {
      parts.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  if (e.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t from = 0;
  if (e.digits > 0 && e.digits < parts.size()) from = parts.size() - e.digits;
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i) {
    if (i > from) out += '.';
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string check_macro_string(std::string_view text, MacroUse use) {
  return walk(text, use, [](std::string_view) {}, [](const Expand&) {});
}

std::string check_domain_spec(std::string_view text) {
  if (text.empty()) return "empty domain-spec";
  bool ends_in_macro = false;
  auto why = walk(
      text, MacroUse::DomainSpec, [](std::string_view) {}, [](const Expand&) {}, &ends_in_macro);
  if (!why.empty()) return why;
  if (ends_in_macro) return "";
  // domain-end = "." toplabel ["."], within the literal text after the last macro.
  std::string_view tail = text;
  if (auto pct = tail.rfind('%'); pct != std::string_view::npos) tail = tail.substr(pct);
  if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
  auto dot = tail.rfind('.');
  if (dot == std::string_view::npos) return "domain-spec does not end in '.' toplabel";
  if (!valid_toplabel(tail.substr(dot + 1))) return "invalid top label in domain-spec";
  return "";
}

bool uses_ptr_macro(std::string_view text) {
  bool found = false;
  walk(text, MacroUse::Explanation, [](std::string_view) {},
       [&](const Expand& e) { found = found || e.letter == 'p' || e.letter == 'P'; });
  return found;
}

std::optional<std::string> expand_macros(std::string_view text, const MacroContext& ctx,
                                         MacroUse use) {
  std::string out;
  auto why = walk(
      text, use, [&](std::string_view lit) { out += lit; },
      [&](const Expand& e) {
        auto value = transform(letter_value(e.letter, ctx), e);
        if (std::isupper(static_cast<unsigned char>(e.letter))) {
          url_escape(out, value);
        } else {
          out += value;
        }
      });
  if (!why.empty()) return std::nullopt;
  return out;
}

std::string fit_domain(std::string domain) {
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  while (domain.size() > 253) {
    auto dot = domain.find('.');
    if (dot == std::string::npos) break;
    domain.erase(0, dot + 1);
  }
  return domain;
}

}  // namespace maillab::auth

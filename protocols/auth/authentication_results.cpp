#include "protocols/auth/authentication_results.hpp"


#include "base/ascii.hpp"
#include "protocols/auth/text.hpp"

namespace maillab::auth {

namespace {

bool token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// token, or local-part@domain made of tokens, else a quoted-string.
std::string value(std::string_view v) {
  auto p = printable_ascii(v);
  bool plain = !p.empty();
  int ats = 0;
  for (char c : p) {
    if (c == '@') {
      ++ats;
    } else if (!token_char(c)) {
      plain = false;
    }
  }
  if (plain && ats <= 1 && p.back() != '@') return p;
  std::string out = "\"";
  for (char c : p) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void reason(std::string& out, const std::string& why) {
  if (!why.empty()) out += " reason=" + value(why);
}

}  // namespace

std::string authentication_results_value(const AuthResultsInput& in) {
  std::string out = value(in.authserv_id);
  bool any = false;
  if (in.spf) {
    const auto& s = *in.spf;
    out += "; spf=" + std::string(to_string(s.result));
    if (s.result == SpfResult::PermError || s.result == SpfResult::TempError) reason(out, s.problem);
    if (s.identity == SpfIdentity::Helo || s.null_path) {
      out += " smtp.helo=" + value(in.helo);
    } else {
      out += " smtp.mailfrom=" + value(s.sender);
    }
    any = true;
  }
  if (in.dkim) {
    if (in.dkim->signatures.empty()) out += "; dkim=none";
    for (const auto& sig : in.dkim->signatures) {
      out += "; dkim=" + std::string(to_string(sig.result));
      reason(out, sig.reason);
      if (!sig.domain.empty()) {
        out += " header.d=" + value(sig.domain);
        if (sig.identity != "@" + sig.domain) out += " header.i=" + value(sig.identity);
        out += " header.s=" + value(sig.selector);
        out += " header.a=" + value(sig.algorithm);
        out += " header.b=" + value(sig.header_b);
      }
    }
    any = true;
  }
  if (in.dmarc) {
    const auto& d = *in.dmarc;
    out += "; dmarc=" + std::string(to_string(d.result));
    if (d.record) {
      out += " (p=" + std::string(to_string(d.policy)) + " dis=" + std::string(to_string(d.disposition)) + ")";
    }
    if (d.result != DmarcResult::Pass && d.result != DmarcResult::None) reason(out, d.reason);
    if (!d.from_domain.empty()) out += " header.from=" + value(d.from_domain);
    any = true;
  }
  if (!any) out += "; none";
  return out;
}

namespace {

// RFC 8601 2.2 read as words: comments (nested parentheses) are skipped, a quoted-string
// is one word (without its quotes), ";", "=" and "/" are words of their own.
std::optional<std::vector<std::string>> words_of(std::string_view v) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '(') {
      int depth = 0;
      for (; i < v.size(); ++i) {
        if (v[i] == '\\') {
          ++i;
        } else if (v[i] == '(') {
          ++depth;
        } else if (v[i] == ')' && --depth == 0) {
          break;
        }
      }
      if (i >= v.size()) return std::nullopt;  // unclosed comment
      ++i;
    } else if (c == '"') {
      std::string word;
      for (++i; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        word += v[i];
      }
      if (i >= v.size()) return std::nullopt;  // unclosed quoted-string
      ++i;
      out.push_back(std::move(word));
    } else if (c == ';' || c == '=' || c == '/') {
      out.emplace_back(1, c);
      ++i;
    } else {
      std::size_t start = i;
      while (i < v.size() && std::string_view(" \t\r\n();=/\"").find(v[i]) == std::string_view::npos) ++i;
      out.emplace_back(v.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace

std::optional<ParsedAuthResults> parse_authentication_results(std::string_view value) {
  auto words = words_of(value);
  if (!words || words->empty() || (*words)[0] == ";") return std::nullopt;
  ParsedAuthResults out;
  out.authserv_id = base::ascii_lower((*words)[0]);
  const auto& w = *words;
  // Each ";" starts a resinfo: method [ "/" version ] "=" result, then properties.
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i] != ";") continue;
    if (i + 1 >= w.size()) return std::nullopt;
    std::string method = base::ascii_lower(w[i + 1]);
    std::size_t at = i + 2;
    if (at < w.size() && w[at] == "/") at += 2;  // method-version
    if (method == "none" && (at >= w.size() || w[at] == ";")) continue;  // no-result
    if (at + 1 >= w.size() || w[at] != "=" || w[at + 1] == ";") return std::nullopt;
    out.results.push_back({std::move(method), base::ascii_lower(w[at + 1])});
  }
  return out;
}

}  // namespace maillab::auth

#include "protocols/auth/authentication_results.hpp"

#include <cctype>

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

}  // namespace maillab::auth

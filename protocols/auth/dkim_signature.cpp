#include "protocols/auth/dkim_signature.hpp"

#include <cctype>

#include "protocols/auth/tag_list.hpp"
#include "protocols/auth/text.hpp"
#include "protocols/message/base64.hpp"

namespace maillab::auth {

namespace {

bool safe_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

std::optional<std::uint64_t> number(std::string_view digits, std::size_t max_digits) {
  if (digits.empty() || digits.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

DkimSignatureParse parse_dkim_signature(std::string_view value) {
  DkimSignatureParse out;
  auto fail = [&](std::string why) {
    out.error = std::move(why);
    return out;
  };
  std::string why;
  auto tags = parse_tag_list(value, &why);
  if (!tags) return fail("syntax: " + why);
  for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (!tags->find(required)) return fail(std::string("no ") + required + "= tag");
  }
  if (*tags->value("v") != "1") return fail("version v=" + *tags->value("v") + " is not 1");
  DkimSignature sig;
  auto alg = parse_dkim_algorithm(*tags->value("a"));
  if (!alg) return fail("unknown algorithm a=" + *tags->value("a"));
  sig.algorithm = *alg;
  if (auto c = tags->value("c")) {
    auto slash = c->find('/');
    auto head = c->substr(0, slash);
    auto body = slash == std::string::npos ? std::string("simple") : c->substr(slash + 1);
    for (auto [text, slot] : {std::pair{head, &sig.header_canon}, std::pair{body, &sig.body_canon}}) {
      if (text == "simple") *slot = DkimCanon::Simple;
      else if (text == "relaxed") *slot = DkimCanon::Relaxed;
      else return fail("unknown canonicalization c=" + *c);
    }
  }
  if (auto q = tags->value("q"); q && strip_whitespace(*q).rfind("dns/txt", 0) != 0) {
    return fail("unknown query method q=" + *q);
  }
  sig.domain = ascii_lower(strip_whitespace(*tags->value("d")));
  sig.selector = strip_whitespace(*tags->value("s"));
  if (!safe_name(sig.domain)) return fail("d= is not a domain name");
  if (!safe_name(sig.selector)) return fail("s= is not a selector");
  bool from = false;
  sig.headers = split_list(*tags->value("h"), ':');
  for (const auto& name : sig.headers) {
    if (name.empty()) return fail("empty name in h=");
    from = from || message::iequals(name, "from");
  }
  if (!from) return fail("h= does not include From");
  sig.identity = "@" + sig.domain;
  if (auto i = tags->value("i")) {
    sig.identity = strip_whitespace(*i);
    auto at = sig.identity.rfind('@');
    if (at == std::string::npos) return fail("i= has no @");
    auto idom = ascii_lower(sig.identity.substr(at + 1));
    if (idom != sig.domain &&
        !(idom.size() > sig.domain.size() && idom.compare(idom.size() - sig.domain.size(), sig.domain.size(), sig.domain) == 0 &&
          idom[idom.size() - sig.domain.size() - 1] == '.')) {
      return fail("i= is not in d=");
    }
  }
  if (auto l = tags->value("l")) {
    sig.body_length = number(strip_whitespace(*l), 76);
    if (!sig.body_length) return fail("l= is not a number");
  }
  for (auto [tag, slot] : {std::pair{"t", &sig.timestamp}, std::pair{"x", &sig.expiration}}) {
    if (auto v = tags->value(tag)) {
      auto n = number(strip_whitespace(*v), 12);
      if (!n) return fail(std::string(tag) + "= is not a number");
      *slot = static_cast<std::int64_t>(*n);
    }
  }
  if (sig.timestamp && sig.expiration && *sig.expiration < *sig.timestamp) return fail("x= is before t=");
  sig.b_base64 = strip_whitespace(*tags->value("b"));
  auto b = message::base64_decode(sig.b_base64);
  auto bh = message::base64_decode(strip_whitespace(*tags->value("bh")));
  if (!b || b->empty()) return fail("b= is not base64");
  if (!bh || bh->empty()) return fail("bh= is not base64");
  sig.signature = std::move(*b);
  sig.body_hash = std::move(*bh);
  out.signature = std::move(sig);
  return out;
}

std::string signature_field_for_hash(std::string_view raw_field, DkimCanon canon) {
  std::string field(raw_field);
  while (!field.empty() && (field.back() == '\n' || field.back() == '\r')) field.pop_back();
  auto colon = field.find(':');
  if (colon != std::string::npos) {
    if (auto tags = parse_tag_list(std::string_view(field).substr(colon + 1))) {
      if (const auto* b = tags->find("b")) {
        field.erase(colon + 1 + b->after_equals, b->before_semicolon - b->after_equals);
      }
    }
  }
  auto out = canonical_header(field, canon);
  out.resize(out.size() - 2);  // canonical_header always ends in CRLF
  return out;
}

std::string dkim_signed_data(const message::Message& msg, const std::vector<std::string>& headers,
                             DkimCanon header_canon, std::string_view raw_signature_field) {
  std::string data;
  for (const auto* field : select_headers(msg.fields(), headers)) {
    data += canonical_header(field->raw, header_canon);
  }
  data += signature_field_for_hash(raw_signature_field, header_canon);
  return data;
}

}  // namespace maillab::auth
